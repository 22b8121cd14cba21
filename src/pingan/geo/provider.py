"""Load the configured city once per process, on first use, from any thread."""

from __future__ import annotations

import threading

from pingan.config import Settings
from pingan.geo.area import ServiceArea
from pingan.geo.city import City, load_city


class CityProvider:
    """Lazy, thread-safe holder: the API starts at once and the graphs load on first need."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._city: City | None = None
        self._area: ServiceArea | None = None

    def get(self) -> City:
        if self._city is None:
            with self._lock:
                if self._city is None:
                    s = self._settings
                    self._city = load_city(
                        s.city_osm, s.city_areas, cache_dir=s.data_dir / "graphs"
                    )
        return self._city

    def service_area(self) -> ServiceArea:
        """The city's service area with the configured margin (computed once)."""
        if self._area is None:
            self._area = self.get().service_area(self._settings.service_area_margin_km)
        return self._area

    def warm(self) -> None:
        """Load the city and build each mode's snapping index and hierarchy now.

        A server calls this in the background at start, so the first 110 call's
        recommendation does not wait for the graphs.
        """
        for engine in self.get().travel.roads.values():
            engine.prepare()

    def warm_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.warm, name="city-warm", daemon=True)
        thread.start()
        return thread
