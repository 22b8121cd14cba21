"""The sample city (synthetic Kangbashi) and the day's simulation for the demo."""
