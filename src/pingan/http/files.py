"""File downloads: bytes the browser saves under a given name rather than shows."""

from __future__ import annotations

from fastapi import Response


def attachment(data: bytes, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=media_type, headers=headers)
