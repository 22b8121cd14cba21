"""Shift rosters (排班表): which units each shift puts on the streets, with whom."""
