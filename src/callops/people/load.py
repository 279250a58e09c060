"""Emotional load (seeds 001, 003, 004): distressing-call exposure per agent and week, recovery taken vs due.

A distressing call is an answered call the agent recorded as a complaint. Recovery due is
``RECOVERY_DUE_S`` per distressing call (seed 003: one to two minutes of recovery); taken is the
time in the ``recovery`` state. ``longest_streak`` counts distressing calls answered one after the
other with no other call between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RECOVERY_DUE_S", "LoadWeek", "longest_streak"]

RECOVERY_DUE_S = 90.0


def longest_streak(flags: Sequence[bool]) -> int:
    """The longest run of True in calls taken in order."""
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


@dataclass(frozen=True, slots=True)
class LoadWeek:
    person: str
    week_start: str  # the Monday, local date
    answered: int
    distressing: int
    longest_streak: int
    recovery_taken_s: float

    @property
    def distressing_share(self) -> float | None:
        return round(self.distressing / self.answered, 6) if self.answered else None

    @property
    def recovery_due_s(self) -> float:
        return self.distressing * RECOVERY_DUE_S

    @property
    def recovery_ratio(self) -> float | None:
        """Taken / due: under 1 means recovery was cut short."""
        return round(self.recovery_taken_s / self.recovery_due_s, 6) if self.distressing else None

    def as_dict(self) -> dict[str, object]:
        return {"person": self.person, "week_start": self.week_start, "answered": self.answered,
                "distressing": self.distressing, "distressing_share": self.distressing_share,
                "longest_streak": self.longest_streak, "recovery_due_s": self.recovery_due_s,
                "recovery_taken_s": round(self.recovery_taken_s, 3), "recovery_ratio": self.recovery_ratio}
