"""Append-only, hash-chained audit trail of every write."""
