"""Tenure of the people employed on a day, exits by reason, and where released people went.

Seed 001: frontline agents with two years' tenure or more were only 8 %; seed 000: a center
succeeds when the people it releases go on to other departments (选育留放).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from callops.errors import InvalidInput
from callops.people.records import ExitReason, Stint

__all__ = ["TenureBand", "ReasonCount", "BANDS", "tenure_distribution", "exits_by_reason", "released_destinations",
           "exits_between"]

# (label, first day, last day or None): tenure in completed days
BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3m", 0, 89), ("3-6m", 90, 181), ("6-12m", 182, 364), ("12-18m", 365, 546), ("18-24m", 547, 729),
    ("24m+", 730, None),
)


@dataclass(frozen=True, slots=True)
class TenureBand:
    band: str
    min_days: int
    max_days: int | None
    people: int
    share: float | None

    def as_dict(self) -> dict[str, object]:
        return {"band": self.band, "min_days": self.min_days, "max_days": self.max_days, "people": self.people,
                "share": self.share}


@dataclass(frozen=True, slots=True)
class ReasonCount:
    reason: str
    exits: int
    voluntary: bool
    release: bool
    share: float | None

    def as_dict(self) -> dict[str, object]:
        return {"reason": self.reason, "exits": self.exits, "voluntary": self.voluntary, "release": self.release,
                "share": self.share}


def tenure_distribution(stints: Sequence[Stint], *, as_of: dt.date) -> list[TenureBand]:
    """People employed on ``as_of`` by completed days since their hire date, in the bands of ``BANDS``."""
    tenures = [(as_of - s.hire_on).days for s in stints if s.employed_on(as_of)]
    total = len(tenures)
    out: list[TenureBand] = []
    for label, low, high in BANDS:
        n = sum(1 for t in tenures if t >= low and (high is None or t <= high))
        out.append(TenureBand(label, low, high, n, round(n / total, 6) if total else None))
    return out


def exits_between(stints: Sequence[Stint], *, date_from: dt.date, date_to: dt.date) -> list[Stint]:
    if date_to < date_from:
        raise InvalidInput(f"--to {date_to} is before --from {date_from}", field="to")
    return [s for s in stints if s.exit_on is not None and date_from <= s.exit_on <= date_to
            and s.exit_reason is not None]


def exits_by_reason(stints: Sequence[Stint], *, date_from: dt.date, date_to: dt.date) -> list[ReasonCount]:
    """Every reason (zero counts included), in the order of ExitReason."""
    counts = Counter(s.exit_reason for s in exits_between(stints, date_from=date_from, date_to=date_to))
    total = sum(counts.values())
    return [ReasonCount(r.value, counts[r], r.voluntary, r.release, round(counts[r] / total, 6) if total else None)
            for r in ExitReason]


def released_destinations(stints: Sequence[Stint], *, date_from: dt.date, date_to: dt.date) -> list[dict[str, object]]:
    """Released people (transferred out) by where they went, most first."""
    counts = Counter(s.destination or "(not recorded)"
                     for s in exits_between(stints, date_from=date_from, date_to=date_to)
                     if s.exit_reason is ExitReason.TRANSFERRED_OUT)
    return [{"destination": d, "people": n} for d, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
