"""The command-centre web UI: static files served by the same process, no CDN."""
