"""One router per dashboard screen; :mod:`gateway.dashboard.routes` puts them together."""
