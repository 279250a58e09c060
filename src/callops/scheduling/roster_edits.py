"""Changes to a roster an agent asks for (a shift swap, a day off) and the rule violations a change brings in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from callops.scheduling.roster_check import Violation
from callops.scheduling.roster_model import RosterShift

__all__ = ["introduced", "swapped", "without"]


def _find(shifts: Sequence[RosterShift], agent: str, start_at: dt.datetime) -> int:
    for i, s in enumerate(shifts):
        if s.agent == agent and s.start_at == start_at:
            return i
    raise LookupError(f"{agent} has no shift starting {start_at.isoformat()}")


def swapped(shifts: Sequence[RosterShift], agent: str, start_at: dt.datetime, other: str,
            other_start_at: dt.datetime) -> list[RosterShift]:
    """The shifts with ``agent``'s shift at ``start_at`` given to ``other`` and ``other``'s taken by ``agent``
    (breaks travel with their shift). LookupError when either shift is missing."""
    out = list(shifts)
    i, j = _find(out, agent, start_at), _find(out, other, other_start_at)
    mine, theirs = out[i], out[j]
    out[i] = RosterShift(other, mine.start_at, mine.end_at, mine.breaks)
    out[j] = RosterShift(agent, theirs.start_at, theirs.end_at, theirs.breaks)
    return out


def without(shifts: Sequence[RosterShift], agent: str, start_at: dt.datetime) -> list[RosterShift]:
    """The shifts less ``agent``'s at ``start_at`` (a day off). LookupError when it is missing."""
    out = list(shifts)
    del out[_find(out, agent, start_at)]
    return out


def introduced(before: Sequence[Violation], after: Sequence[Violation]) -> list[Violation]:
    """Violations of ``after`` that ``before`` did not have (same agent, rule and date): what a change breaks."""
    known = {(v.agent, v.rule, v.date) for v in before}
    return [v for v in after if (v.agent, v.rule, v.date) not in known]
