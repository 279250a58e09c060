"""The web process's view of the live floor: the wallboard projection kept current from the event log.

One ``LiveFloor`` per app, started on the first live request: it rebuilds the ``Floor`` from the log
(the events of yesterday and today in the site's zone), then a thread waits on the fan-out bus (in-process,
or Redis when ``CALLOPS_REDIS_URL`` is set) with a short timeout and reads what was appended since. So a
page sees an event within the poll interval even with no bus message (another process on SQLite), and
at once when the writer published. ``version`` grows with each change; the SSE stream watches it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import zoneinfo
from typing import Any

import sqlalchemy as sa
from fastapi import Request

from callops.feeds.bus import EventBus, bus_for
from callops.live.wallboard import Floor, FloorSnapshot, Thresholds
from callops.store.live_events import LogCursor, events_since, last_event_id
from callops.store.schema import queues
from callops.web.state import web_state

__all__ = ["LiveFloor", "live_floor", "save_thresholds", "THRESHOLDS_KEY", "POLL_S"]

_log = logging.getLogger(__name__)
THRESHOLDS_KEY = "live.thresholds"
POLL_S = 0.25


class LiveFloor:
    def __init__(self, engine: sa.Engine, tz: zoneinfo.ZoneInfo, bus: EventBus) -> None:
        self.engine = engine
        self.tz = tz
        self.bus = bus
        self.floor = Floor(tz)
        self.thresholds = Thresholds()
        self.last_id = 0
        self.cursor = LogCursor(0)  # reads in id order, never over an append still committing
        self.version = 0
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.changed = threading.Condition()

    def start(self, now: dt.datetime, conn: sa.Connection) -> None:
        """Rebuild from the log on ``conn`` (the caller's: a request holds one connection), then follow it."""
        self.floor.sl_thresholds_s = {r.name: int(r.sl_threshold_s) for r in conn.execute(
            sa.select(queues.c.name, queues.c.sl_threshold_s))}
        local = now.astimezone(self.tz)
        start = dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(), self.tz)
        top = last_event_id(conn)
        after = 0
        while True:
            batch = events_since(conn, start, after_id=after)
            if not batch:
                break
            self.floor.apply_all(e for i, e in batch if i <= top)
            after = batch[-1][0]
            if after >= top:
                break
        self.last_id = top
        self.cursor = LogCursor(top)
        self.version = 1
        self._thread = threading.Thread(target=self._follow, name="callops-live-floor", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._stop.is_set():
            self.bus.wait(self.last_id, POLL_S)
            try:
                self.catch_up()
            except sa.exc.SQLAlchemyError as exc:  # the database is away for a moment: try again
                _log.warning("live floor: cannot read the event log: %s", exc)
                self._stop.wait(1.0)

    def catch_up(self) -> int:
        """Apply what was appended since the last read; how many events."""
        with self.engine.connect() as conn:
            batch = self.cursor.read(conn)
        if not batch:
            return 0
        with self.lock:
            self.floor.apply_all(e for _i, e in batch)
            self.last_id = batch[-1][0]
            self.version += 1
        with self.changed:
            self.changed.notify_all()
        return len(batch)

    def snapshot(self, now: dt.datetime) -> FloorSnapshot:
        with self.lock:
            return self.thresholds.evaluate(self.floor.snapshot(now))

    def set_thresholds(self, values: dict[str, Any]) -> None:
        with self.lock:
            for name in ("sl_target", "sl_minutes", "longest_wait_s", "away_minutes", "call_minutes", "streak_calls",
                         "streak_minutes"):
                if name in values:
                    setattr(self.thresholds, name, float(values[name]))

    def stop(self) -> None:
        self._stop.set()
        self.bus.close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)


_create = threading.Lock()


def live_floor(request: Request, conn: sa.Connection) -> LiveFloor:
    """The app's live floor, started on first use (reading the log on ``conn``)."""
    app = request.app
    found = getattr(app.state, "live_floor", None)
    if isinstance(found, LiveFloor):
        return found
    with _create:
        found = getattr(app.state, "live_floor", None)
        if isinstance(found, LiveFloor):
            return found
        state = web_state(request)
        bus = bus_for(state.settings.redis_url, state.settings.database_url)
        floor = LiveFloor(state.engine, zoneinfo.ZoneInfo(state.settings.site_tz), bus)
        from callops.store.qa_library import get_setting

        saved = get_setting(conn, THRESHOLDS_KEY, {})
        floor.set_thresholds(saved if isinstance(saved, dict) else {})
        floor.start(state.clock(), conn)
        app.state.live_floor = floor
        return floor


def save_thresholds(conn: sa.Connection, values: dict[str, Any]) -> None:
    """Store the board's thresholds (read back when a process starts its board); the caller commits."""
    from callops.store.qa_library import set_setting

    set_setting(conn, THRESHOLDS_KEY, values)
