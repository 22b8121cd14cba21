"""The client's registry and retry rules, over an in-process transport (the real simulator
over HTTP is in test_banksim.py)."""

from __future__ import annotations

import json

import httpx
import pytest

from pingan.config import Settings
from pingan.errors import NotFound, ValidationFailed
from pingan.fraud.gateway import (
    BankRefused,
    BankUnavailable,
    HttpBankGateway,
    Registry,
    RetryPolicy,
    banks,
)
from pingan.fraud.messages import open_sealed
from tests.fraud.conftest import BANK, stop_order


def _gateway(platform, handler, **kw):  # type: ignore[no-untyped-def]
    sealer, _ = platform
    client = httpx.Client(base_url="http://bank", transport=httpx.MockTransport(handler))
    pauses: list[float] = []
    gw = HttpBankGateway(BANK, "http://bank", sealer, client=client, sleep=pauses.append, **kw)
    return gw, pauses


def test_retries_send_the_same_sealed_bytes_with_backoff(platform):
    _, keys = platform
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        assert request.headers["Idempotency-Key"] == "ZF-2026-0001"
        return httpx.Response(503, json={"code": "bank_unavailable"})

    gw, pauses = _gateway(platform, handler, policy=RetryPolicy(tries=5))
    with pytest.raises(BankUnavailable) as caught:
        gw.send_stop(stop_order())
    assert len(bodies) == 5 and len(set(bodies)) == 1  # sealed once (SM2 is randomised)
    assert pauses == [0.5, 1.0, 2.0, 4.0]
    assert caught.value.last == "http_503"
    key_list = json.loads(keys.read_text(encoding="utf-8"))
    assert open_sealed(bodies[0], key_list) == stop_order()


def test_a_refusal_is_not_retried(platform):
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(401, json={"code": "bad_signature", "detail": "…"})

    gw, _ = _gateway(platform, handler)
    with pytest.raises(BankRefused) as caught:
        gw.send_stop(stop_order())
    assert (caught.value.status, caught.value.code, len(calls)) == (401, "bad_signature", 1)


def test_an_order_for_another_bank_is_not_sent(platform):
    gw, _ = _gateway(platform, lambda r: pytest.fail("sent"))
    with pytest.raises(ValidationFailed):
        gw.send_stop(stop_order(bank="ABC"))


def test_backoff_is_capped():
    assert [RetryPolicy().pause(n) for n in (1, 2, 5, 10)] == [0.5, 1.0, 8.0, 8.0]


def test_registry(tmp_path):
    assert {"ICBC", "ABC", "BOC", "CCB", "BOCOM", "PSBC", "CMB", "ALIPAY", "TENPAY", "ECNY"} <= set(
        banks()
    )
    assert banks()["ICBC"].cnaps == "102" and banks()["TENPAY"].kind == "payment"
    path = tmp_path / "gateways.yaml"
    path.write_text("ICBC: http://127.0.0.1:8701\n", encoding="utf-8")
    registry = Registry.from_settings(Settings(data_dir=tmp_path, fraud_gateways_file=path))
    assert registry.urls == {"ICBC": "http://127.0.0.1:8701"}
    with pytest.raises(NotFound):
        registry.gateway("NOPE", sealer=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        registry.gateway("ABC", sealer=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        Registry({"NOPE": "http://x"})
