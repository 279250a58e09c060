"""The AMI feed against a test server speaking the AMI wire protocol (banner, Login action and response, event
blocks, CRLF) that replays recorded queue events over two connections: calls written, states, reconnect."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from callops.feeds.ami import AmiFeed
from callops.feeds.bus import LocalBus
from callops.store.live_events import feed_position
from callops.store.schema import calls, live_events

T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ami"
SECRET = "s3cret"


def _blocks(name: str) -> list[str]:
    text = (FIXTURES / name).read_text()
    return [b.strip("\n").replace("\n", "\r\n") + "\r\n\r\n" for b in text.split("\n\n") if b.strip()]


def _asyncio_run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: the session's Playwright keeps an event loop in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=60)


class AmiServer:
    """Greets, checks the Login action, then replays one recorded sequence per connection."""

    def __init__(self, sequences: list[list[str]], *, hold_last: bool = True) -> None:
        self.sequences = sequences
        self.connections = 0
        self.logins: list[dict[str, str]] = []
        self.hold_last = hold_last
        self.done = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = self.connections
        self.connections += 1
        writer.write(b"Asterisk Call Manager/5.0.2\r\n")
        action: dict[str, str] = {}
        while True:
            line = (await reader.readline()).decode().rstrip("\r\n")
            if not line:
                break
            key, _, value = line.partition(": ")
            action[key] = value
        self.logins.append(action)
        if action.get("Action") != "Login" or action.get("Secret") != SECRET:
            writer.write(f"Response: Error\r\nActionID: {action.get('ActionID', '')}\r\n"
                         f"Message: Authentication failed\r\n\r\n".encode())
            await writer.drain()
            writer.close()
            return
        writer.write(f"Response: Success\r\nActionID: {action['ActionID']}\r\n"
                     f"Message: Authentication accepted\r\n\r\n".encode())
        for block in self.sequences[min(index, len(self.sequences) - 1)] if index < len(self.sequences) else []:
            writer.write(block.encode())
            await writer.drain()
        if index >= len(self.sequences) - 1 and self.hold_last:
            await self.done.wait()  # the test ends the last connection
        writer.close()
        await writer.wait_closed()


async def _run(engine: sa.Engine, server: AmiServer, secret: str, until: object) -> AmiFeed:
    srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    feed = AmiFeed(engine, "127.0.0.1", port, username="callops", secret=secret, bus=LocalBus(),
                   backoff_min_s=0.05, backoff_max_s=0.2, tick_s=0.05)
    task = asyncio.create_task(feed.run())
    try:
        for _ in range(200):
            if until(feed):  # type: ignore[operator]
                break
            await asyncio.sleep(0.05)
    finally:
        feed.stop.set()
        await asyncio.wait_for(task, 5)
        server.done.set()
        srv.close()
        await srv.wait_closed()
        await asyncio.sleep(0.05)
    return feed


def _calls(engine: sa.Engine) -> dict[str, tuple[str, str | None, float]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(calls.c.source_call_id, calls.c.outcome, calls.c.agent, calls.c.wait_s)).all()
    return {r.source_call_id: (r.outcome, r.agent, r.wait_s) for r in rows}


def test_ami_replay_writes_calls_and_reconnects(engine: sa.Engine) -> None:
    server = AmiServer([_blocks("queue_events.txt"), _blocks("queue_events_2.txt")])
    feed = _asyncio_run(_run(engine, server, SECRET, lambda f: len(_calls(engine)) >= 3))
    assert server.connections >= 2 and feed.reconnects >= 1  # the first connection closed: it came back
    assert server.logins[0]["Username"] == "callops" and server.logins[0]["Events"] == "on"
    assert _calls(engine) == {"1764720100.1@support": ("answered", "Alice", 8.0),
                              "1764720200.3@support": ("abandoned", None, 30.0),
                              "1764720300.5@support": ("timeout", None, 60.0)}
    with engine.connect() as conn:
        kinds = [r.kind for r in conn.execute(sa.select(live_events.c.kind).order_by(live_events.c.id))]
        bob = conn.execute(sa.select(live_events.c.state, live_events.c.reason).where(
            live_events.c.agent == "Bob").order_by(live_events.c.id)).all()
        pos = feed_position(conn, feed.feed)
    assert kinds.count("call_offered") == 3 and "call_answered" in kinds and "call_timeout" in kinds
    assert [tuple(b) for b in bob] == [("away", "Lunch"), ("ready", None)]
    assert pos is not None and pos.status == "stopped" and pos.calls == 3


def test_ami_refused_login_is_reported_and_retried(engine: sa.Engine) -> None:
    server = AmiServer([[]], hold_last=False)
    feed = _asyncio_run(_run(engine, server, "wrong", lambda f: f.reconnects >= 2))
    with engine.connect() as conn:
        pos = feed_position(conn, feed.feed)
    assert feed.sessions == 0 and server.connections >= 2
    assert pos is not None and "Authentication failed" in (pos.last_problem or "")
