"""Query parameters of the Calls page and API, validated at the edge into a ``CallFilter``.

Dates are read in the viewer's zone: ``from=2026-01-03`` starts at local midnight and
``to=2026-01-05`` includes that whole local day. Full ISO datetimes are accepted too (naive ones
in the viewer's zone; ``to`` exclusive). Errors name the parameter.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Query

from callops.dates import parse_date
from callops.errors import InvalidInput
from callops.metrics.call_sets import CallSet, call_set_outcomes
from callops.records import Outcome
from callops.store.records import CallFilter
from callops.store.types import from_millis, to_millis

__all__ = ["CallQuery", "CallQueryDep", "Cursor", "Paging", "PagingDep", "format_cursor", "parse_cursor",
           "parse_date", "parse_moment"]

Cursor = tuple[dt.datetime, int]
DEFAULT_SL_THRESHOLD_S = 20
MAX_SL_THRESHOLD_S = 86_400


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def parse_moment(value: str, tz: zoneinfo.ZoneInfo, *, field: str, end: bool) -> dt.datetime:
    """A UTC instant from ``YYYY-MM-DD`` (local day; the day after it when ``end``) or an ISO datetime."""
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            if end:
                day += dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD) or an ISO datetime", field=field) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class CallQuery:
    """The filters as typed by the user (strings), kept to refill the form and build page links."""

    date_from: str | None = None
    date_to: str | None = None
    queue: str | None = None
    agent: str | None = None
    outcome: str | None = None
    call_type: str | None = None
    kpi: str | None = None  # the calls a KPI counts (callops.metrics.call_sets.CallSet): a report's drill-down
    sl_threshold: str | None = None  # T in seconds for kpi=sl_missed (default 20)

    def call_set(self) -> CallSet | None:
        """The ``kpi`` filter, checked (None when not given)."""
        if not self.kpi:
            return None
        try:
            return CallSet(self.kpi)
        except ValueError:
            allowed = ", ".join(s.value for s in CallSet)
            raise InvalidInput(f"{self.kpi!r} is not a set of calls a KPI counts; use one of {allowed}",
                               field="kpi") from None

    def threshold_s(self) -> float | None:
        """The service-level threshold of ``kpi=sl_missed`` (whole or decimal seconds, 0 to 86,400)."""
        if self.call_set() is not CallSet.SL_MISSED:
            return None
        if not self.sl_threshold:
            return float(DEFAULT_SL_THRESHOLD_S)
        try:
            value = float(self.sl_threshold)
        except ValueError:
            raise InvalidInput(f"{self.sl_threshold!r} is not a number of seconds", field="sl_threshold") from None
        if not 0 <= value <= MAX_SL_THRESHOLD_S:
            raise InvalidInput(f"must be 0 to {MAX_SL_THRESHOLD_S:,} seconds", field="sl_threshold")
        return value

    def to_filter(self, tz: zoneinfo.ZoneInfo) -> CallFilter:
        start = parse_moment(self.date_from, tz, field="from", end=False) if self.date_from else None
        end = parse_moment(self.date_to, tz, field="to", end=True) if self.date_to else None
        if start is not None and end is not None and end <= start:
            raise InvalidInput(f"the range ends ({self.date_to}) before it starts ({self.date_from})", field="to")
        outcome = None
        if self.outcome:
            try:
                outcome = Outcome(self.outcome)
            except ValueError as exc:
                allowed = ", ".join(o.value for o in Outcome)
                raise InvalidInput(f"{self.outcome!r} is not an outcome; use one of {allowed}",
                                   field="outcome") from exc
        call_set = self.call_set()
        return CallFilter(start_at=start, end_at=end, queue=self.queue, agent=self.agent, outcome=outcome,
                          call_type=self.call_type,
                          kpi_outcomes=None if call_set is None else call_set_outcomes(call_set),
                          missed_sl_s=self.threshold_s())

    def params(self) -> dict[str, str]:
        """The non-empty filters as query parameters (for next/previous links)."""
        pairs = {"from": self.date_from, "to": self.date_to, "queue": self.queue, "agent": self.agent,
                 "outcome": self.outcome, "call_type": self.call_type, "kpi": self.kpi,
                 "sl_threshold": self.sl_threshold if self.kpi == CallSet.SL_MISSED.value else None}
        return {k: v for k, v in pairs.items() if v}


def _call_query(
    date_from: Annotated[str | None, Query(alias="from", description="first day (YYYY-MM-DD, your zone)")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="last day, included (YYYY-MM-DD)")] = None,
    queue: Annotated[str | None, Query(max_length=80)] = None,
    agent: Annotated[str | None, Query(max_length=80)] = None,
    outcome: Annotated[str | None, Query(description=", ".join(o.value for o in Outcome))] = None,
    call_type: Annotated[str | None, Query(max_length=80)] = None,
    kpi: Annotated[str | None, Query(max_length=40, description="only the calls a KPI counts: "
                                     + ", ".join(s.value for s in CallSet))] = None,
    sl_threshold: Annotated[str | None, Query(max_length=40, description="seconds, for kpi=sl_missed "
                                              "(default 20)")] = None,
) -> CallQuery:
    return CallQuery(date_from=_blank_to_none(date_from), date_to=_blank_to_none(date_to),
                     queue=_blank_to_none(queue), agent=_blank_to_none(agent), outcome=_blank_to_none(outcome),
                     call_type=_blank_to_none(call_type), kpi=_blank_to_none(kpi),
                     sl_threshold=_blank_to_none(sl_threshold))


CallQueryDep = Annotated[CallQuery, Depends(_call_query)]


def format_cursor(at: dt.datetime, row_id: int) -> str:
    return f"{to_millis(at)}.{row_id}"


def parse_cursor(value: str) -> Cursor:
    """``<epoch ms>.<id>`` back to ``(started_at, id)``; a malformed one is a 400 naming ``cursor``."""
    ms, dot, row_id = value.partition(".")
    if not dot or not ms.lstrip("-").isdigit() or not row_id.isdigit():
        raise InvalidInput(f"{value!r} is not a paging cursor (use the links' next/previous values)",
                           field="cursor")
    return from_millis(int(ms)), int(row_id)


@dataclass(frozen=True, slots=True)
class Paging:
    cursor: Cursor | None
    direction: Literal["next", "prev"]
    limit: int


def _paging(
    cursor: Annotated[str | None, Query(description="from next_cursor / prev_cursor of a page")] = None,
    direction: Annotated[Literal["next", "prev"], Query(alias="dir")] = "next",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Paging:
    cursor = _blank_to_none(cursor)
    return Paging(cursor=parse_cursor(cursor) if cursor else None, direction=direction, limit=limit)


PagingDep = Annotated[Paging, Depends(_paging)]
