"""Builders for the help-service tests: bodies, a real PNG, valid identifiers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
import pytest

from pingan.pii.id_number import check_character
from tests.devices.conftest import make_hub, mqtt_url  # noqa: F401 - the broker fixtures
from tests.helpers import FOUNTAIN

IMEI = "490154203237518"  # a valid IMEI (Luhn)
GUARDIAN_ID = "15270119850101123" + check_character("15270119850101123")
BAD_ID = GUARDIAN_ID[:-1] + ("0" if GUARDIAN_ID[-1] != "0" else "1")  # check digit wrong
OTHER_ID = "15270119900202456" + check_character("15270119900202456")


def ago(**kw: float) -> str:
    return (datetime.now(UTC) - timedelta(**kw)).isoformat()


@pytest.fixture(scope="session")
def png_b64() -> str:
    image = np.zeros((8, 8, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".png", image)
    assert ok
    return base64.b64encode(data.tobytes()).decode()


def lost_body(**over: Any) -> dict[str, Any]:
    body = {
        "category": "phone",
        "description": "在音乐喷泉附近丢失黑色华为手机，透明手机壳，屏幕右上角有裂痕",
        "colour": "黑色",
        "brand": "华为",
        "lon": FOUNTAIN[0],
        "lat": FOUNTAIN[1],
        "at": ago(hours=3),
        "contact_phone": "13912345678",
    }
    body.update(over)
    return body


def found_body(**over: Any) -> dict[str, Any]:
    body = {
        "category": "phone",
        "description": "拾到黑色华为电话一部，透明壳，屏幕有裂痕",
        "colour": "黑色",
        "brand": "华为",
        "hidden_details": "锁屏是一只橘猫，手机壳里夹着公交卡",
        "lon": FOUNTAIN[0] + 0.003,
        "lat": FOUNTAIN[1],
        "at": ago(hours=1),
        "holder": "音乐喷泉警务站",
        "storage": "警务站失物柜A3",
    }
    body.update(over)
    return body
