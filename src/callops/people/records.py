"""People records: positions, exit reasons, position spells and employment stints (seeds 000, 001, 003).

A person's history is a run of *spells*: a position in a team from ``start_on`` up to (not
including) ``end_on``. Contiguous spells form one *stint* of employment, from the hire date to
the exit date. An exit date is the first day the person no longer works here: someone who
leaves on day d is counted in the headcount up to d - 1. Dates are calendar dates in the site's
zone (HR dates carry no clock time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Position", "ExitReason", "Spell", "Stint", "EARLY_EXIT_DAYS"]

EARLY_EXIT_DAYS = 90  # an exit within 90 days of the hire date is an early exit


class Position(StrEnum):
    """Positions in the center, ranked: agent < senior < lead < supervisor; qa and trainer rank with senior."""

    AGENT = "agent"
    SENIOR = "senior"
    QA = "qa"
    TRAINER = "trainer"
    LEAD = "lead"
    SUPERVISOR = "supervisor"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Position.AGENT: 0, Position.SENIOR: 1, Position.QA: 1, Position.TRAINER: 1, Position.LEAD: 2,
         Position.SUPERVISOR: 3}


class ExitReason(StrEnum):
    """Why a stint ended. Seed 001's three main reasons are pay, monotony and no growth."""

    PAY = "pay"
    MONOTONY = "monotony"
    NO_GROWTH = "no_growth"
    STUDY = "study"
    HEALTH = "health"
    OTHER = "other"
    DISMISSED = "dismissed"
    TRANSFERRED_OUT = "transferred_out"  # a planned release to another department (选育留放's 放)

    @property
    def voluntary(self) -> bool:
        """The person chose to leave: neither dismissed nor released on purpose."""
        return self not in (ExitReason.DISMISSED, ExitReason.TRANSFERRED_OUT)

    @property
    def release(self) -> bool:
        """A planned release (transfer out, promotion elsewhere) rather than a loss."""
        return self is ExitReason.TRANSFERRED_OUT


@dataclass(frozen=True, slots=True)
class Spell:
    """One position in one team, from ``start_on`` up to the day before ``end_on`` (None: still)."""

    start_on: dt.date
    end_on: dt.date | None
    team: str | None
    position: Position
    contract: str | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start_on <= day and (self.end_on is None or day < self.end_on)


@dataclass(frozen=True, slots=True)
class Stint:
    """One continuous period of employment of one person: contiguous spells, then maybe an exit."""

    person: str
    spells: tuple[Spell, ...]
    exit_reason: ExitReason | None = None
    destination: str | None = None  # where a released person went (seed 000's measure of success)
    lead: str | None = None  # the lead of the team at the stint's last spell, filled in by the store

    @property
    def hire_on(self) -> dt.date:
        return self.spells[0].start_on

    @property
    def exit_on(self) -> dt.date | None:
        return self.spells[-1].end_on

    def employed_on(self, day: dt.date) -> bool:
        """Counted in the headcount of ``day``: hired on or before it and not yet left."""
        return self.hire_on <= day and (self.exit_on is None or day < self.exit_on)

    def spell_on(self, day: dt.date) -> Spell | None:
        for spell in self.spells:
            if spell.covers(day):
                return spell
        return None

    def last_spell_before(self, day: dt.date) -> Spell:
        """The spell on ``day - 1`` (the one a person leaving on ``day`` left from), else the last one."""
        return self.spell_on(day - dt.timedelta(days=1)) or self.spells[-1]

    def tenure_days(self, as_of: dt.date) -> int:
        """Days employed up to the exit, or up to ``as_of`` while still employed."""
        end = self.exit_on if self.exit_on is not None and self.exit_on <= as_of else as_of
        return (end - self.hire_on).days

    @property
    def moved(self) -> bool:
        """Had a promotion or a team move inside the center during the stint (seed 001: they stay)."""
        return any(b.position.rank > a.position.rank or b.team != a.team
                   for a, b in zip(self.spells, self.spells[1:], strict=False))

    @property
    def promoted(self) -> bool:
        return any(b.position.rank > a.position.rank for a, b in zip(self.spells, self.spells[1:], strict=False))

    @property
    def early_exit(self) -> bool:
        return self.exit_on is not None and (self.exit_on - self.hire_on).days <= EARLY_EXIT_DAYS
