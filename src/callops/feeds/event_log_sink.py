"""An ``EventSink`` that appends each live event to the event log and tells the fan-out bus.

The practice floor (``callops live practice``) hands its events here, so the wallboard and the supervisor
view show a simulated floor exactly as they show a PBX feed. Each event is appended in its own short
transaction: the driver sleeps between events, so nothing waits long for the write lock.
"""

from __future__ import annotations

import sqlalchemy as sa

from callops.feeds.bus import EventBus
from callops.live.events import LiveEvent
from callops.store.live_events import append_events

__all__ = ["EventLogSink"]


class EventLogSink:
    def __init__(self, engine: sa.Engine, bus: EventBus) -> None:
        self._engine = engine
        self._bus = bus
        self.appended = 0

    def __call__(self, event: LiveEvent) -> None:
        with self._engine.begin() as conn:
            last_id = append_events(conn, [event])
        self.appended += 1
        self._bus.publish(last_id)
