"""Live updates for the command centre: committed events pushed to browsers over SSE."""
