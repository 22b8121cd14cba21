"""The language each request is answered in, from its Accept-Language header.

A pure ASGI middleware (not BaseHTTPMiddleware) so the choice is made in the same context the
endpoint and the exception handlers run in, and streaming answers (the live feed) are untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from pingan.i18n import negotiate, use_lang


class RequestLanguage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"accept-language", b"")
        with use_lang(negotiate(header.decode("latin-1"))):
            await self.app(scope, receive, send)
