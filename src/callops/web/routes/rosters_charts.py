"""The roster pages' drawings as data for server-side SVG (templates/rosters/_gantt.html, _coverage.html,
_adherence_strip.html): a Gantt of shifts and breaks per agent, coverage against the requirement per interval,
and scheduled against actual state. No router here, no script in the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from callops.scheduling.adherence import PHONE_STATES, StateSpan
from callops.scheduling.roster_model import RosterShift
from callops.services.roster_views import CoveragePoint

__all__ = ["Bar", "Column", "CoverageChart", "Gantt", "GanttRow", "coverage_chart", "gantt", "state_strip"]

WIDTH = 1008  # px of the time axis
ROW_H = 22
LABEL_W = 110
MAX_ROWS = 300


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    w: float
    kind: str  # shift, meal, rest, huddle (and for actual states: phones, off, none)
    title: str


@dataclass(frozen=True, slots=True)
class GanttRow:
    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class Gantt:
    width: float
    height: float
    label_w: float
    rows: tuple[GanttRow, ...]
    ticks: tuple[tuple[float, str, int | None], ...]  # x, label, weekday (0 = Monday) on day ticks
    cut: int  # rows left out past MAX_ROWS


def _x(at: dt.datetime, start: dt.datetime, px_per_min: float) -> float:
    return round((at - start).total_seconds() / 60 * px_per_min, 2)


def _hm(at: dt.datetime, tz: dt.tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def gantt(shifts: Sequence[RosterShift], *, first_day: dt.date, days: int, tz: dt.tzinfo,
          agents: Sequence[str] | None = None) -> Gantt:
    """One row per agent over ``days`` days from ``first_day`` (local midnight); a shift past the end is cut.
    ``agents`` fixes the rows (agents without shifts get an empty row); default: every agent with a shift."""
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(first_day + dt.timedelta(days=days), dt.time(0), tzinfo=tz)
    px = WIDTH / ((end - start).total_seconds() / 60)
    names = sorted({s.agent for s in shifts}) if agents is None else list(agents)
    by_agent: dict[str, list[RosterShift]] = {a: [] for a in names}
    for s in shifts:
        if s.agent in by_agent and s.end_at > start and s.start_at < end:
            by_agent[s.agent].append(s)
    rows: list[GanttRow] = []
    for n, name in enumerate(names[:MAX_ROWS]):
        bars: list[Bar] = []
        for s in sorted(by_agent[name], key=lambda s: s.start_at):
            a, b = max(s.start_at, start), min(s.end_at, end)
            bars.append(Bar(_x(a, start, px), _x(b, start, px) - _x(a, start, px), "shift",
                            f"{name} {s.start_at.astimezone(tz):%m-%d %H:%M}–{_hm(s.end_at, tz)}"))
            for br in s.breaks:
                x, y = max(br.start_at, start), min(br.end_at, end)
                if y > x:
                    bars.append(Bar(_x(x, start, px), _x(y, start, px) - _x(x, start, px), br.kind,
                                    f"{br.kind} {_hm(br.start_at, tz)}–{_hm(br.end_at, tz)}"))
        rows.append(GanttRow(name, n * ROW_H, tuple(bars)))
    step_h = 24 if days > 2 else 2
    ticks = []
    t = start
    while t < end:
        local = t.astimezone(tz)
        ticks.append((_x(t, start, px), local.strftime("%m-%d"), local.weekday()) if step_h == 24
                     else (_x(t, start, px), local.strftime("%H:%M"), None))
        t += dt.timedelta(hours=step_h)
    return Gantt(WIDTH, max(1, len(rows)) * ROW_H, LABEL_W, tuple(rows), tuple(ticks), max(0, len(names) - MAX_ROWS))


@dataclass(frozen=True, slots=True)
class Column:
    x: float
    y: float
    w: float
    h: float
    kind: str  # scheduled, or gap (the shortfall, drawn from scheduled up to required)
    title: str


@dataclass(frozen=True, slots=True)
class CoverageChart:
    width: float
    height: float
    columns: tuple[Column, ...]
    required_path: str  # SVG path of the requirement as steps
    ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    gaps: int  # intervals short of the requirement


def coverage_chart(points: Sequence[CoveragePoint], *, tz: dt.tzinfo, interval_min: int,
                   height: float = 180) -> CoverageChart:
    """Scheduled agents per interval as columns, the requirement as a step line, each shortfall in red."""
    if not points:
        return CoverageChart(WIDTH, height, (), "", (), (), 0)
    top = max(max(p.required for p in points), max(p.scheduled for p in points), 1)
    scale = (height - 10) / top
    w = round(WIDTH / len(points), 3)
    columns: list[Column] = []
    path: list[str] = []
    for i, p in enumerate(points):
        x = round(i * w, 2)
        label = f"{p.start_at.astimezone(tz):%m-%d %H:%M} {p.scheduled:g} / {p.required}"
        columns.append(Column(x, round(height - p.scheduled * scale, 2), w, round(p.scheduled * scale, 2),
                              "scheduled", label))
        if p.gap > 0:
            columns.append(Column(x, round(height - p.required * scale, 2), w, round(p.gap * scale, 2), "gap", label))
        level = round(height - p.required * scale, 2)
        path.append(f"{'M' if i == 0 else 'L'}{x},{level} L{round(x + w, 2)},{level}")
    per_day = max(1, 1440 // interval_min)
    ticks = tuple((round(i * w, 2), p.start_at.astimezone(tz).strftime("%m-%d"))
                  for i, p in enumerate(points) if i % per_day == 0)
    y_ticks = tuple((round(height - v * scale, 2), f"{v:g}") for v in sorted({0, round(top / 2), top}))
    return CoverageChart(WIDTH, height, tuple(columns), " ".join(path), ticks, y_ticks,
                         sum(1 for p in points if p.gap > 0))


def state_strip(spans: Sequence[StateSpan], *, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> list[Bar]:
    """An agent's actual states over [start, end): on the phones or off them, as bars on the Gantt's axis."""
    px = WIDTH / ((end - start).total_seconds() / 60)
    out: list[Bar] = []
    for s in spans:
        a, b = max(s.start_at, start), min(s.end_at, end)
        if b <= a:
            continue
        kind = "phones" if s.state in PHONE_STATES else ("none" if s.state == "logged_out" else "off")
        out.append(Bar(_x(a, start, px), _x(b, start, px) - _x(a, start, px), kind,
                       f"{s.state} {_hm(s.start_at, tz)}–{_hm(s.end_at, tz)}"))
    return out
