"""Device kinds and the commands each accepts, read from kinds.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class DeviceKind:
    code: str
    name_zh: str
    name_en: str
    commands: tuple[str, ...]


@cache
def device_kinds() -> dict[str, DeviceKind]:
    text = resources.files("pingan.devices").joinpath("kinds.yaml").read_text("utf-8")
    return {
        code: DeviceKind(
            code=code,
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            commands=tuple(spec.get("commands") or ()),
        )
        for code, spec in yaml.safe_load(text).items()
    }
