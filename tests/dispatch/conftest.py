"""The sample city's travel models, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pingan.dispatch.recommend import Travel
from pingan.geo.osm_import import import_osm
from pingan.geo.profiles import fly_profile
from pingan.geo.travel_time import TravelTimes

DATA = Path(__file__).resolve().parents[2] / "src" / "pingan" / "sim" / "data"


@pytest.fixture(scope="session")
def travel() -> Travel:
    graphs = import_osm(DATA / "kangbashi_sample.osm")
    return Travel({m: TravelTimes(g) for m, g in graphs.items()}, fly_profile())


@pytest.fixture(scope="session")
def key_areas() -> dict[str, dict]:
    data = yaml.safe_load((DATA / "kangbashi_key_areas.yaml").read_text(encoding="utf-8"))
    return {a["code"]: a for a in data["key_areas"]}
