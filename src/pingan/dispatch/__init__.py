"""Dispatch (派警): response plans, unit recommendation, assignment and 1-3-5 KPIs."""
