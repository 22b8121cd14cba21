"""The help services' rules, read once from settings.yaml."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def rules() -> dict[str, Any]:
    """Parsed settings.yaml (retention, thresholds, radius schedule, OCR confusions)."""
    text = resources.files("pingan.services").joinpath("settings.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def lost_found() -> dict[str, Any]:
    return rules()["lost_found"]


def missing() -> dict[str, Any]:
    return rules()["missing"]


def parking() -> dict[str, Any]:
    return rules()["parking"]
