"""A saved roster as its pages show it: the shifts, the rule check and the coverage against the requirement.

The check and the coverage need what the roster was solved from (``store.roster_builds.RosterInputs``: the
agents' contracts, the requirement per interval, the rules); a roster saved without them shows its shifts only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from callops.scheduling.roster_breaks import coverage_rows
from callops.scheduling.roster_check import Violation, check_roster
from callops.scheduling.roster_model import RosterAgent, RosterShift
from callops.scheduling.roster_problem import build_problem
from callops.scheduling.work_rules import WorkRules, china_rules
from callops.services.roster_rules import parse_rules
from callops.store.roster_builds import RosterInputs, load_inputs
from callops.store.rosters import StoredRoster, neighbour_shifts

__all__ = [
    "CoveragePoint",
    "RosterView",
    "check_in_context",
    "check_shifts",
    "coverage",
    "edge_shifts",
    "published_around",
    "roster_view",
    "rules_of",
]


@dataclass(frozen=True, slots=True)
class CoveragePoint:
    start_at: dt.datetime
    required: int
    scheduled: float  # agents on the phones, breaks taken out

    @property
    def gap(self) -> float:
        return max(0.0, self.required - self.scheduled)


@dataclass(frozen=True, slots=True)
class RosterView:
    roster: StoredRoster
    inputs: RosterInputs | None
    violations: list[Violation] | None  # None: no inputs kept to check against
    coverage: list[CoveragePoint]
    interval_min: int
    context_shifts: int = 0  # shifts of the adjacent published rosters the check read with this one

    @property
    def shortfall(self) -> float:
        return sum(p.gap for p in self.coverage)


def rules_of(inputs: RosterInputs) -> WorkRules:
    return china_rules() if inputs.rules_text is None else parse_rules(inputs.rules_text, file="rules")


def check_shifts(roster: StoredRoster, inputs: RosterInputs, shifts: Sequence[RosterShift],
                 rules: WorkRules | None = None, *, context: Sequence[RosterShift] = ()) -> list[Violation]:
    """Every hard rule on ``shifts`` (the roster's or a changed copy), with the roster's weeks and days, and with
    ``context`` (the shifts of other published rosters around it, see :func:`edge_shifts`) across its edges."""
    return check_roster(shifts, inputs.agents, rules or rules_of(inputs), tz=zoneinfo.ZoneInfo(roster.tz),
                        week_start=roster.first_day, last_day=roster.last_day, context=context)


EDGE_DAYS = 14  # how far before and after a roster the other rosters' shifts are checked with it


def edge_shifts(conn: sa.Connection, roster: StoredRoster, agents: Collection[str]) -> list[RosterShift]:
    """The shifts of ``agents`` in the other published rosters within :data:`EDGE_DAYS` days before and after
    ``roster`` (on its days too, when rosters overlap)."""
    return published_around(conn, agents, tz=zoneinfo.ZoneInfo(roster.tz), first_day=roster.first_day,
                            last_day=roster.last_day, other_than=roster.name)


def published_around(conn: sa.Connection, agents: Collection[str], *, tz: zoneinfo.ZoneInfo, first_day: dt.date,
                     last_day: dt.date, other_than: str | None = None,
                     outside_only: bool = False) -> list[RosterShift]:
    """The shifts of ``agents`` in the newest published version of every roster but ``other_than``, within
    :data:`EDGE_DAYS` days before ``first_day`` and after ``last_day``. ``outside_only``: leave out those on
    ``first_day`` .. ``last_day`` themselves (a roster file checked for those days stands in for them)."""
    start = dt.datetime.combine(first_day - dt.timedelta(days=EDGE_DAYS), dt.time(), tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=EDGE_DAYS + 1), dt.time(), tz)
    around = neighbour_shifts(conn, agents, start, end, other_than=other_than)
    if outside_only:
        around = [s for s in around if not first_day <= s.start_at.astimezone(tz).date() <= last_day]
    return around


def check_in_context(shifts: Sequence[RosterShift], agents: Sequence[RosterAgent], rules: WorkRules, *,
                     tz: zoneinfo.ZoneInfo, first_day: dt.date, last_day: dt.date,
                     context: Sequence[RosterShift]) -> list[Violation]:
    """Every hard rule on ``shifts`` read together with ``context`` (the adjacent published rosters' shifts):
    rest across the edges, days and nights in a row, the 7-day blocks and the comprehensive-hours periods that
    reach across them. The violations the context has on its own (the same agent, rule, date and detail without
    ``shifts``) belong to those rosters and are left out; one that ``shifts`` makes worse (44 h where the other
    roster alone has 42 h) stays."""
    mine = check_roster(shifts, agents, rules, tz=tz, week_start=first_day, last_day=last_day, context=context)
    if not context:
        return mine
    theirs = check_roster(context, agents, rules, tz=tz, week_start=first_day, last_day=last_day)
    known = {(v.agent, v.rule, v.date, v.detail) for v in theirs}
    return [v for v in mine if (v.agent, v.rule, v.date, v.detail) not in known]


def coverage(roster: StoredRoster, inputs: RosterInputs, shifts: Sequence[RosterShift],
             rules: WorkRules | None = None) -> list[CoveragePoint]:
    """Required and scheduled agents per interval over the roster's days (skills added together)."""
    rules = rules or rules_of(inputs)
    problem = build_problem(rules=rules, agents=inputs.agents, requirements=inputs.requirements,
                            first_day=roster.first_day, last_day=roster.last_day, tz=zoneinfo.ZoneInfo(roster.tz))
    by_start: dict[dt.datetime, list[float]] = {}
    for row in coverage_rows(problem, shifts):
        point = by_start.setdefault(row.start_at, [0.0, 0.0])
        point[0] += row.required
        point[1] += row.scheduled
    return [CoveragePoint(at, round(req), round(got, 3)) for at, (req, got) in sorted(by_start.items())]


def roster_view(conn: sa.Connection, roster: StoredRoster) -> RosterView:
    inputs = load_inputs(conn, roster.roster_id, roster.tz)
    if inputs is None:
        return RosterView(roster, None, None, [], 30)
    rules = rules_of(inputs)
    around = edge_shifts(conn, roster, {a.agent for a in inputs.agents})
    violations = check_in_context(roster.shifts, inputs.agents, rules, tz=zoneinfo.ZoneInfo(roster.tz),
                                  first_day=roster.first_day, last_day=roster.last_day, context=around)
    return RosterView(roster, inputs, violations, coverage(roster, inputs, roster.shifts, rules), rules.interval_min,
                      len(around))
