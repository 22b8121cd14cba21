"""Refuse oversized request bodies before they are read into memory."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pingan.i18n import text


class BodySizeLimit:
    """ASGI middleware: 413 when Content-Length, or the streamed body, exceeds the limit.
    `per_path` gives exact paths a limit of their own (a photographed QR code is larger than
    any JSON body, and only that endpoint should take one); `per_pattern` does the same for
    paths with an id in them (a call's recording)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        per_path: dict[str, int] | None = None,
        per_pattern: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path or {}
        self.per_pattern = tuple(per_pattern)

    def _limit(self, path: str) -> int:
        if path in self.per_path:
            return self.per_path[path]
        return next((n for p, n in self.per_pattern if p.match(path)), self.max_bytes)

    async def _refuse(self, send: Send, max_bytes: int) -> None:
        body = json.dumps(
            {
                "type": "urn:pingan:problem:payload_too_large",
                "title": text("http.payload_too_large"),
                "status": 413,
                "detail": text("http.body_too_large", max_bytes=max_bytes),
                "code": "payload_too_large",
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(send, limit)
                    return
        received = 0
        over = started = False

        async def limited_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            # The framework turns a failed body read into its own 400; the answer is 413.
            nonlocal started
            if over:
                if not started:
                    started = True
                    await self._refuse(send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge):  # the 413 goes out just below
            await self.app(scope, limited_receive, tracking_send)
        if over and not started:
            await self._refuse(send, limit)


class _TooLarge(Exception):
    pass
