"""Team activity slots on the roster (seed 003's morning activity): when a lead's people are off the phones together.

The roster solver already places a team activity (``callops.scheduling.work_rules.Activity``, the 08:30
huddle by default) as an off-phone piece at the start of the shifts that begin at its times; rosters store
it among the shift's breaks with the activity's kind. This module gathers those pieces of the published
shifts of a set of people into slots: one per local day, start, end and kind, with who attends.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from callops.scheduling.roster_model import RosterShift

__all__ = ["BREAK_KINDS", "ActivitySlot", "activity_slots"]

BREAK_KINDS = frozenset({"meal", "rest"})  # breaks; any other kind of off-phone piece is an activity


@dataclass(frozen=True, slots=True)
class ActivitySlot:
    day: dt.date
    start: str  # local HH:MM
    end: str
    kind: str
    agents: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "agents": list(self.agents),
        }


def activity_slots(
    shifts: Iterable[RosterShift], people: set[str] | None, *, tz: zoneinfo.ZoneInfo
) -> list[ActivitySlot]:
    """The activity pieces of ``shifts`` (of ``people`` when given) as slots, by day and start."""
    found: dict[tuple[dt.date, str, str, str], set[str]] = {}
    for shift in shifts:
        if people is not None and shift.agent not in people:
            continue
        for piece in shift.breaks:
            if piece.kind in BREAK_KINDS:
                continue
            start, end = piece.start_at.astimezone(tz), piece.end_at.astimezone(tz)
            key = (start.date(), start.strftime("%H:%M"), end.strftime("%H:%M"), piece.kind)
            found.setdefault(key, set()).add(shift.agent)
    return [
        ActivitySlot(day, start, end, kind, tuple(sorted(agents)))
        for (day, start, end, kind), agents in sorted(found.items())
    ]
