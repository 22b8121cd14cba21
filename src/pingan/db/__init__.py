"""The store: engine, sessions, column types and Alembic migrations."""
