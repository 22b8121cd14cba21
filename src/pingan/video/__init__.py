"""Video patrol (视频巡查): cameras, person counters, the patrol rota and premises checks."""
