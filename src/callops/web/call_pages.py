"""Pages of calls for the Calls page and API: keyset paging both ways and a bounded count.

Neither OFFSET nor a COUNT(*) over the whole table: a page reads ``limit + 1`` rows along the
``(started_at, id)`` index from the cursor, and the count stops at ``cap + 1`` matching rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import NotFound
from callops.records import Call
from callops.store.records import CallFilter, call_from_row, find_calls
from callops.store.schema import calls
from callops.web.filters import Cursor, Paging, format_cursor

__all__ = ["CallPage", "COUNT_CAP", "bounded_count", "get_call", "page_calls"]

COUNT_CAP = 1000


@dataclass(frozen=True, slots=True)
class CallPage:
    rows: list[tuple[int, Call]]  # newest first
    next_cursor: str | None  # older calls
    prev_cursor: str | None  # newer calls


def _key(row: tuple[int, Call]) -> Cursor:
    started = row[1].started_at
    assert started is not None  # every stored call has started_at
    return started, row[0]


def page_calls(conn: sa.Connection, flt: CallFilter, paging: Paging) -> CallPage:
    """One page, newest first; ``paging.direction`` says which side of the cursor to read."""
    limit = paging.limit
    if paging.direction == "prev" and paging.cursor is not None:
        rows = find_calls(conn, flt, cursor=paging.cursor, limit=limit + 1, newer=True)
        more_newer = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        has_prev, has_next = more_newer, True
    else:
        rows = find_calls(conn, flt, cursor=paging.cursor, limit=limit + 1)
        has_next = len(rows) > limit
        rows = rows[:limit]
        has_prev = paging.cursor is not None
    if not rows:
        return CallPage(rows=[], next_cursor=None, prev_cursor=None)
    return CallPage(rows=rows, next_cursor=format_cursor(*_key(rows[-1])) if has_next else None,
                    prev_cursor=format_cursor(*_key(rows[0])) if has_prev else None)


def bounded_count(conn: sa.Connection, flt: CallFilter, *, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many calls match, counting at most ``cap``; the flag says there are more."""
    inner = sa.select(calls.c.id).where(flt.where()).limit(cap + 1).subquery()
    found = int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())
    return min(found, cap), found > cap


def get_call(conn: sa.Connection, call_id: int) -> Call:
    row = conn.execute(sa.select(calls).where(calls.c.id == call_id)).first()
    if row is None:
        raise NotFound(f"no call with id {call_id}")
    return call_from_row(row)
