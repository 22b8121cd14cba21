"""Pingan (平安): an offline-first platform for a city public-security bureau."""

__version__ = "0.1.0"
