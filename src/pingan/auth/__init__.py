"""Users, roles, login tokens and the permission rules every endpoint declares."""
