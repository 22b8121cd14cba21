"""Geography: coordinates, road network, travel times, spatial lookups (pure core)."""
