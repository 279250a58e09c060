"""The ``import_jobs`` table: imports started from the web page, with their progress and result.

A job is written ``queued`` by the request that starts it; the worker thread moves it to ``running``
(phase ``reading`` then ``writing``), then ``done`` with the import's report or ``failed`` with the error.
A running job whose progress stopped long ago (the web process ended mid-import) reads as ``stalled``;
the import itself was one transaction, so a stalled job wrote nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import NotFound
from callops.store.engine import new_id
from callops.store.schema import import_jobs

__all__ = ["ImportJob", "create_job", "job_progress", "finish_job", "fail_job", "get_job", "recent_jobs",
           "job_rejects", "STALLED_AFTER", "MAX_REJECTS_CHARS"]

STALLED_AFTER = dt.timedelta(minutes=10)
MAX_REJECTS_CHARS = 5_000_000  # the rejects file kept with a job; a longer one is cut, saying so


@dataclass(frozen=True, slots=True)
class ImportJob:
    id: int
    status: str
    phase: str
    file_name: str
    format: str
    zone: str
    encoding: str
    size_bytes: int
    done_bytes: int
    records: int
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    result: dict[str, Any] | None
    error: str | None
    has_rejects: bool

    def shown_status(self, now: dt.datetime) -> str:
        """The status, ``stalled`` for a job that stopped reporting (its process ended)."""
        if self.status in {"queued", "running"} and now - self.updated_at > STALLED_AFTER:
            return "stalled"
        return self.status

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        if self.size_bytes <= 0:
            return 0
        return min(99, int(100 * self.done_bytes / self.size_bytes))


_COLUMNS = [c for c in import_jobs.c if c.name != "rejects_csv"]


def _job(row: sa.Row[Any]) -> ImportJob:
    values = dict(row._mapping)
    has_rejects = bool(values.pop("has_rejects"))
    return ImportJob(**values, has_rejects=has_rejects)


def _select() -> sa.Select[Any]:
    return sa.select(*_COLUMNS, import_jobs.c.rejects_csv.is_not(None).label("has_rejects"))


def create_job(conn: sa.Connection, *, file_name: str, fmt: str, zone: str, encoding: str, size_bytes: int,
               created_by: str, now: dt.datetime) -> int:
    result = conn.execute(import_jobs.insert().values(
        status="queued", phase="queued", file_name=file_name[:200], format=fmt, zone=zone, encoding=encoding,
        size_bytes=size_bytes, done_bytes=0, records=0, created_by=created_by, created_at=now, updated_at=now))
    return new_id(result)


def job_progress(conn: sa.Connection, job_id: int, *, phase: str, done_bytes: int, records: int,
                 now: dt.datetime) -> None:
    conn.execute(import_jobs.update().where(import_jobs.c.id == job_id).values(
        status="running", phase=phase, done_bytes=done_bytes, records=records, updated_at=now))


def finish_job(conn: sa.Connection, job_id: int, *, result: dict[str, Any], rejects_csv: str | None,
               now: dt.datetime) -> None:
    if rejects_csv is not None and len(rejects_csv) > MAX_REJECTS_CHARS:
        cut = rejects_csv.rfind("\n", 0, MAX_REJECTS_CHARS) + 1
        rejects_csv = rejects_csv[:cut] + (f"...,,,the rest of the rejects file is cut at {MAX_REJECTS_CHARS:,} "
                                           "characters,\n")
    conn.execute(import_jobs.update().where(import_jobs.c.id == job_id).values(
        status="done", phase="finished", done_bytes=import_jobs.c.size_bytes, result=result, rejects_csv=rejects_csv,
        records=int(result.get("calls", 0)) + int(result.get("agent_intervals", 0)), updated_at=now, finished_at=now))


def fail_job(conn: sa.Connection, job_id: int, *, error: str, now: dt.datetime) -> None:
    conn.execute(import_jobs.update().where(import_jobs.c.id == job_id).values(
        status="failed", phase="finished", error=error[:4000], updated_at=now, finished_at=now))


def get_job(conn: sa.Connection, job_id: int) -> ImportJob:
    row = conn.execute(_select().where(import_jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"no import {job_id}")
    return _job(row)


def recent_jobs(conn: sa.Connection, *, limit: int = 20) -> list[ImportJob]:
    rows = conn.execute(_select().order_by(import_jobs.c.created_at.desc(), import_jobs.c.id.desc()).limit(limit))
    return [_job(row) for row in rows]


def job_rejects(conn: sa.Connection, job_id: int) -> str:
    text = conn.execute(sa.select(import_jobs.c.rejects_csv).where(import_jobs.c.id == job_id)).scalar()
    if text is None:
        raise NotFound(f"import {job_id} has no rejects file")
    return str(text)
