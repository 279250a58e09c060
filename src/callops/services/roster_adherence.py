"""Adherence over local days for the CLI and the pages: the newest published shifts against the real states.

``callops adherence`` and ``/rosters/adherence`` both call ``adherence_over``, so they count the same way.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.scheduling.adherence import AdherenceException, AdherenceRow, StateSpan, adherence
from callops.scheduling.roster_model import RosterShift
from callops.store.rosters import published_shifts, state_spans

__all__ = ["MAX_DAYS", "AdherencePeriod", "adherence_over"]

MAX_DAYS = 93


@dataclass(frozen=True, slots=True)
class AdherencePeriod:
    start_at: dt.datetime
    end_at: dt.datetime
    rows: list[AdherenceRow]
    exceptions: list[AdherenceException]
    shifts: list[RosterShift]
    states: list[StateSpan]


def adherence_over(conn: sa.Connection, first: dt.date, last: dt.date, *, tz: zoneinfo.ZoneInfo,
                   agents: Collection[str] | None = None, to_field: str = "to") -> AdherencePeriod:
    """Rows per agent from local midnight of ``first`` to the end of ``last`` (only ``agents`` when given)."""
    if last < first:
        raise InvalidInput("the last day is before the first", field=to_field)
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days at once", field=to_field)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    shifts = published_shifts(conn, start, end)
    states = state_spans(conn, start, end)
    if agents is not None:
        keep = set(agents)
        shifts = [s for s in shifts if s.agent in keep]
        states = [s for s in states if s.agent in keep]
    rows, exceptions = adherence(shifts, states, start_at=start, end_at=end)
    return AdherencePeriod(start, end, rows, exceptions, shifts, states)
