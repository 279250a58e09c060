"""What a KPI report asks for, and the one way to build it from text (CLI options, query parameters).

    request = kpi_request_from_text(start="2026-03-01", end="2026-03-31", grain="30min", by="queue",
                                    kpis="offered,service_level", tz=None, site_tz="Asia/Shanghai")

The CLI (``callops report kpi``) and the web (``/api/reports/kpi``, the report builder) both call
:func:`kpi_request_from_text`, so they accept and refuse exactly the same input; the store only
translates a :class:`KpiRequest` into SQL (``callops.store.kpi_query``).

Every request bounds the work it can cause before any query runs: at most :data:`MAX_REPORT_DAYS` days,
and at most :data:`MAX_REPORT_CELLS` cells, counted as the buckets the engine groups by (the span in
15/30/60-minute or day buckets, twice with ``compare_previous``) times :data:`DIMENSION_FANOUT` per
dimension. A larger request is ``InvalidInput`` naming the limit (400 on the web, an error in the CLI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from callops.dates import require_date
from callops.errors import InvalidInput
from callops.metrics.grains import Grain, parse_grain
from callops.metrics.kpis import DEFAULT_KPIS, is_people_kpi, is_roster_kpi, is_ticket_kpi, kpi
from callops.metrics.options import KpiOptions, SlDenominator
from callops.metrics.zones import DAY_MS, zone

__all__ = ["CALL_DIMENSIONS", "DIMENSION_FANOUT", "KpiRequest", "MAX_REPORT_CELLS", "MAX_REPORT_DAYS",
           "STATE_DIMENSIONS", "TICKET_DIMENSIONS", "kpi_request_from_text", "parse_dims", "parse_kpis", "parse_span",
           "report_zone"]

CALL_DIMENSIONS = ("queue", "call_type", "team", "agent", "priority", "source")
STATE_DIMENSIONS = ("team", "agent")
TICKET_DIMENSIONS = ("team", "agent")  # a ticket's owner and the owner's team

MAX_REPORT_DAYS = 3660  # ten years
MAX_REPORT_CELLS = 2_000_000  # engine buckets x assumed groups
DIMENSION_FANOUT = 20  # each dimension is assumed to split a bucket this many ways (queues, agents, ...)



@dataclass(frozen=True, slots=True)
class KpiRequest:
    """One KPI report: an inclusive range of local days, a grain, dimensions, KPIs and options.

    Raises InvalidInput when the range ends before it starts or the work exceeds the limits above."""

    start: dt.date
    end: dt.date  # inclusive
    grain: Grain
    tz: str
    dims: tuple[str, ...] = ()
    kpis: tuple[str, ...] = DEFAULT_KPIS
    options: KpiOptions = field(default_factory=KpiOptions)
    compare_previous: bool = False
    agent_states: bool = True  # add occupancy, utilisation, away time where agent state data exist
    scenario: str | None = None  # None: real calls only; a name: only that saved simulation scenario
    agents: frozenset[str] | None = None  # None: every agent; a set: only these agents' records (a team lead's)

    def __post_init__(self) -> None:
        _check_span(self.start, self.end)
        _check_ticket_kpis(self)
        _check_people_kpis(self)
        _check_roster_kpis(self)
        cells = self.work_cells
        if cells > MAX_REPORT_CELLS:
            raise InvalidInput(
                f"the report would group up to {cells:,} cells ({self.span_days} days in {self.grain.value} buckets"
                f"{f', {DIMENSION_FANOUT} values per dimension for {len(self.dims)}' if self.dims else ''}"
                f"{', twice to compare' if self.compare_previous else ''}); the limit is {MAX_REPORT_CELLS:,}: "
                "shorten the range, choose a coarser grain or fewer dimensions", field="grain")

    @property
    def span_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def work_cells(self) -> int:
        """The bound this request is checked against: engine buckets times assumed groups."""
        buckets = self.span_days * (DAY_MS // self.grain.bucket_ms)
        groups: int = DIMENSION_FANOUT ** len(self.dims)
        return buckets * (2 if self.compare_previous else 1) * groups


def _check_ticket_kpis(request: KpiRequest) -> None:
    """Ticket KPIs mix with call KPIs in one request, split only by dimensions tickets have, and never of a
    simulation scenario (scenarios simulate calls, not tickets)."""
    tickets = [k for k in request.kpis if is_ticket_kpi(k)]
    if not tickets:
        return
    other = [d for d in request.dims if d not in TICKET_DIMENSIONS]
    if other:
        raise InvalidInput(f"the ticket KPIs {', '.join(tickets)} split only by {', '.join(TICKET_DIMENSIONS)}, "
                           f"not by {', '.join(other)}: drop those dimensions or report tickets separately",
                           field="by")
    if request.scenario is not None:
        raise InvalidInput(f"the ticket KPIs {', '.join(tickets)} come from real tickets only, not from a "
                           "simulation scenario", field="scenario")


def _check_people_kpis(request: KpiRequest) -> None:
    """People KPIs (headcount, hires, exits, attrition) are measured per month, quarter or year from people
    records: alone in a request, without dimensions, scenario or comparison."""
    people = [k for k in request.kpis if is_people_kpi(k)]
    if not people:
        return
    if len(people) != len(request.kpis):
        others = [k for k in request.kpis if not is_people_kpi(k)]
        raise InvalidInput(f"the people KPIs {', '.join(people)} are reported on their own, not with "
                           f"{', '.join(others)}", field="kpis")
    if request.grain not in (Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        raise InvalidInput(f"the people KPIs are measured per month, quarter or year, not {request.grain.value}",
                           field="grain")
    if request.dims:
        raise InvalidInput("the people KPIs split by nothing here (callops people attrition --by team does)",
                           field="by")
    if request.scenario is not None or request.compare_previous:
        raise InvalidInput("the people KPIs come from real people records, without scenario or comparison",
                           field="scenario" if request.scenario is not None else "compare_previous")


def _check_roster_kpis(request: KpiRequest) -> None:
    """Adherence and conformance split only by agent and team (the roster names agents), from real states."""
    roster = [k for k in request.kpis if is_roster_kpi(k)]
    if not roster:
        return
    other = [d for d in request.dims if d not in STATE_DIMENSIONS]
    if other:
        raise InvalidInput(f"the roster KPIs {', '.join(roster)} split only by {', '.join(STATE_DIMENSIONS)}, "
                           f"not by {', '.join(other)}: drop those dimensions or report them separately", field="by")
    if request.scenario is not None:
        raise InvalidInput(f"the roster KPIs {', '.join(roster)} compare the published rosters with real agent "
                           "states, not with a simulation scenario", field="scenario")


def _check_span(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput(f"the range ends ({end}) before it starts ({start})", field="to")
    days = (end - start).days + 1
    if days > MAX_REPORT_DAYS:
        raise InvalidInput(f"{start} to {end} is {days:,} days; a report covers at most {MAX_REPORT_DAYS:,}",
                           field="to")


def parse_span(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """``from`` and ``to`` (YYYY-MM-DD, inclusive) as dates, both required, in order and within the limit."""
    missing = "give both from and to (YYYY-MM-DD, inclusive)"
    first, last = require_date(start, field="from", missing=missing), require_date(end, field="to", missing=missing)
    _check_span(first, last)
    return first, last


def report_zone(tz: str | None, site_tz: str) -> str:
    """The report's zone: ``tz`` when given (checked), else the site's."""
    name = (tz or "").strip() or site_tz
    zone(name)
    return name


def parse_dims(text: str | None) -> tuple[str, ...]:
    """``queue,agent`` as a tuple of known dimension names."""
    if not text:
        return ()
    dims = tuple(d.strip() for d in text.split(",") if d.strip())
    for d in dims:
        if d not in CALL_DIMENSIONS:
            raise InvalidInput(f"unknown dimension {d!r}; use {', '.join(CALL_DIMENSIONS)}", field="by")
    if len(set(dims)) != len(dims):
        raise InvalidInput("a dimension is named twice", field="by")
    return dims


def parse_kpis(text: str | None) -> tuple[str, ...]:
    """``offered,service_level`` as known KPI keys; empty text is every inbound KPI."""
    keys = tuple(k.strip() for k in (text or "").split(",") if k.strip())
    for key in keys:
        kpi(key)
    return keys or DEFAULT_KPIS


def kpi_request_from_text(*, start: str | None, end: str | None, tz: str | None, site_tz: str, grain: str = "day",
                          by: str | None = None, kpis: str | None = None, sl_threshold: float = 20.0,
                          sl_denominator: str | SlDenominator = SlDenominator.OFFERED, short_abandon: float = 0.0,
                          fcr_days: int = 7, compare_previous: bool = False,
                          scenario: str | None = None, fcr_min_base: int = 0) -> KpiRequest:
    """The checked request; a bad value is InvalidInput naming its option or query parameter."""
    first, last = parse_span(start, end)
    try:
        denominator = SlDenominator(sl_denominator)
    except ValueError:
        allowed = ", ".join(d.value for d in SlDenominator)
        raise InvalidInput(f"{sl_denominator!r} is not one of {allowed}", field="sl-denominator") from None
    options = KpiOptions(sl_threshold_s=sl_threshold, sl_denominator=denominator, short_abandon_s=short_abandon,
                         fcr_days=fcr_days, fcr_min_base=fcr_min_base)
    return KpiRequest(start=first, end=last, grain=parse_grain(grain), tz=report_zone(tz, site_tz),
                      dims=parse_dims(by), kpis=parse_kpis(kpis), options=options, compare_previous=compare_previous,
                      scenario=scenario or None)
