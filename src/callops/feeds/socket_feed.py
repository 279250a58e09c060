"""A PBX event feed over TCP: connect, log in, read event blocks, write them; reconnect with back-off.

Subclasses speak one protocol (``ami.AmiFeed``, ``event_socket.CallcenterFeed``): ``handshake`` logs in
and subscribes, ``blocks`` yields each event as a mapping, ``translate`` turns it into live events and
finished call records, ``tick`` decides what waits on time. Each event's live events and records are
written in one transaction (events appended before anything reads them); the bus is told after.
A dropped or refused connection sets the feed's row in ``live_feeds`` to ``reconnecting`` with the
reason (the wallboard shows it) and the feed tries again after 0.5 s, 1 s, 2 s ... up to ``backoff_max_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from callops.feeds.bus import EventBus
from callops.live.events import LiveEvent
from callops.records import Call
from callops.store.live_events import FeedPosition, append_events, feed_position, save_feed_position
from callops.store.records import insert_calls

__all__ = ["SocketFeed", "FeedRefused"]


class FeedRefused(Exception):
    """The PBX refused the login or the subscription (wrong secret, no permission)."""


class SocketFeed:
    protocol = "socket"

    def __init__(self, engine: sa.Engine, host: str, port: int, *, bus: EventBus | None = None,
                 backoff_min_s: float = 0.5, backoff_max_s: float = 30.0, connect_timeout_s: float = 10.0,
                 tick_s: float = 1.0) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.bus = bus
        self.backoff_min_s = backoff_min_s
        self.backoff_max_s = backoff_max_s
        self.connect_timeout_s = connect_timeout_s
        self.tick_s = tick_s
        self.feed = f"{self.protocol}:{host}:{port}"
        self.stop = asyncio.Event()
        self.sessions = 0  # successful log-ins
        self.reconnects = 0
        self.sessions_since_failure = 0
        with engine.connect() as conn:
            self.position = feed_position(conn, self.feed) or FeedPosition(self.feed, "", offset=0, lines=0)

    # --- the protocol --------------------------------------------------------------------------------------
    async def handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    def blocks(self, reader: asyncio.StreamReader) -> AsyncIterator[Mapping[str, str]]:
        raise NotImplementedError

    def translate(self, block: Mapping[str, str], received: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        raise NotImplementedError

    def tick(self, now: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        return [], []

    # --- the loop ------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Follow the PBX until ``stop`` is set."""
        attempt = 0
        ticker = asyncio.create_task(self._ticks())
        try:
            while not self.stop.is_set():
                problem = await self._session()
                if self.stop.is_set():
                    break
                if self.sessions_since_failure:
                    attempt = 0
                self.reconnects += 1
                self._save(status="reconnecting", problem=problem)
                delay = min(self.backoff_max_s, self.backoff_min_s * 2 ** attempt)
                attempt += 1
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=delay)
                except TimeoutError:
                    pass
        finally:
            ticker.cancel()
            self._save(status="stopped", problem=None)

    async def _session(self) -> str:
        """One connection; the reason it ended."""
        self.sessions_since_failure = 0
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port),
                                                    timeout=self.connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            return f"cannot connect to {self.host}:{self.port}: {exc}"
        stopping: asyncio.Task[Any] | None = None
        try:
            await asyncio.wait_for(self.handshake(reader, writer), timeout=self.connect_timeout_s)
            self.sessions += 1
            self.sessions_since_failure = 1
            self._save(status="following", problem=None)
            stopping = asyncio.ensure_future(self.stop.wait())
            watch: set[asyncio.Future[Any]] = {stopping}
            blocks = self.blocks(reader)
            while True:
                nxt = asyncio.ensure_future(anext(blocks))
                done, _ = await asyncio.wait({nxt, *watch}, return_when=asyncio.FIRST_COMPLETED)
                if nxt not in done:
                    nxt.cancel()
                    return "stopped"
                try:
                    block = nxt.result()
                except StopAsyncIteration:
                    return "the PBX closed the connection"
                self._write(*self.translate(block, dt.datetime.now(dt.UTC)), blocks=1)
        except FeedRefused as exc:
            return f"refused: {exc}"
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            return f"connection lost: {exc or type(exc).__name__}"
        finally:
            if stopping is not None:
                stopping.cancel()
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _ticks(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            events, records = self.tick(dt.datetime.now(dt.UTC))
            if events or records:
                self._write(events, records)

    def _write(self, events: list[LiveEvent], records: list[Call], *, blocks: int = 0) -> None:
        if not events and not records and not blocks:
            return
        with self.engine.begin() as conn:
            written = insert_calls(conn, records) if records else None
            last_id = append_events(conn, events)
            p = self.position
            self.position = replace(p, lines=p.lines + blocks, events=p.events + len(events),
                                    calls=p.calls + (written.inserted if written else 0), status="following")
            save_feed_position(conn, self.position)
        if self.bus is not None and last_id:
            self.bus.publish(last_id)

    def _save(self, *, status: str, problem: str | None) -> None:
        self.position = replace(self.position, status=status, last_problem=problem or self.position.last_problem)
        try:
            with self.engine.begin() as conn:
                save_feed_position(conn, self.position)
        except sa.exc.SQLAlchemyError:
            pass  # the status is advisory; the next write records it
