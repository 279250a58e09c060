"""Failed sign-ins, one row per failure and scope (user name or client address), for login throttling.

The database holds the counts so that every worker of the app sees the same ones. ``callops.login_throttle``
decides from the times read here; ``callops.web.login_guard`` writes and reads them around each sign-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.login_throttle import FailureScope
from callops.store.engine import new_id
from callops.store.schema import login_failures

__all__ = ["MAX_KEY_LENGTH", "clear_failures", "forget_failures", "prune_failures", "recent_failures",
           "record_failure"]

MAX_KEY_LENGTH = 80


def record_failure(conn: sa.Connection, scope: FailureScope, key: str, *, at: dt.datetime) -> int:
    """Count one failure against ``key`` at ``at``; returns the row's id (for ``forget_failures``)."""
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"a throttling key has at most {MAX_KEY_LENGTH} characters, not {len(key)}",
                           field="key")
    result = conn.execute(login_failures.insert().values(scope=scope.value, key=key, failed_at=at))
    return new_id(result)


def recent_failures(conn: sa.Connection, scope: FailureScope, key: str, *, since: dt.datetime, limit: int,
                    excluding: Collection[int] = ()) -> list[dt.datetime]:
    """The times of the newest ``limit`` failures of ``key`` at or after ``since``, newest first.

    ``excluding`` leaves out rows by id (an attempt's own rows, while it asks whether others locked the key).
    """
    query = (sa.select(login_failures.c.failed_at)
             .where(login_failures.c.scope == scope.value, login_failures.c.key == key,
                    login_failures.c.failed_at >= since)
             .order_by(login_failures.c.failed_at.desc(), login_failures.c.id.desc())
             .limit(limit))
    if excluding:
        query = query.where(login_failures.c.id.not_in(list(excluding)))
    return [at for (at,) in conn.execute(query)]


def forget_failures(conn: sa.Connection, ids: Collection[int]) -> None:
    """Delete the failures with these ids (rows an attempt wrote before it knew its outcome)."""
    if ids:
        conn.execute(login_failures.delete().where(login_failures.c.id.in_(list(ids))))


def clear_failures(conn: sa.Connection, scope: FailureScope, key: str) -> int:
    """Delete every failure of ``key`` (a successful sign-in resets its user name); returns how many."""
    result = conn.execute(login_failures.delete().where(login_failures.c.scope == scope.value,
                                                        login_failures.c.key == key))
    return int(result.rowcount)


def prune_failures(conn: sa.Connection, *, before: dt.datetime) -> int:
    """Delete failures older than ``before`` (they can no longer lock anything); returns how many."""
    result = conn.execute(login_failures.delete().where(login_failures.c.failed_at < before))
    return int(result.rowcount)
