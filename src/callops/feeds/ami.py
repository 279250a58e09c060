"""Asterisk Manager Interface (AMI) over TCP: queue events onto the live floor.

The protocol (AMI 2.x, Asterisk 12+): the server greets with one line ``Asterisk Call Manager/5.0.x``;
the client sends the ``Login`` action (``Action``, ``Username``, ``Secret``, ``ActionID``, ``Events: on``)
as ``Key: Value`` lines ending in a blank line, all with CRLF; the server answers a ``Response: Success``
(or ``Error`` with a ``Message``) block and then sends events as such blocks. Events are folded by
``callops.live.ami_queue.AmiQueueCalls``. A small client of our own: panoramisk (MIT) had its last release
in 2021, and the part of AMI needed here is the log-in and the event blocks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from typing import Any

from callops.feeds.socket_feed import FeedRefused, SocketFeed
from callops.live.ami_queue import AmiQueueCalls
from callops.live.events import LiveEvent
from callops.records import Call

__all__ = ["AmiFeed", "read_block"]

_MAX_LINE = 64 * 1024
_MAX_KEYS = 200


async def read_block(reader: asyncio.StreamReader) -> dict[str, str] | None:
    """The next ``Key: Value`` block (until a blank line); None at the end of the stream."""
    block: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            return None if not block else block
        if len(raw) > _MAX_LINE:
            raise OSError("an AMI line longer than 64 KiB")
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if block:
                return block
            continue
        key, sep, value = line.partition(":")
        if sep and len(block) < _MAX_KEYS:
            block[key.strip()] = value.strip()


class AmiFeed(SocketFeed):
    protocol = "asterisk-ami"

    def __init__(self, engine: Any, host: str, port: int, *, username: str, secret: str, **kwargs: Any) -> None:
        super().__init__(engine, host, port, **kwargs)
        self.username = username
        self.secret = secret
        self.calls = AmiQueueCalls(f"ami:{host}:{port}")

    async def handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        banner = (await reader.readline()).decode("utf-8", errors="replace").strip()
        if not banner.startswith("Asterisk Call Manager"):
            raise FeedRefused(f"not an AMI server (greeting {banner[:80]!r})")
        writer.write((f"Action: Login\r\nUsername: {self.username}\r\nSecret: {self.secret}\r\n"
                      f"Events: on\r\nActionID: callops-login\r\n\r\n").encode())
        await writer.drain()
        while True:
            block = await read_block(reader)
            if block is None:
                raise FeedRefused("the connection closed during the login")
            if "Response" in block:
                if block["Response"] != "Success":
                    raise FeedRefused(block.get("Message", block["Response"]))
                return

    async def blocks(self, reader: asyncio.StreamReader) -> AsyncIterator[Mapping[str, str]]:
        while True:
            block = await read_block(reader)
            if block is None:
                return
            if "Event" in block:
                yield block

    def translate(self, block: Mapping[str, str], received: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        return self.calls.event(block, received)

    def tick(self, now: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        return self.calls.flush_left(now)
