"""Incidents (警情): types, the lifecycle state machine, case numbers and the timeline."""
