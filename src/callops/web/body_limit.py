"""Refuse request bodies over ``Settings.max_body_bytes`` with 413, before the app reads or parses them.

A path may have its own limit (``path_limits``: path -> (bytes of body allowed, the limit named in the 413,
the setting that sets it)), e.g. the web import's upload (``CALLOPS_IMPORT_MAX_BYTES``, whose body may be a
little larger than the file for the form's other fields).

A declared ``Content-Length`` over the limit is refused at once; a body sent without one (chunked) is counted
as it arrives: past the limit the app is told the client left, and whatever it answers is replaced by 413.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit"]


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int,
                 path_limits: Mapping[str, tuple[int, int, str]] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = dict(path_limits or {})

    async def _refuse(self, send: Send, limit: int = 0, setting: str = "CALLOPS_MAX_BODY_BYTES") -> None:
        limit = limit or self.max_bytes
        body = json.dumps({"error": "too_large", "field": "body", "limit_bytes": limit,
                           "message": f"the request body is larger than the limit of {limit:,} bytes "
                                      f"({setting})"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, shown, setting = self.path_limits.get(scope.get("path", ""),
                                                     (self.max_bytes, self.max_bytes, "CALLOPS_MAX_BODY_BYTES"))

        async def refuse(send: Send) -> None:
            await self._refuse(send, shown, setting)

        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > limit:
                    await refuse(send)
                    return
        received = 0
        too_large = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:  # the app keeps reading: tell it the client is gone
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def replacing_send(message: Message) -> None:
            nonlocal replaced
            if too_large and message["type"] == "http.response.start":
                replaced = True
                await refuse(send)
                return
            if replaced:
                return  # the app's own answer to the cut-off body is dropped
            await send(message)

        try:
            await self.app(scope, counting_receive, replacing_send)
        except Exception:
            if not too_large:
                raise
            if not replaced:
                await refuse(send)
