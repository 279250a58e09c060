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

Lines that make no record are counted as ``skipped``, grouped by reason in the summary. Records dated
outside the accepted window (default 1990-01-01 to a day from now; options ``not_before`` /
``not_after``) are refused like any bad line, naming the line that completed them. A file with nothing
to import gives a notice; an import with nothing at all to write writes no import record.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from callops.cell_text import safe_row
from callops.errors import Conflict, InvalidInput
from callops.ingest.formats import parser_for
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.ingest.textfile import decoded_lines, reading
from callops.records import AgentInterval, Call
from callops.store.imports import finish_import, lock_for_writing, start_import
from callops.store.record_batches import (
    changed_since,
    drop_stored,
    insert_prepared,
    prepare_calls,
    prepare_intervals,
    write_marker,
)

__all__ = ["ImportReport", "ImportProgress", "ProgressCallback", "import_files", "DEFAULT_NOT_BEFORE"]

DEFAULT_NOT_BEFORE = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
_R = TypeVar("_R")
_FUTURE_SLACK = dt.timedelta(days=1)
_EMPTY = "empty file (no lines, or only blank ones): nothing to import; is it the right file?"


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
    compressed bytes for a gzip) then "writing" (the one transaction), with the records collected so far and
    the characters of text read (what a gzip expanded to: a caller can stop an import that grows too large)."""

    phase: str
    done_bytes: int
    total_bytes: int
    records: int
    text_chars: int = 0


ProgressCallback = Callable[[ImportProgress], None]
PROGRESS_EVERY_LINES = 5000  # how often reading reports progress: every so many lines
PROGRESS_EVERY_CHARS = 16 << 20  # ... or so much text, whichever comes first


class _Collected:
    """The records of one import, keyed as the store keys them, with repeats merged."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.calls: dict[tuple[str, str], Call] = {}
        self.intervals: dict[tuple[str, str, str, dt.datetime], AgentInterval] = {}
        self.first: dt.datetime | None = None
        self.last: dt.datetime | None = None

    def add(self, record: Call | AgentInterval) -> None:
        if isinstance(record, Call):
            key_c = (record.source, record.source_call_id)
            seen_c = self.calls.get(key_c)
            if seen_c is None:
                self.calls[key_c] = record
                self.report.calls += 1
            else:
                self._merged("call id repeated with identical content" if seen_c == record
                             else "call id repeated with different content: the first kept")
            return
        key_i = (record.source, record.agent, record.state.value, record.start_at)
        seen_i = self.intervals.get(key_i)
        if seen_i is None:
            self.intervals[key_i] = record
            self.report.agent_intervals += 1
        else:
            self._merged("agent interval repeated with identical content" if seen_i == record
                         else "agent interval with the same agent, state and start: the first kept")

    def _merged(self, reason: str) -> None:
        self.report.merged += 1
        self.report.merge_reasons[reason] = self.report.merge_reasons.get(reason, 0) + 1

    def span(self, start: dt.datetime, end: dt.datetime) -> None:
        self.first = start if self.first is None or start < self.first else self.first
        self.last = end if self.last is None or end > self.last else self.last


def _window(options: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    not_before = options.get("not_before") or DEFAULT_NOT_BEFORE
    not_after = options.get("not_after") or dt.datetime.now(dt.UTC) + _FUTURE_SLACK
    if not isinstance(not_before, dt.datetime) or not isinstance(not_after, dt.datetime):
        raise InvalidInput("the accepted time window needs two datetimes", field="not_before")
    if not_before >= not_after:
        raise InvalidInput(f"the accepted window is empty ({not_before:%Y-%m-%d} to {not_after:%Y-%m-%d})",
                           field="not_before")
    return not_before, not_after


def _times(record: Call | AgentInterval) -> tuple[dt.datetime | None, dt.datetime | None]:
    if isinstance(record, Call):
        return record.started_at, record.ended_at or record.answered_at or record.started_at
    return record.start_at, record.end_at


def import_files(engine: sa.Engine, paths: Sequence[Path], *, fmt: str, tz: str,
                 skip_invalid: bool = False, dry_run: bool = False, rejects_path: Path | None = None,
                 options: Mapping[str, Any] | None = None, encoding: str = "utf-8",
                 progress: ProgressCallback | None = None, names: Sequence[str] | None = None) -> ImportReport:
    """Import ``paths`` in format ``fmt`` as one transaction; see the module docstring.

    ``progress`` is called every few thousand lines while reading and once before writing (``ImportProgress``);
    an exception it raises stops the import with nothing written. ``names``: what messages call each file
    (default: its path), e.g. the name an uploaded file had on the user's computer."""
    parse = parser_for(fmt)
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}", field="--tz") from exc
    options = options or {}
    not_before, not_after = _window(options)
    report = ImportReport(dry_run=dry_run)
    rejections: list[Rejection] = []
    collected = _Collected(report)
    skips: Counter[str] = Counter()

    def reject(item: Rejection) -> None:
        if not skip_invalid:
            raise InvalidInput(item.reason, file=item.file, line=item.line, field=item.field)
        rejections.append(item)
        report.rejected += 1

    total_bytes = _total_bytes(paths) if progress is not None else 0
    done_bytes = 0
    text_chars = [0]
    next_report = [PROGRESS_EVERY_CHARS]

    def report_progress(phase: str, done: int) -> None:
        if progress is not None:
            progress(ImportProgress(phase, done, total_bytes, report.calls + report.agent_intervals, text_chars[0]))

    if names is not None and len(names) != len(paths):
        raise InvalidInput(f"{len(names)} names for {len(paths)} files", field="names")
    for index, path in enumerate(paths):
        name = str(path) if names is None else names[index]
        ctx = ParseContext(file=name, tz=zone, options=options)
        current = [0]
        lines_read = [0]

        def lines(file: str = name, where: list[int] = current, count: list[int] = lines_read,
                  source: Path = path, before: int = done_bytes) -> Iterator[tuple[int, str]]:
            with reading(source) as (raw, position):
                for entry in decoded_lines(raw, file, encoding=encoding):
                    if isinstance(entry, Rejection):
                        reject(entry)
                        continue
                    where[0] = entry[0]
                    text_chars[0] += len(entry[1]) + 1
                    if entry[1].strip():
                        count[0] += 1
                    if entry[0] % PROGRESS_EVERY_LINES == 0 or text_chars[0] >= next_report[0]:
                        next_report[0] = text_chars[0] + PROGRESS_EVERY_CHARS
                        report_progress("reading", before + position())
                    yield entry

        stream = lines()
        rejected_before = report.rejected
        head = _up_to_text(stream)
        if not head or not head[-1][1].strip():  # nothing but blank lines: no parser sees it
            if report.rejected == rejected_before:  # refused the same way in every format
                reject(Rejection(name, len(head) or 1, None, _EMPTY))
            continue
        before = (report.calls + report.agent_intervals + report.merged, report.rejected)
        for item in parse(itertools.chain(head, stream), ctx):
            if isinstance(item, Call | AgentInterval):
                start, end = _times(item)
                if start is not None and end is not None:
                    if start < not_before or end > not_after:
                        what = item.source_call_id if isinstance(item, Call) else f"{item.agent} {item.state.value}"
                        reject(Rejection(name, current[0], "time",
                                         f"{what}: {start:%Y-%m-%d %H:%M} is outside the accepted window "
                                         f"{not_before:%Y-%m-%d} to {not_after:%Y-%m-%d} (a clock or zone fault?)"))
                        continue
                    collected.span(start, end)
                collected.add(item)
            elif isinstance(item, Skip):
                report.skipped += 1
                skips[item.reason] += 1
            elif isinstance(item, Notice):
                where = f"{item.file}, line {item.line}" if item.line else item.file
                report.notices.append(f"{where}: {item.message}")
            else:
                reject(item)
        if (report.calls + report.agent_intervals + report.merged, report.rejected) == before:
            report.notices.append(f"{name}: no calls or agent states in {lines_read[0]} line(s)")
        done_bytes += _size(path)
        report_progress("reading", done_bytes)
    report.skip_reasons = dict(skips.most_common())
    if collected.first is not None and collected.last is not None:
        report.notices.append(f"records span {collected.first:%Y-%m-%d %H:%M} to {collected.last:%Y-%m-%d %H:%M} "
                              "UTC")
    if collected.calls or collected.intervals:
        report_progress("writing", total_bytes)
        _store(engine, fmt, [str(p) for p in paths] if names is None else list(names), collected, report)
    if rejections:
        target = rejects_path or Path(f"{Path(paths[0]).name}.rejects.csv")
        _write_rejects(target, rejections)
        report.rejects_file = str(target)
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it names the problem


def _total_bytes(paths: Sequence[Path]) -> int:
    return sum(_size(Path(p)) for p in paths)


def _drained(records: dict[Any, _R]) -> Iterator[_R]:
    """The values of ``records``, each removed as it is handed out (last first)."""
    while records:
        yield records.popitem()[1]


def _up_to_text(stream: Iterator[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines up to and including the first that is not blank (all of them when every one is)."""
    head = []
    for entry in stream:
        head.append(entry)
        if entry[1].strip():
            break
    return head


def _store(engine: sa.Engine, fmt: str, files: list[str], collected: _Collected, report: ImportReport) -> None:
    """The short write: rows prepared and checked against the store first, then one transaction that
    holds the write lock only while the new rows go in."""
    # each record is dropped as its stored row is made, so the two forms never both fill memory
    prepared = [prepare_calls(_drained(collected.calls)), prepare_intervals(_drained(collected.intervals))]
    try:
        with engine.connect() as conn:
            stored = sum(drop_stored(conn, p) for p in prepared)
            marker = write_marker(conn)
            conn.rollback()  # end the read; the write below starts from the lock
            lock_for_writing(conn)
            began = time.perf_counter()
            if changed_since(conn, marker):  # someone wrote in between: check again under the lock
                stored += sum(drop_stored(conn, p) for p in prepared)
            import_id = start_import(conn, fmt, files)
            report.inserted = sum(insert_prepared(conn, p, import_id) for p in prepared)
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
