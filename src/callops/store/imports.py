"""The ``imports`` table: one row per import run, with what it wrote. Its writes are part of the import's
own transaction, so a rolled-back import leaves no row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from callops.store.engine import new_id
from callops.store.schema import imports

__all__ = ["start_import", "finish_import", "lock_for_writing"]


def lock_for_writing(conn: sa.Connection) -> None:
    """Take the database's write lock now (SQLite ``BEGIN IMMEDIATE``), not at the first write.

    On SQLite a transaction that reads first and writes later can fail to upgrade its lock when another
    writer came in between; taking the lock up front makes the import wait (the busy timeout) instead.
    Other databases lock rows, not the file: nothing to do.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def start_import(conn: sa.Connection, fmt: str, files: Sequence[str]) -> int:
    """A new import row (counts zero until ``finish_import``); its id tags the records written."""
    result = conn.execute(imports.insert().values(
        format=fmt, files="\n".join(files), imported_at=dt.datetime.now(dt.UTC),
        inserted=0, duplicates=0, rejected=0, skipped=0))
    return new_id(result)


def finish_import(conn: sa.Connection, import_id: int, *, inserted: int, duplicates: int, rejected: int,
                  skipped: int) -> None:
    conn.execute(imports.update().where(imports.c.id == import_id).values(
        inserted=inserted, duplicates=duplicates, rejected=rejected, skipped=skipped))
