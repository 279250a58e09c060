"""Failed sign-ins in the database, on SQLite and PostgreSQL: record, read the newest, forget, clear, prune."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.login_throttle import FailureScope
from callops.store.login_failures import (
    clear_failures,
    forget_failures,
    prune_failures,
    recent_failures,
    record_failure,
)

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)
USER, ADDRESS = FailureScope.USER, FailureScope.ADDRESS


def test_recent_failures_are_the_newest_of_one_key_since_a_time(engine: sa.Engine) -> None:
    """Only the key's own scope and name count, from ``since`` on, newest first, at most ``limit``."""
    with engine.begin() as conn:
        for minute in range(6):
            record_failure(conn, USER, "boss", at=T0 + minute * MIN)
        record_failure(conn, ADDRESS, "boss", at=T0 + 10 * MIN)  # same text, other scope
        record_failure(conn, USER, "Boss", at=T0 + 10 * MIN)  # user names are case-sensitive
    with engine.connect() as conn:
        assert recent_failures(conn, USER, "boss", since=T0 + 2 * MIN, limit=10) == [
            T0 + m * MIN for m in (5, 4, 3, 2)]
        assert recent_failures(conn, USER, "boss", since=T0, limit=2) == [T0 + 5 * MIN, T0 + 4 * MIN]
        assert recent_failures(conn, ADDRESS, "boss", since=T0, limit=10) == [T0 + 10 * MIN]
        assert recent_failures(conn, USER, "nobody", since=T0, limit=10) == []


def test_forget_leaves_out_rows_by_id(engine: sa.Engine) -> None:
    """``excluding`` hides rows from a read; ``forget_failures`` deletes exactly those rows."""
    with engine.begin() as conn:
        ids = [record_failure(conn, ADDRESS, "203.0.113.7", at=T0 + m * MIN) for m in range(3)]
    with engine.begin() as conn:
        assert recent_failures(conn, ADDRESS, "203.0.113.7", since=T0, limit=5, excluding=ids[1:]) == [T0]
        forget_failures(conn, [ids[0]])
        forget_failures(conn, [])
        assert recent_failures(conn, ADDRESS, "203.0.113.7", since=T0, limit=5) == [T0 + 2 * MIN, T0 + MIN]


def test_clear_deletes_every_failure_of_one_key(engine: sa.Engine) -> None:
    """Clearing a user name leaves other names and the address rows alone."""
    with engine.begin() as conn:
        for name in ("boss", "boss", "amy"):
            record_failure(conn, USER, name, at=T0)
        record_failure(conn, ADDRESS, "boss", at=T0)
        assert clear_failures(conn, USER, "boss") == 2
        assert recent_failures(conn, USER, "boss", since=T0, limit=5) == []
        assert recent_failures(conn, USER, "amy", since=T0, limit=5) == [T0]
        assert recent_failures(conn, ADDRESS, "boss", since=T0, limit=5) == [T0]


def test_prune_deletes_only_rows_older_than_the_cut(engine: sa.Engine) -> None:
    """Rows before ``before`` go, rows at or after it stay, whatever their key."""
    with engine.begin() as conn:
        for minute, name in [(0, "a"), (29, "b"), (30, "c"), (45, "a")]:
            record_failure(conn, USER, name, at=T0 + minute * MIN)
        assert prune_failures(conn, before=T0 + 30 * MIN) == 2
        left = {name: recent_failures(conn, USER, name, since=T0, limit=5) for name in "abc"}
    assert left == {"a": [T0 + 45 * MIN], "b": [], "c": [T0 + 30 * MIN]}


def test_keys_longer_than_the_column_are_refused(engine: sa.Engine) -> None:
    """A key over 80 characters is an error naming the limit, not a silently cut value."""
    with engine.begin() as conn, pytest.raises(InvalidInput, match="at most 80"):
        record_failure(conn, USER, "x" * 81, at=T0)
