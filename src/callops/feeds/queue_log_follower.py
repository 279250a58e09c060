"""Following a growing Asterisk ``queue_log``: live events as lines arrive, each finished call written once.

What is written is exactly what ``callops import --format asterisk-queue-log`` of the same file
writes (the follower runs the importer's own parser, ``callops.ingest.asterisk_queue_log.parse``,
over the same lines), so importing the finished file afterwards adds nothing.

Durability. The follower commits in one transaction the calls and agent intervals finished by the
lines read since the last commit, their live events and its position (byte offset after the last
complete line, line count, the file's fingerprint). Killed at any moment, it has committed all or
nothing of a batch. The importer's parser has no incremental entry point (it is a generator over the
lines of one file and keeps the calls in progress in memory), so on a restart the follower rebuilds
that memory by running the parser over the file's lines before the stored offset, discarding what
they produce (it was committed), and writes only what the lines after the offset finish. The
natural keys (source + call id, source + agent + state + start) guard the rest: a record already
stored is never written twice.

The file. Only complete lines (ending in a newline) are read: a torn last line (the PBX still
writing) is waited for. When the path names another file (rotation) the old file is read to its end
(a last line without a newline counts, as the importer would read it) and the new file is followed
from its start with a fresh parser; when the file shrinks (copytruncate) it is followed from its start.
A file is recognised by a hash of its first line: a restart finding another file at the path starts
at 0. Lines the parser rejects and unknown events are counted on the feed's row (``live_feeds``),
reported to ``on_problem`` and never stop the follower.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from callops.feeds.bus import EventBus
from callops.ingest.asterisk_queue_log import SOURCE, parse
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.live.events import LiveEvent
from callops.live.queue_log_events import QueueLogEvents
from callops.records import AgentInterval, Call
from callops.store.live_events import FeedPosition, append_events, feed_position, save_feed_position
from callops.store.records import insert_calls, insert_intervals

__all__ = ["QueueLogFollower", "feed_name"]

_CHUNK = 1 << 16


def feed_name(path: Path) -> str:
    return f"{SOURCE}:{path.resolve()}"


def _fingerprint(first_line: bytes) -> str:
    return hashlib.sha256(first_line).hexdigest()


@dataclass(slots=True)
class _Batch:
    calls: list[Call]
    intervals: list[AgentInterval]
    events: list[LiveEvent]

    def __len__(self) -> int:
        return len(self.calls) + len(self.intervals) + len(self.events)


class _Rotated(Exception):
    pass


class QueueLogFollower:
    """Follow ``path`` until ``stop`` is set (or, with ``idle_exit_s``, until nothing arrived for that long)."""

    def __init__(self, engine: sa.Engine, path: Path, *, tz: zoneinfo.ZoneInfo, bus: EventBus | None = None,
                 poll_s: float = 0.2, batch_lines: int = 2000, stop: threading.Event | None = None,
                 idle_exit_s: float | None = None, on_problem: Callable[[str], None] | None = None) -> None:
        self.engine = engine
        self.path = path
        self.tz = tz
        self.bus = bus
        self.poll_s = poll_s
        self.batch_lines = batch_lines
        self.stop = stop or threading.Event()
        self.idle_exit_s = idle_exit_s
        self.on_problem = on_problem or (lambda _message: None)
        self.feed = feed_name(path)
        self.event_source = f"asterisk:{path.resolve()}"
        self.position: FeedPosition | None = None

    # --- the loop over files ---------------------------------------------------------------------
    def run(self) -> FeedPosition | None:
        """Follow until stopped; the last position committed."""
        while not self.stop.is_set():
            opened = self._open()
            if opened is None:
                break
            handle, first = opened
            with handle:
                self._follow(handle, first)
        if self.position is not None:
            with self.engine.begin() as conn:
                self.position = replace(self.position, status="stopped")
                save_feed_position(conn, self.position)
        return self.position

    def _open(self) -> tuple[BinaryIO, bytes] | None:
        """The file, once it exists and has a complete first line; None when stopped meanwhile."""
        idle = 0.0
        while not self.stop.is_set():
            try:
                handle = self.path.open("rb")
            except FileNotFoundError:
                handle = None
            if handle is not None:
                first = handle.readline()
                if first.endswith(b"\n"):
                    handle.seek(0)
                    return handle, first
                handle.close()
            if self.idle_exit_s is not None and idle >= self.idle_exit_s:
                self.stop.set()
                break
            self.stop.wait(self.poll_s)
            idle += self.poll_s
        return None

    # --- one file ----------------------------------------------------------------------------------
    def _follow(self, handle: BinaryIO, first_line: bytes) -> None:
        fingerprint = _fingerprint(first_line)
        with self.engine.connect() as conn:
            stored = feed_position(conn, self.feed)
        size = os.fstat(handle.fileno()).st_size
        if stored is not None and stored.fingerprint == fingerprint and stored.offset <= size:
            position = replace(stored, status="following")
        else:
            position = FeedPosition(self.feed, fingerprint, offset=0, lines=0)
        self.position = position
        committed = position.offset  # lines ending at or before this byte were written
        batch = _Batch([], [], [])
        mapper = QueueLogEvents(self.event_source)
        end = 0  # bytes of the lines handed to the parser so far
        number = 0
        pending_lines = 0
        skipped = rejected = 0
        problem: str | None = None

        def flush() -> None:
            nonlocal committed, pending_lines, skipped, rejected, problem
            if end <= committed and not len(batch):
                return
            with self.engine.begin() as conn:
                calls = insert_calls(conn, batch.calls)
                intervals = insert_intervals(conn, batch.intervals)
                last_id = append_events(conn, batch.events)
                p = self.position or position
                self.position = replace(
                    p, offset=end, lines=number, calls=p.calls + calls.inserted,
                    intervals=p.intervals + intervals.inserted, events=p.events + len(batch.events),
                    skipped=p.skipped + skipped, rejected=p.rejected + rejected,
                    last_problem=problem or p.last_problem, status="following")
                save_feed_position(conn, self.position)
            committed, pending_lines, skipped, rejected, problem = end, 0, 0, 0, None
            batch.calls.clear()
            batch.intervals.clear()
            batch.events.clear()
            if self.bus is not None and last_id:
                self.bus.publish(last_id)

        def lines() -> Iterator[tuple[int, str]]:
            nonlocal end, number, pending_lines
            buffer = b""
            idle = 0.0
            while True:
                cut = buffer.find(b"\n")
                if cut >= 0:
                    raw, buffer = buffer[:cut + 1], buffer[cut + 1:]
                else:
                    if end > committed:
                        flush()
                    chunk = handle.read(_CHUNK)
                    if chunk:
                        buffer += chunk
                        idle = 0.0
                        continue
                    change = self._changed(handle, first_line, end + len(buffer))
                    if change == "truncated":
                        return  # what was left unread is gone with the old content
                    if change == "rotated":
                        if not buffer:
                            return
                        raw, buffer = buffer, b""  # the old file's last line, as an import reads it
                    else:
                        if self.stop.is_set():
                            return
                        if self.idle_exit_s is not None and idle >= self.idle_exit_s:
                            self.stop.set()
                            return
                        self.stop.wait(self.poll_s)
                        idle += self.poll_s
                        continue
                end += len(raw)
                number += 1
                text = raw.decode("utf-8", errors="replace")
                if number == 1:
                    text = text.removeprefix("\ufeff")
                text = text.rstrip("\r\n")
                events = mapper.line(text)
                if end > committed:
                    batch.events.extend(events)
                    pending_lines += 1
                yield number, text
                if pending_lines >= self.batch_lines:
                    flush()

        ctx = ParseContext(file=str(self.path), tz=self.tz)
        for item in parse(lines(), ctx):
            if end <= committed or self.stop.is_set() and isinstance(item, Notice):
                continue  # rebuilding what was committed, or the end-of-file notices of a stop
            if isinstance(item, Call):
                batch.calls.append(item)
            elif isinstance(item, AgentInterval):
                batch.intervals.append(item)
            elif isinstance(item, Skip):
                skipped += 1
                problem = f"line {item.line}: {item.reason}"
                self.on_problem(problem)
            elif isinstance(item, Rejection):
                rejected += 1
                problem = f"line {item.line}, field {item.field}: {item.reason}"
                self.on_problem(problem)
            elif isinstance(item, Notice) and item.line is not None:
                self.on_problem(f"line {item.line}: {item.message}")
        flush()

    def _changed(self, handle: BinaryIO, first_line: bytes, read_to: int) -> str | None:
        """"rotated" when the path names another file now, "truncated" when this file was cut (it
        shrank below what was read, or its first line is another), None when it only may grow."""
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return None  # moved away, the new one not yet created: keep reading the old
        mine = os.fstat(handle.fileno())
        if (now.st_dev, now.st_ino) != (mine.st_dev, mine.st_ino):
            return "rotated"
        if mine.st_size < read_to or os.pread(handle.fileno(), len(first_line), 0) != first_line:
            return "truncated"
        return None
