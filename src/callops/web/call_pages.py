"""Pages of calls for the Calls page and API: keyset paging both ways, with cursors for the links.

No OFFSET: a page reads ``limit + 1`` rows along the ``(started_at, id)`` index from the cursor
(``store.records.find_calls``); the count next to it is ``store.records.bounded_count``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from callops.records import Call
from callops.store.records import CallFilter, find_calls
from callops.web.filters import Cursor, Paging, format_cursor

__all__ = ["CallPage", "page_calls"]


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
