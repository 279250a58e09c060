"""Running an import: parse files, validate, write in one transaction, report.

Without ``skip_invalid`` the first bad line aborts the import and nothing is written (the
transaction rolls back); the error names the file, the line and the field. With it, good
lines land and each bad one goes to the rejects file with its reason. Records already stored
are counted as duplicates, so re-running an import adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.ingest.formats import parser_for
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.ingest.textfile import numbered_lines, open_text
from callops.records import AgentInterval, Call
from callops.store.engine import new_id
from callops.store.records import insert_calls, insert_intervals
from callops.store.schema import imports

__all__ = ["ImportReport", "import_files"]


@dataclass(slots=True)
class ImportReport:
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0
    calls: int = 0
    agent_intervals: int = 0
    notices: list[str] = field(default_factory=list)
    rejects_file: str | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"inserted": self.inserted, "duplicates": self.duplicates, "rejected": self.rejected,
                "skipped": self.skipped, "calls": self.calls, "agent_intervals": self.agent_intervals,
                "notices": self.notices, "rejects_file": self.rejects_file, "dry_run": self.dry_run}


class _Rollback(Exception):
    pass


def import_files(engine: sa.Engine, paths: Sequence[Path], *, fmt: str, tz: str,
                 skip_invalid: bool = False, dry_run: bool = False, rejects_path: Path | None = None,
                 options: Mapping[str, Any] | None = None) -> ImportReport:
    """Import ``paths`` in format ``fmt`` as one transaction; see the module docstring."""
    parse = parser_for(fmt)
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}", field="--tz") from exc
    report = ImportReport(dry_run=dry_run)
    rejections: list[Rejection] = []

    def records(path: Path) -> Iterator[Call | AgentInterval]:
        ctx = ParseContext(file=str(path), tz=zone, options=options or {})
        with open_text(path) as stream:
            for item in parse(numbered_lines(stream, str(path)), ctx):
                if isinstance(item, Call):
                    report.calls += 1
                    yield item
                elif isinstance(item, AgentInterval):
                    report.agent_intervals += 1
                    yield item
                elif isinstance(item, Skip):
                    report.skipped += 1
                elif isinstance(item, Notice):
                    where = f"{item.file}, line {item.line}" if item.line else item.file
                    report.notices.append(f"{where}: {item.message}")
                else:
                    if not skip_invalid:
                        raise InvalidInput(item.reason, file=item.file, line=item.line, field=item.field)
                    rejections.append(item)
                    report.rejected += 1

    try:
        with engine.begin() as conn:
            import_id = _start(conn, fmt, paths)
            for path in paths:
                _write(conn, records(path), import_id, report)
            conn.execute(imports.update().where(imports.c.id == import_id).values(
                inserted=report.inserted, duplicates=report.duplicates, rejected=report.rejected,
                skipped=report.skipped))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if rejections:
        target = rejects_path or Path(f"{Path(paths[0]).name}.rejects.csv")
        _write_rejects(target, rejections)
        report.rejects_file = str(target)
    return report


def _start(conn: sa.Connection, fmt: str, paths: Sequence[Path]) -> int:
    result = conn.execute(imports.insert().values(
        format=fmt, files="\n".join(str(p) for p in paths), imported_at=dt.datetime.now(dt.UTC),
        inserted=0, duplicates=0, rejected=0, skipped=0))
    return new_id(result)


def _write(conn: sa.Connection, items: Iterator[Call | AgentInterval], import_id: int,
           report: ImportReport) -> None:
    """Split the stream into calls and intervals in batches and insert each kind."""
    calls: list[Call] = []
    intervals: list[AgentInterval] = []

    def flush() -> None:
        for counts in (insert_calls(conn, calls, import_id=import_id),
                       insert_intervals(conn, intervals, import_id=import_id)):
            report.inserted += counts.inserted
            report.duplicates += counts.duplicates
        calls.clear()
        intervals.clear()

    for item in items:
        (calls if isinstance(item, Call) else intervals).append(item)  # type: ignore[arg-type]
        if len(calls) + len(intervals) >= 50_000:
            flush()
    flush()


def _write_rejects(path: Path, rejections: list[Rejection]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "line", "field", "reason", "raw"])
        for r in rejections:
            writer.writerow([r.file, r.line, r.field or "", r.reason, r.raw])
