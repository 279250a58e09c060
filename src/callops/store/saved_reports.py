"""Saved report definitions: the builder's query, a schedule (none, daily, weekly), a delivery (a folder or
e-mail) and what was last delivered, so ``callops reports run-due`` sends each period once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.store.schema import saved_reports

__all__ = ["SavedReport", "add_saved_report", "delete_saved_report", "get_saved_report", "list_saved_reports",
           "mark_delivered", "mark_failed"]


@dataclass(frozen=True, slots=True)
class SavedReport:
    id: int
    owner: str
    name: str
    params: Mapping[str, str]
    start_day: dt.date | None
    end_day: dt.date | None
    schedule: str
    delivery: str
    recipients: str
    file_format: str
    locale: str
    tz: str
    created_at: dt.datetime
    last_period: str | None
    last_run_at: dt.datetime | None
    last_error: str | None


def _report(row: sa.RowMapping) -> SavedReport:
    return SavedReport(**{k: row[k] for k in SavedReport.__slots__})


def add_saved_report(conn: sa.Connection, *, owner: str, name: str, params: Mapping[str, str],
                     start_day: dt.date | None, end_day: dt.date | None, schedule: str, delivery: str,
                     recipients: str, file_format: str, locale: str, tz: str, now: dt.datetime) -> SavedReport:
    """Store a new report; the same owner saving the same name twice is a Conflict naming the field."""
    taken = conn.execute(sa.select(saved_reports.c.id).where(saved_reports.c.owner == owner,
                                                             saved_reports.c.name == name)).first()
    if taken is not None:
        raise InvalidInput(f"you already have a report named {name!r}", field="name")
    new_id = conn.execute(saved_reports.insert().values(
        owner=owner, name=name, params=dict(params), start_day=start_day, end_day=end_day, schedule=schedule,
        delivery=delivery, recipients=recipients, file_format=file_format, locale=locale, tz=tz,
        created_at=now)).inserted_primary_key
    assert new_id is not None  # an INSERT always returns its key
    return get_saved_report(conn, int(new_id[0]))


def get_saved_report(conn: sa.Connection, report_id: int) -> SavedReport:
    row = conn.execute(sa.select(saved_reports).where(saved_reports.c.id == report_id)).mappings().first()
    if row is None:
        raise NotFound(f"no saved report {report_id}")
    return _report(row)


def list_saved_reports(conn: sa.Connection, *, owner: str | None = None,
                       scheduled_only: bool = False) -> list[SavedReport]:
    query = sa.select(saved_reports).order_by(saved_reports.c.owner, saved_reports.c.name)
    if owner is not None:
        query = query.where(saved_reports.c.owner == owner)
    if scheduled_only:
        query = query.where(saved_reports.c.schedule != "none")
    return [_report(r) for r in conn.execute(query).mappings()]


def delete_saved_report(conn: sa.Connection, report_id: int, *, owner: str | None) -> None:
    """Delete a report (``owner`` None: any owner's, for administrators)."""
    query = saved_reports.delete().where(saved_reports.c.id == report_id)
    if owner is not None:
        query = query.where(saved_reports.c.owner == owner)
    if conn.execute(query).rowcount == 0:
        raise NotFound(f"no saved report {report_id} of yours")


def mark_delivered(conn: sa.Connection, report_id: int, *, period: str, at: dt.datetime) -> None:
    conn.execute(saved_reports.update().where(saved_reports.c.id == report_id).values(
        last_period=period, last_run_at=at, last_error=None))


def mark_failed(conn: sa.Connection, report_id: int, *, error: str, at: dt.datetime) -> None:
    conn.execute(saved_reports.update().where(saved_reports.c.id == report_id).values(
        last_run_at=at, last_error=error[:2000]))
