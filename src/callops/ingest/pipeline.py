"""Running an import: read and check every file first, then write in one short transaction, then report.

All-or-nothing: without ``skip_invalid`` the first bad line aborts the import before anything is
written; the error names the file, the line and the field. With it, good lines land and each bad one
goes to the rejects file with its reason. Re-running an import adds nothing: records already stored
are counted as ``duplicates``; a record repeated within the files of one import is counted as
``merged`` (one copy kept) with the reason.

The files are parsed and validated with no database lock held; the records then go in through one
transaction of batched inserts, which holds SQLite's write lock for the insert alone (seconds for a
million rows, not the whole parse). A second import of the same files at the same time waits for the
lock and finds everything stored; if it cannot get the lock it stops with one clear line.

``anonymous-bank`` and ``asterisk-queue-log`` files are read as columns (``columnar.py`` and each format's
``parse_columns``), which yield stored rows; other formats, and files the columnar reader declines (a
byte outside the encoding, a very long line, a huge file), are read line by line into records, made
rows here. Either way the same rows, counts, notices and rejections come out.

Lines that make no record are counted as ``skipped``, grouped by reason in the summary. Records dated
outside the accepted window (default 1990-01-01 to a day from now; options ``not_before`` /
``not_after``) are refused like any bad line, naming the line that completed them. A file with nothing
to import gives a notice, and an empty file (no lines, or only blank ones) is refused like a bad line in every
format; an import with nothing at all to write writes no import record.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import itertools
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from callops.cell_text import safe_row
from callops.errors import Conflict, InvalidInput
from callops.ingest.columnar import Lines, read_lines
from callops.ingest.formats import COLUMNAR_MAX_BYTES, columnar_parser_for, parser_for
from callops.ingest.items import Item, Notice, ParseContext, Parser, Rejection, Rows, Skip, Skips
from callops.ingest.textfile import decoded_lines, reading
from callops.records import AgentInterval, Call
from callops.store.imports import finish_import, lock_for_writing, start_import
from callops.store.record_batches import (
    CALL_FIELDS,
    INTERVAL_FIELDS,
    call_key,
    call_span,
    changed_since,
    drop_stored,
    insert_prepared,
    interval_key,
    interval_span,
    prepare_aggregates,
    prepare_calls,
    prepare_intervals,
    row_of_call,
    row_of_interval,
    write_marker,
)

__all__ = ["ImportReport", "ImportProgress", "ProgressCallback", "import_files", "DEFAULT_NOT_BEFORE"]

DEFAULT_NOT_BEFORE = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
_EMPTY = "empty file (no lines, or only blank ones): nothing to import; is it the right file?"
_FUTURE_SLACK = dt.timedelta(days=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CALL_START, _CALL_END = itemgetter(CALL_FIELDS.index("started_at")), itemgetter(CALL_FIELDS.index("ended_at"))
_INTERVAL_START, _INTERVAL_END = (itemgetter(INTERVAL_FIELDS.index(n)) for n in ("start_at", "end_at"))


@dataclass(slots=True)
class ImportReport:
    inserted: int = 0
    duplicates: int = 0  # already stored before this import
    merged: int = 0  # repeated within this import's files: one copy kept
    rejected: int = 0
    skipped: int = 0
    calls: int = 0
    agent_intervals: int = 0
    notices: list[str] = field(default_factory=list)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    merge_reasons: dict[str, int] = field(default_factory=dict)
    rejects_file: str | None = None
    dry_run: bool = False
    written: bool = False  # an import record was written (nothing is written when there is nothing to import)
    write_s: float = 0.0  # seconds the write transaction (and so SQLite's write lock) was held

    def as_dict(self) -> dict[str, Any]:
        return {"inserted": self.inserted, "duplicates": self.duplicates, "merged": self.merged,
                "rejected": self.rejected, "skipped": self.skipped, "calls": self.calls,
                "agent_intervals": self.agent_intervals, "notices": self.notices,
                "skip_reasons": self.skip_reasons, "merge_reasons": self.merge_reasons,
                "rejects_file": self.rejects_file, "dry_run": self.dry_run}


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far an import is: ``phase`` "reading" (``done_bytes`` of ``total_bytes`` of the files on disk read,
    compressed bytes for a gzip; ``file``: the one being read) then "writing" (``written`` of ``to_write`` rows
    in the one transaction), with the records collected so far and the characters of text read line by line
    (what a gzip expanded to: a caller can stop an import that grows too large). "writing" with ``written``
    0 comes before the write lock is taken; the later ones come while it is held, so a listener must not
    write to the same SQLite database then (it would wait for the import's own lock)."""

    phase: str
    done_bytes: int
    total_bytes: int
    records: int
    text_chars: int = 0
    file: str = ""
    written: int = 0
    to_write: int = 0


ProgressCallback = Callable[[ImportProgress], None]
PROGRESS_EVERY_LINES = 5000  # how often reading line by line reports progress: every so many lines
PROGRESS_EVERY_CHARS = 16 << 20  # ... or so much text, whichever comes first


class _Tracker:
    """Turns what an import has done into ``ImportProgress`` for ``progress`` (nothing when it is None)."""

    def __init__(self, progress: ProgressCallback | None, paths: Sequence[Path], report: ImportReport) -> None:
        self.progress = progress
        self.report = report
        self.total_bytes = sum(_size(Path(p)) for p in paths) if progress is not None else 0
        self.done_bytes = 0  # the bytes of the files finished
        self.text_chars = 0
        self.file = ""

    def reading(self, position: int) -> None:
        """Reading the current file, ``position`` bytes into it."""
        if self.progress is not None:
            self.progress(ImportProgress("reading", self.done_bytes + position, self.total_bytes, self._records(),
                                         self.text_chars, self.file))

    def file_done(self, path: Path) -> None:
        self.done_bytes += _size(path)
        self.reading(0)

    def writing(self, written: int, to_write: int) -> None:
        if self.progress is not None:
            self.progress(ImportProgress("writing", self.total_bytes, self.total_bytes, self._records(),
                                         self.text_chars, "", written, to_write))

    def _records(self) -> int:
        return self.report.calls + self.report.agent_intervals


class _Collected:
    """The records of one import as stored rows, keyed as the store keys them, with repeats merged."""

    def __init__(self, report: ImportReport, not_before: dt.datetime, not_after: dt.datetime) -> None:
        self.report = report
        self.calls: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.intervals: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.first_ms: int | None = None
        self.last_ms: int | None = None
        self.not_before, self.not_after = not_before, not_after
        self.window_ms = (_millis(not_before), _millis(not_after))

    def outside(self, file: str, line: int, row: tuple[Any, ...], *, call: bool) -> Rejection | None:
        """The rejection of a row dated outside the accepted window (None when inside), naming ``line``."""
        start, end = call_span(row) if call else interval_span(row)
        if self.window_ms[0] <= start and end <= self.window_ms[1]:
            return None
        what = row[1] if call else f"{row[2]} {row[3]}"
        return Rejection(file, line, "time", f"{what}: {_at_ms(start):%Y-%m-%d %H:%M} is outside the accepted window "
                                             f"{self.not_before:%Y-%m-%d} to {self.not_after:%Y-%m-%d} (a clock or "
                                             "zone fault?)")

    def add_call(self, row: tuple[Any, ...]) -> None:
        self._span(*call_span(row))
        key = call_key(row)
        seen = self.calls.get(key)
        if seen is None:
            self.calls[key] = row
            self.report.calls += 1
        else:
            self._merged("call id repeated with identical content" if seen == row
                         else "call id repeated with different content: the first kept")

    def add_interval(self, row: tuple[Any, ...]) -> None:
        self._span(*interval_span(row))
        key = interval_key(row)
        seen = self.intervals.get(key)
        if seen is None:
            self.intervals[key] = row
            self.report.agent_intervals += 1
        else:
            self._merged("agent interval repeated with identical content" if seen == row
                         else "agent interval with the same agent, state and start: the first kept")

    def add_rows(self, file: str, rows: list[tuple[Any, ...]], lines: list[int], bad: list[Rejection], *,
                 call: bool) -> None:
        """Call (or interval) rows with the lines that completed them, as ``outside`` and ``add_call`` (or
        ``add_interval``) take them one by one, rejections appended to ``bad``; taken in bulk when every row has
        an end, lies inside the window and has a key neither stored here nor repeated among them (the usual
        case), with the same result."""
        if not rows:
            return
        start, end, key, kept = (_CALL_START, _CALL_END, call_key, self.calls) if call else \
            (_INTERVAL_START, _INTERVAL_END, interval_key, self.intervals)
        ends = list(map(end, rows))
        first, last = min(map(start, rows)), max(ends) if None not in ends else None
        keys = list(map(key, rows))
        if last is None or first < self.window_ms[0] or last > self.window_ms[1] or len(set(keys)) < len(keys) \
                or not kept.keys().isdisjoint(keys):
            add = self.add_call if call else self.add_interval
            for row, line in zip(rows, lines, strict=True):
                outside = self.outside(file, line, row, call=call)
                if outside is None:
                    add(row)
                else:
                    bad.append(outside)
            return
        kept.update(zip(keys, rows, strict=True))
        if call:
            self.report.calls += len(rows)
        else:
            self.report.agent_intervals += len(rows)
        self._span(first, last)

    def _merged(self, reason: str) -> None:
        self.report.merged += 1
        self.report.merge_reasons[reason] = self.report.merge_reasons.get(reason, 0) + 1

    def _span(self, start: int, end: int) -> None:
        if self.first_ms is None or start < self.first_ms:
            self.first_ms = start
        if self.last_ms is None or end > self.last_ms:
            self.last_ms = end


def _millis(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(milliseconds=1)


def _at_ms(ms: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(milliseconds=ms)


def _window(options: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    not_before = options.get("not_before") or DEFAULT_NOT_BEFORE
    not_after = options.get("not_after") or dt.datetime.now(dt.UTC) + _FUTURE_SLACK
    if not isinstance(not_before, dt.datetime) or not isinstance(not_after, dt.datetime):
        raise InvalidInput("the accepted time window needs two datetimes", field="not_before")
    if not_before >= not_after:
        raise InvalidInput(f"the accepted window is empty ({not_before:%Y-%m-%d} to {not_after:%Y-%m-%d})",
                           field="not_before")
    return not_before, not_after


def import_files(engine: sa.Engine, paths: Sequence[Path], *, fmt: str, tz: str,
                 skip_invalid: bool = False, dry_run: bool = False, rejects_path: Path | None = None,
                 options: Mapping[str, Any] | None = None, encoding: str = "utf-8", columnar: bool = True,
                 progress: ProgressCallback | None = None, names: Sequence[str] | None = None) -> ImportReport:
    """Import ``paths`` in format ``fmt`` as one transaction; see the module docstring.

    ``columnar=False`` reads every file line by line (the path the columnar one falls back to).
    ``progress`` is told how far reading and writing are (``ImportProgress``); an exception it raises stops
    the import with nothing written. ``names``: what messages call each file (default: its path), e.g. the
    name an uploaded file had on the user's computer."""
    parse = parser_for(fmt)
    parse_columns = columnar_parser_for(fmt) if columnar else None
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}", field="--tz") from exc
    options = options or {}
    not_before, not_after = _window(options)
    report = ImportReport(dry_run=dry_run)
    rejections: list[Rejection] = []
    collected = _Collected(report, not_before, not_after)
    skips: Counter[str] = Counter()
    tracker = _Tracker(progress, paths, report)
    if names is not None and len(names) != len(paths):
        raise InvalidInput(f"{len(names)} names for {len(paths)} files", field="names")

    def reject(item: Rejection) -> None:
        if not skip_invalid:
            raise InvalidInput(item.reason, file=item.file, line=item.line, field=item.field)
        rejections.append(item)
        report.rejected += 1

    def note(item: Notice) -> None:
        where = f"{item.file}, line {item.line}" if item.line else item.file
        report.notices.append(f"{where}: {item.message}")

    def skipped(reason: str, count: int = 1) -> None:
        report.skipped += count
        skips[reason] += count

    with _no_cycle_collection():
        for index, path in enumerate(paths):
            name = str(path) if names is None else names[index]
            tracker.file = name
            ctx = ParseContext(file=name, tz=zone, options=options, progress=_telling(tracker, path))
            before = (report.calls + report.agent_intervals + report.merged, report.rejected)
            table = (read_lines(path, encoding=encoding, max_bytes=COLUMNAR_MAX_BYTES[fmt])
                     if parse_columns is not None else None)
            if parse_columns is not None and table is not None:
                tracker.text_chars += sum(map(len, table.texts)) + len(table)  # as the line reader counts it
                tracker.reading(0)
                texts = _columnar_file(parse_columns(table, ctx), table, name, collected, reject, note, skipped)
            else:
                texts = _streamed_file(parse, path, ctx, encoding, collected, reject, note, skipped, tracker)
            del table  # the file's lines are not needed past its parse
            if texts is None:  # nothing but blank lines: refused the same way in every format
                if report.rejected == before[1]:
                    reject(Rejection(name, 1, None, _EMPTY))
            elif (report.calls + report.agent_intervals + report.merged, report.rejected) == before:
                report.notices.append(f"{name}: no calls or agent states in {texts} line(s)")
            tracker.file_done(path)
    report.skip_reasons = dict(skips.most_common())
    if collected.first_ms is not None and collected.last_ms is not None:
        report.notices.append(f"records span {_at_ms(collected.first_ms):%Y-%m-%d %H:%M} to "
                              f"{_at_ms(collected.last_ms):%Y-%m-%d %H:%M} UTC")
    if collected.calls or collected.intervals:
        with _no_cycle_collection():
            _store(engine, fmt, [str(p) for p in paths] if names is None else list(names), collected, report,
                   tracker)
    if rejections:
        target = rejects_path or Path(f"{Path(paths[0]).name}.rejects.csv")
        _write_rejects(target, rejections)
        report.rejects_file = str(target)
    return report


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: an import allocates millions of tuples that form no cycles, and each
    full collection walks everything alive (a file's lines, the rows so far): 19 s of a 59-s parse of a
    million-line queue_log on a loaded machine. Restored as it was afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it names the problem


def _telling(tracker: _Tracker, path: Path) -> Callable[[int, int], None]:
    """A columnar parser's (lines done, lines in the file) reports as bytes into the file."""
    size = _size(path)

    def told(done: int, total: int) -> None:
        tracker.reading(size * done // max(total, 1))
    return told


def _streamed_file(parse: Parser, path: Path, ctx: ParseContext, encoding: str, collected: _Collected,
                   reject: Callable[[Rejection], None], note: Callable[[Notice], None],
                   skipped: Callable[[str], None], tracker: _Tracker) -> int | None:
    """One file read line by line into ``collected``; how many lines were not blank (None: nothing but blank
    lines, so no parser saw it). Progress every few thousand lines, counting the text read."""
    name = ctx.file
    current = [0]
    lines_read = [0]

    def lines() -> Iterator[tuple[int, str]]:
        next_report = tracker.text_chars + PROGRESS_EVERY_CHARS
        with reading(path) as (raw, position):
            for entry in decoded_lines(raw, name, encoding=encoding):
                if isinstance(entry, Rejection):
                    reject(entry)
                    continue
                current[0] = entry[0]
                tracker.text_chars += len(entry[1]) + 1
                if entry[1].strip():
                    lines_read[0] += 1
                if entry[0] % PROGRESS_EVERY_LINES == 0 or tracker.text_chars >= next_report:
                    next_report = tracker.text_chars + PROGRESS_EVERY_CHARS
                    tracker.reading(position())
                yield entry

    stream = lines()
    head = _up_to_text(stream)
    if not head or not head[-1][1].strip():  # nothing but blank lines: no parser sees it
        return None
    for item in parse(itertools.chain(head, stream), ctx):
        if isinstance(item, Call):
            row = row_of_call(item)
            bad = collected.outside(name, current[0], row, call=True)
            if bad is None:
                collected.add_call(row)
            else:
                reject(bad)
        elif isinstance(item, AgentInterval):
            row = row_of_interval(item)
            bad = collected.outside(name, current[0], row, call=False)
            if bad is None:
                collected.add_interval(row)
            else:
                reject(bad)
        elif isinstance(item, Skip):
            skipped(item.reason)
        elif isinstance(item, Notice):
            note(item)
        else:
            reject(item)
    return lines_read[0]


def _columnar_file(items: Iterator[Item | Rows | Skips], table: Lines, name: str, collected: _Collected,
                   reject: Callable[[Rejection], None], note: Callable[[Notice], None],
                   skipped: Callable[[str, int], None]) -> int | None:
    """One file's columnar parse into ``collected``; its rejections (bad lines and rows outside the window)
    are raised or kept in line order, as the line-by-line path meets them."""
    texts = int((~table.blank).sum())
    if texts == 0:
        return None
    bad: list[Rejection] = []
    skips: dict[str, list[int]] = {}  # reason -> [first line, count]: told in the order the line reader meets them

    def skip(reason: str, count: int, line: int) -> None:
        seen = skips.setdefault(reason, [line, 0])
        seen[0] = min(seen[0], line)
        seen[1] += count

    for item in items:
        if isinstance(item, Rows):
            collected.add_rows(name, item.calls, item.call_lines, bad, call=True)
            collected.add_rows(name, item.intervals, item.interval_lines, bad, call=False)
        elif isinstance(item, Skips):
            skip(item.reason, item.count, item.line)
        elif isinstance(item, Skip):
            skip(item.reason, 1, item.line)
        elif isinstance(item, Notice):
            note(item)
        elif isinstance(item, Rejection):
            bad.append(item)
        else:
            raise TypeError(f"a columnar parser yielded {type(item).__name__}")
    for reason, (_, count) in sorted(skips.items(), key=lambda kv: kv[1][0]):
        skipped(reason, count)
    for rejection in sorted(bad, key=lambda r: r.line):
        reject(rejection)
    return texts


def _up_to_text(stream: Iterator[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines up to and including the first that is not blank (all of them when every one is)."""
    head = []
    for entry in stream:
        head.append(entry)
        if entry[1].strip():
            break
    return head


def _store(engine: sa.Engine, fmt: str, files: list[str], collected: _Collected, report: ImportReport,
           tracker: _Tracker) -> None:
    """The short write: rows prepared and checked against the store first, then one transaction that
    holds the write lock only while the new rows go in."""
    prepared = [prepare_calls(collected.calls)]
    collected.calls.clear()  # each keyed form is dropped once its sorted copy is made
    prepared.append(prepare_intervals(collected.intervals))
    collected.intervals.clear()
    total = sum(len(p.rows) for p in prepared)
    written = [0]

    def batch(count: int) -> None:
        written[0] += count
        tracker.writing(written[0], total)
    try:
        with engine.connect() as conn:
            stored = sum(drop_stored(conn, p) for p in prepared)
            marker = write_marker(conn)
            conn.rollback()  # end the read; the write below starts from the lock
            for p in prepared:
                prepare_aggregates(p)  # column-wise, before the lock: the transaction only merges them
            tracker.writing(0, total)  # told before the lock: a listener may write (its own connection)
            lock_for_writing(conn)
            began = time.perf_counter()
            if changed_since(conn, marker):  # someone wrote in between: check again under the lock
                stored += sum(drop_stored(conn, p) for p in prepared)
            import_id = start_import(conn, fmt, files)
            report.inserted = sum(insert_prepared(conn, p, import_id, on_batch=batch) for p in prepared)
            report.duplicates = stored
            finish_import(conn, import_id, inserted=report.inserted, duplicates=report.duplicates,
                          rejected=report.rejected, skipped=report.skipped)
            if report.dry_run:
                conn.rollback()
            else:
                conn.commit()
                report.written = True
            report.write_s = time.perf_counter() - began
    except sa.exc.OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise Conflict("the database is busy (another import or writer holds it); nothing was written — "
                           "run the import again") from None
        raise
    except sa.exc.IntegrityError:
        raise Conflict("another import wrote some of these records at the same moment; nothing was written "
                       "by this one — run it again to add what is left") from None


def _write_rejects(path: Path, rejections: list[Rejection]) -> None:
    """The rejects CSV: UTF-8 with a BOM (Excel on Chinese Windows reads it right), formula-like cells
    neutralised (a rejected line is exactly the text an attacker controls)."""
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "line", "field", "reason", "raw"])
        for r in rejections:
            writer.writerow(safe_row([r.file, r.line, r.field or "", r.reason, r.raw]))
