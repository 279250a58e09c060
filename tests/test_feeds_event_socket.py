"""The FreeSWITCH Event Socket feed against a test server speaking inbound ESL (auth/request, auth, event plain
CUSTOM callcenter::info, text/event-plain with Content-Length and URL-encoded values) replaying recorded
mod_callcenter events: the records equal the CDR import's, so importing the CDR afterwards adds nothing."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import sqlalchemy as sa

from callops.feeds.event_socket import CallcenterFeed
from callops.ingest import import_files
from callops.store.live_events import feed_position
from callops.store.schema import calls, live_events

T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "esl"
PASSWORD = "ClueCon"


def _events() -> list[bytes]:
    out = []
    for block in (FIXTURES / "callcenter_events.txt").read_text().split("\n\n"):
        if not block.strip():
            continue
        body = "".join(f"{k}: {quote(v.strip(), safe='')}\n" for k, _, v in
                       (line.partition(":") for line in block.strip().splitlines())) + "\n"
        raw = body.encode()
        out.append(f"Content-Length: {len(raw)}\nContent-Type: text/event-plain\n\n".encode() + raw)
    return out


def _asyncio_run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: the session's Playwright keeps an event loop in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=60)


class EslServer:
    def __init__(self) -> None:
        self.commands: list[str] = []
        self.done = asyncio.Event()

    async def _command(self, reader: asyncio.StreamReader) -> str:
        lines: list[str] = []
        while True:
            line = (await reader.readline()).decode().rstrip("\n")
            if not line:
                if lines:
                    return " ".join(lines)
                continue
            lines.append(line)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Content-Type: auth/request\n\n")
        auth = await self._command(reader)
        self.commands.append(auth)
        if auth != f"auth {PASSWORD}":
            writer.write(b"Content-Type: command/reply\nReply-Text: -ERR invalid\n\n")
            writer.write(b"Content-Type: text/disconnect-notice\nContent-Length: 0\n\n")
            await writer.drain()
            writer.close()
            return
        writer.write(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
        sub = await self._command(reader)
        self.commands.append(sub)
        writer.write(b"Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n")
        for message in _events():
            writer.write(message)
            await writer.drain()
        await self.done.wait()
        writer.close()
        await writer.wait_closed()


async def _run(engine: sa.Engine, server: EslServer, password: str) -> CallcenterFeed:
    srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    feed = CallcenterFeed(engine, "127.0.0.1", srv.sockets[0].getsockname()[1], password=password,
                          backoff_min_s=0.05, backoff_max_s=0.2)
    task = asyncio.create_task(feed.run())
    for _ in range(200):
        if feed.position.calls >= 3 or feed.reconnects >= 2:
            break
        await asyncio.sleep(0.05)
    feed.stop.set()
    await asyncio.wait_for(task, 5)
    server.done.set()
    srv.close()
    await srv.wait_closed()
    await asyncio.sleep(0.05)
    return feed


def test_event_socket_replay_matches_the_cdr_import(engine: sa.Engine) -> None:
    server = EslServer()
    feed = _asyncio_run(_run(engine, server, PASSWORD))
    assert server.commands == ["auth ClueCon", "event plain CUSTOM callcenter::info"]
    with engine.connect() as conn:
        rows = {r.source_call_id: (r.outcome, r.agent, r.wait_s, r.talk_s) for r in conn.execute(sa.select(calls))}
        states = [(r.agent, r.state) for r in conn.execute(
            sa.select(live_events).where(live_events.c.kind == "agent_state").order_by(live_events.c.id))]
        kinds = [r.kind for r in conn.execute(sa.select(live_events.c.kind).order_by(live_events.c.id))]
    assert rows == {"7f3a1c2e-0001": ("answered", "1001@default", 6.0, 120.0),
                    "7f3a1c2e-0002": ("abandoned", None, 30.0, 0.0),
                    "7f3a1c2e-0003": ("timeout", None, 60.0, 0.0)}
    assert states == [("1001@default", "ready"), ("1001@default", "break")]
    assert kinds.count("call_offered") == 3 and kinds.count("call_ended") == 1 and feed.calls.skipped == 1
    report = import_files(engine, [FIXTURES / "callcenter_cdr.csv"], fmt="freeswitch-cc", tz="UTC")
    assert report.calls == 3 and report.inserted == 0 and report.duplicates == 3


def test_event_socket_wrong_password_is_reported(engine: sa.Engine) -> None:
    feed = _asyncio_run(_run(engine, EslServer(), "nope"))
    with engine.connect() as conn:
        pos = feed_position(conn, feed.feed)
    assert feed.sessions == 0 and pos is not None and "-ERR invalid" in (pos.last_problem or "")
