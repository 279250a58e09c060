"""Reading the audit log by date, for the audit page and ``/api/admin/audit``.

    since, until = audit_window(first_day, last_day, "Europe/Berlin")  # local days -> UTC instants

The log keeps its instants as epoch milliseconds; a filter names local days, each side optional.
"""

from __future__ import annotations

import datetime as dt

from callops.metrics import local_range_ms
from callops.store.types import from_millis

__all__ = ["audit_window"]


def audit_window(first: dt.date | None, last: dt.date | None, tz: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The UTC instants that bound the local days ``first`` to ``last`` in ``tz`` (inclusive), for the
    ``since``/``until`` of ``list_entries``; an open side (None) stays None."""
    if first is None and last is None:
        return None, None
    lo_ms, hi_ms = local_range_ms(first or dt.date(1970, 1, 2), last or dt.date(9998, 12, 31), tz)
    return (from_millis(lo_ms) if first else None), (from_millis(hi_ms) if last else None)
