"""FreeSWITCH Event Socket (inbound ESL) over TCP: mod_callcenter events onto the live floor.

The protocol: on connect the server sends ``Content-Type: auth/request``; the client sends
``auth PASSWORD`` and then ``event plain CUSTOM callcenter::info`` (each command ends in a blank line);
each is answered by ``Content-Type: command/reply`` with ``Reply-Text: +OK ...`` (else ``-ERR ...``).
Then each event arrives as headers ``Content-Length: N`` and ``Content-Type: text/event-plain`` followed by
N bytes of ``Key: Value`` lines whose values are URL-encoded. ``text/disconnect-notice`` ends the session.
Events are folded by ``callops.live.callcenter_events.CallcenterEvents``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from urllib.parse import unquote

from callops.feeds.socket_feed import FeedRefused, SocketFeed
from callops.live.callcenter_events import CallcenterEvents
from callops.live.events import LiveEvent
from callops.records import Call

__all__ = ["CallcenterFeed", "esl_login", "read_message"]

_MAX_BODY = 1 << 20


def _headers(text: str, *, decode: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            value = value.strip()
            out[key.strip()] = unquote(value) if decode else value
    return out


async def read_message(reader: asyncio.StreamReader) -> tuple[dict[str, str], str] | None:
    """(headers, body) of the next message; None at the end of the stream."""
    lines: list[str] = []
    while True:
        raw = await reader.readline()
        if not raw:
            return None
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    headers = _headers("\n".join(lines), decode=False)
    length = headers.get("Content-Length", "0")
    if not length.isdigit() or int(length) > _MAX_BODY:
        raise OSError(f"bad Content-Length {length[:20]!r}")
    body = (await reader.readexactly(int(length))).decode("utf-8", errors="replace") if int(length) else ""
    return headers, body


async def _esl_command(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, command: str,
                       refused: Callable[[str], Exception], closed: Callable[[str], Exception]) -> None:
    writer.write(f"{command}\n\n".encode())
    await writer.drain()
    while True:
        message = await read_message(reader)
        if message is None:
            raise closed(f"the connection closed after {command.split()[0]!r}")
        headers, _body = message
        if headers.get("Content-Type") == "command/reply":
            reply = headers.get("Reply-Text", "")
            if not reply.startswith("+OK"):
                raise refused(reply or "no reply text")
            return


async def esl_login(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, password: str, events: str, *,
                    refused: Callable[[str], Exception], closed: Callable[[str], Exception] | None = None) -> None:
    """The event socket's greeting, ``auth`` and ``event plain EVENTS``: a refusal raises ``refused(reason)``, the
    connection closing in between ``closed(reason)`` (by default ``refused``)."""
    greeting = await read_message(reader)
    if greeting is None or greeting[0].get("Content-Type") != "auth/request":
        raise refused("not a FreeSWITCH event socket (no auth/request)")
    for command in (f"auth {password}", f"event plain {events}"):
        await _esl_command(reader, writer, command, refused, closed or refused)


class CallcenterFeed(SocketFeed):
    protocol = "freeswitch-esl"

    def __init__(self, engine: Any, host: str, port: int, *, password: str, **kwargs: Any) -> None:
        super().__init__(engine, host, port, **kwargs)
        self.password = password
        self.calls = CallcenterEvents(f"esl:{host}:{port}")

    async def handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await esl_login(reader, writer, self.password, "CUSTOM callcenter::info", refused=FeedRefused)

    async def blocks(self, reader: asyncio.StreamReader) -> AsyncIterator[Mapping[str, str]]:
        while True:
            message = await read_message(reader)
            if message is None:
                return
            headers, body = message
            kind = headers.get("Content-Type")
            if kind == "text/disconnect-notice":
                return
            if kind == "text/event-plain":
                yield _headers(body, decode=True)

    def translate(self, block: Mapping[str, str], received: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        return self.calls.event(block, received)
