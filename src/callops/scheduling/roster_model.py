"""What a roster is made of: agents with contracts, requirements, shifts with breaks, and a roster.

Datetimes are timezone-aware; requirements and shifts carry the site's local zone so that days,
weekends and nights are the site's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callops.scheduling.work_rules import WorkSystem

__all__ = ["ANY_SKILL", "RosterAgent", "Requirement", "Roster", "RosterBreak", "RosterShift"]

ANY_SKILL = "*"


@dataclass(frozen=True, slots=True)
class RosterAgent:
    agent: str
    system: WorkSystem
    skills: frozenset[str] = frozenset()
    weekly_hours: float | None = None  # contract hours a week, when below the system's cap
    unavailable: frozenset[dt.date] = frozenset()
    prefer_off: frozenset[dt.date] = frozenset()
    team: str | None = None

    def can_serve(self, skill: str) -> bool:
        return skill == ANY_SKILL or not self.skills or skill in self.skills


@dataclass(frozen=True, slots=True)
class Requirement:
    start_at: dt.datetime
    required: int
    skill: str = ANY_SKILL


@dataclass(frozen=True, slots=True)
class RosterBreak:
    start_at: dt.datetime
    end_at: dt.datetime
    kind: str  # meal, rest, huddle
    paid: bool


@dataclass(frozen=True, slots=True)
class RosterShift:
    agent: str
    start_at: dt.datetime
    end_at: dt.datetime
    breaks: tuple[RosterBreak, ...] = ()

    @property
    def day(self) -> dt.date:
        """The day the shift belongs to: the local date it starts on."""
        return self.start_at.date()

    @property
    def worked_min(self) -> int:
        """Paid minutes: the span less unpaid breaks."""
        span = (self.end_at - self.start_at).total_seconds() / 60
        unpaid = sum((b.end_at - b.start_at).total_seconds() / 60 for b in self.breaks if not b.paid)
        return round(span - unpaid)

    def off_phone(self) -> list[tuple[dt.datetime, dt.datetime]]:
        return [(b.start_at, b.end_at) for b in self.breaks]


@dataclass(frozen=True, slots=True)
class Roster:
    shifts: tuple[RosterShift, ...]
    first_day: dt.date
    last_day: dt.date

    def of_agent(self, agent: str) -> list[RosterShift]:
        return sorted((s for s in self.shifts if s.agent == agent), key=lambda s: s.start_at)
