"""Deployment planning: demand, candidate posts, coverage optimiser, patrol beats, plans."""
