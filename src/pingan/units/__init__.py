"""Units (警力): kinds, capabilities, status and last known positions."""
