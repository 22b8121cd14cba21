"""The city provider loads the configured city once and can prepare it ahead of the first call."""

from __future__ import annotations

from pingan.config import Settings
from pingan.geo.provider import CityProvider


def test_warm_builds_every_engine_before_first_use(tmp_path) -> None:
    provider = CityProvider(Settings(data_dir=tmp_path))
    provider.warm_in_background().join(timeout=120)
    city = provider.get()
    assert city is provider.get()  # loaded once
    for engine in city.travel.roads.values():
        assert "_tree" in vars(engine)  # the snapping index exists already
        if engine.has_hierarchy:
            assert "_hierarchy" in vars(engine)
    assert (tmp_path / "graphs").is_dir()  # compiled graphs cached in the data directory
