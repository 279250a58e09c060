"""The durable live event log and the positions of the PBX feed followers.

Every live source appends its events here (in the caller's transaction) before anything acts on
them; the wallboard, the supervisor view and the agent state intervals are rebuilt from the log on
restart. A feed follower stores its position (byte offset, the file's fingerprint, counters) in the
same transaction as the events and records it wrote, so a crash loses and repeats nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.live.events import LiveEvent, LiveEventKind
from callops.store.schema import live_events, live_feeds
from callops.store.types import to_millis

__all__ = ["FeedPosition", "LogCursor", "append_events", "events_after", "events_since", "last_event_id",
           "feed_position", "save_feed_position", "list_feeds", "set_feed_status", "latest_agent_states"]

_MAX_READ = 50_000


def _row(event: LiveEvent, appended_ms: int) -> dict[str, Any]:
    return {"kind": event.kind.value, "at": to_millis(event.at), "source": event.source[:200],
            "call_id": event.call_id, "queue": event.queue, "agent": event.agent, "caller": event.caller,
            "state": event.state, "reason": event.reason, "data": dict(event.data), "appended_at": appended_ms}


def append_events(conn: sa.Connection, events: Sequence[LiveEvent], *, now: dt.datetime | None = None) -> int:
    """Append ``events`` in order (in the caller's transaction); the id of the last one, 0 when none."""
    if not events:
        return 0
    appended = to_millis(now or dt.datetime.now(dt.UTC))
    rows = [_row(e, appended) for e in events]
    if len(rows) > 1:
        conn.execute(live_events.insert(), rows[:-1])
    result = conn.execute(live_events.insert().values(**rows[-1]))
    key = result.inserted_primary_key
    return int(key[0]) if key is not None else 0


def _event(row: sa.Row[Any]) -> tuple[int, LiveEvent]:
    m = row._mapping
    at: dt.datetime = m["at"]
    return int(m["id"]), LiveEvent(
        kind=LiveEventKind(m["kind"]), at=at, source=m["source"], call_id=m["call_id"], queue=m["queue"],
        agent=m["agent"], caller=m["caller"], state=m["state"], reason=m["reason"],
        data={str(k): str(v) for k, v in (m["data"] or {}).items()})


def events_after(conn: sa.Connection, after_id: int, *, limit: int = 10_000) -> list[tuple[int, LiveEvent]]:
    """The events appended after id ``after_id``, oldest first, at most ``limit`` (bounded)."""
    query = (sa.select(live_events).where(live_events.c.id > after_id).order_by(live_events.c.id)
             .limit(min(limit, _MAX_READ)))
    return [_event(r) for r in conn.execute(query)]


class LogCursor:
    """Reads the log in id order without stepping over an append that is still committing.

    PostgreSQL hands out ids at insert, so with several writers id 101 can commit before id 100; a reader that
    took 101 and moved on would never see 100. The cursor stops before a gap in the ids and waits for it to
    fill; a gap still open after ``gap_wait_s`` is an append that rolled back (its id is never used) and is
    stepped over. SQLite writes one transaction at a time, so its gaps close at once.
    """

    def __init__(self, after_id: int, *, gap_wait_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.last_id = after_id
        self.gap_wait_s = gap_wait_s
        self.clock = clock
        self._gap: tuple[int, float] | None = None  # the missing id and when it was first missed
        self.gaps_skipped = 0

    def read(self, conn: sa.Connection, *, limit: int = 10_000) -> list[tuple[int, LiveEvent]]:
        """The next events in id order, up to the first gap that is not yet old enough to step over."""
        out: list[tuple[int, LiveEvent]] = []
        for event_id, event in events_after(conn, self.last_id, limit=limit):
            expected = self.last_id + 1
            if event_id != expected:
                now = self.clock()
                if self._gap is None or self._gap[0] != expected:
                    self._gap = (expected, now)
                if now - self._gap[1] < self.gap_wait_s:
                    break
                self.gaps_skipped += 1
            self._gap = None
            out.append((event_id, event))
            self.last_id = event_id
        return out


def events_since(conn: sa.Connection, start: dt.datetime, *, after_id: int = 0,
                 limit: int = _MAX_READ) -> list[tuple[int, LiveEvent]]:
    """Events that happened at or after ``start`` (and were appended after ``after_id``), in log order."""
    query = (sa.select(live_events).where(live_events.c.at >= start, live_events.c.id > after_id)
             .order_by(live_events.c.id).limit(min(limit, _MAX_READ)))
    return [_event(r) for r in conn.execute(query)]


def last_event_id(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(live_events.c.id), 0))).scalar_one())


def latest_agent_states(conn: sa.Connection, agents: Iterable[str]) -> dict[str, LiveEvent]:
    """The last AGENT_STATE event of each of ``agents`` (absent: never seen in the log)."""
    out: dict[str, LiveEvent] = {}
    for agent in agents:
        row = conn.execute(sa.select(live_events).where(
            live_events.c.agent == agent, live_events.c.kind == LiveEventKind.AGENT_STATE.value)
            .order_by(live_events.c.id.desc()).limit(1)).first()
        if row is not None:
            out[agent] = _event(row)[1]
    return out


@dataclass(frozen=True, slots=True)
class FeedPosition:
    feed: str
    fingerprint: str
    offset: int
    lines: int
    calls: int = 0
    intervals: int = 0
    events: int = 0
    skipped: int = 0
    rejected: int = 0
    last_problem: str | None = None
    status: str = "following"
    updated_at: dt.datetime | None = None


def feed_position(conn: sa.Connection, feed: str) -> FeedPosition | None:
    row = conn.execute(sa.select(live_feeds).where(live_feeds.c.feed == feed)).first()
    if row is None:
        return None
    m = row._mapping
    return FeedPosition(**{k: m[k] for k in FeedPosition.__slots__})


def save_feed_position(conn: sa.Connection, position: FeedPosition, *, now: dt.datetime | None = None) -> None:
    """Insert or replace the feed's position (in the caller's transaction, beside what it wrote)."""
    values = {k: getattr(position, k) for k in FeedPosition.__slots__ if k != "updated_at"}
    values["updated_at"] = now or dt.datetime.now(dt.UTC)
    done = conn.execute(live_feeds.update().where(live_feeds.c.feed == position.feed).values(**values))
    if done.rowcount == 0:
        conn.execute(live_feeds.insert().values(**values))


def set_feed_status(conn: sa.Connection, feed: str, status: str, problem: str | None = None) -> None:
    conn.execute(live_feeds.update().where(live_feeds.c.feed == feed).values(
        status=status, last_problem=problem, updated_at=dt.datetime.now(dt.UTC)))


def list_feeds(conn: sa.Connection) -> list[FeedPosition]:
    rows = conn.execute(sa.select(live_feeds).order_by(live_feeds.c.feed))
    return [FeedPosition(**{k: r._mapping[k] for k in FeedPosition.__slots__}) for r in rows]
