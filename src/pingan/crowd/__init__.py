"""Crowd monitoring (客流监测): counts in, density and capacity levels, early warning, forecasts."""
