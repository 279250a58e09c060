"""A new hire as a fraction of an experienced agent, by week of tenure; the effective headcount of a staffing plan.

A **ramp table** gives, for tenure weeks 1..n (week 1 = the hire day and six more, as ``callops.people.ramp``),
the fraction of an experienced agent's output a new hire gives; from week n + 1 on they count as 1.

Where the table comes from, in order: one set by the site (``callops people ramp-table --set``); else
**measured** from the learning curve: productivity taken as calls per handle time, so week w's fraction is
``experienced AHT / AHT in week w`` (capped at 1), where *experienced AHT* is the pooled AHT of the same
hires in weeks ``RAMP_WEEKS + 1 .. REFERENCE_WEEKS`` (after the ramp); a week with fewer than ``MIN_CALLS``
calls keeps the default; else the **default** table (``DEFAULT_RAMP``: a quarter of an agent in week 1, full
from week 13 -- a common rule of thumb, not a measurement).

``effective_headcount`` weighs each person by the fraction of their tenure week on a day; people with no
hire date known (no people record) count as experienced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from callops.errors import InvalidInput
from callops.people.ramp import RampPoint

__all__ = [
    "DEFAULT_RAMP",
    "RAMP_WEEKS",
    "REFERENCE_WEEKS",
    "MIN_CALLS",
    "RampTable",
    "EffectiveHeadcount",
    "parse_ramp_table",
    "from_stored",
    "measured_ramp_table",
    "tenure_week",
    "effective_headcount",
]

RAMP_WEEKS = 12
REFERENCE_WEEKS = 26
MIN_CALLS = 30
MAX_TABLE_WEEKS = 52
DEFAULT_RAMP: tuple[float, ...] = (0.25, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.9, 0.95, 0.95)


@dataclass(frozen=True, slots=True)
class RampTable:
    fractions: tuple[float, ...]  # fractions[w - 1] for tenure week w; 1.0 after the last
    source: str  # "set", "measured" or "default"
    measured_weeks: tuple[int, ...] = ()  # the weeks a measurement gave (the others: the default)
    reference_aht_s: float | None = None

    def fraction(self, week: int) -> float:
        if week < 1:
            return 0.0  # not hired yet
        return self.fractions[week - 1] if week <= len(self.fractions) else 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "weeks": [{"week": w, "fraction": f} for w, f in enumerate(self.fractions, 1)],
            "measured_weeks": list(self.measured_weeks),
            "reference_aht_s": self.reference_aht_s,
        }


def _checked(fractions: Sequence[float], field: str) -> tuple[float, ...]:
    if not fractions:
        raise InvalidInput("a ramp table has at least week 1", field=field)
    if len(fractions) > MAX_TABLE_WEEKS:
        raise InvalidInput(f"a ramp table has at most {MAX_TABLE_WEEKS} weeks", field=field)
    for week, value in enumerate(fractions, 1):
        if not 0 < value <= 1:
            raise InvalidInput(f"week {week}: a fraction is above 0 and at most 1, not {value}", field=field)
    return tuple(float(f) for f in fractions)


def parse_ramp_table(text: str, *, field: str = "ramp") -> RampTable:
    """``"1=0.3, 2=0.5, 3=0.7"`` (weeks 1..n, each once, none missing) as a table set by the site."""
    found: dict[int, float] = {}
    for part in text.replace("\n", ",").split(","):
        item = part.strip()
        if not item:
            continue
        week_text, sep, value_text = item.replace(":", "=").partition("=")
        try:
            week, value = int(week_text), float(value_text)
        except ValueError:
            raise InvalidInput(f"{item!r} is not WEEK=FRACTION (e.g. 1=0.3)", field=field) from None
        if not sep or week in found:
            raise InvalidInput(f"{item!r}: each week once, as WEEK=FRACTION", field=field)
        found[week] = value
    if sorted(found) != list(range(1, len(found) + 1)):
        raise InvalidInput("weeks run 1, 2, 3 ... without a gap", field=field)
    return RampTable(_checked([found[w] for w in sorted(found)], field), "set")


def from_stored(value: object) -> RampTable | None:
    """The site's table as stored (a list of fractions), or None."""
    if not isinstance(value, list) or not value:
        return None
    try:
        return RampTable(_checked([float(v) for v in value], "ramp"), "set")
    except (InvalidInput, TypeError, ValueError):
        return None


def measured_ramp_table(points: Sequence[RampPoint]) -> RampTable:
    """The table measured from learning curves (``ramp_curves`` over ``REFERENCE_WEEKS`` weeks); the default
    where too few calls were measured, and the default throughout without an experienced reference."""
    ref_calls = sum(p.calls for p in points if RAMP_WEEKS < p.week <= REFERENCE_WEEKS)
    ref_handle = sum((p.aht_s or 0.0) * p.calls for p in points if RAMP_WEEKS < p.week <= REFERENCE_WEEKS)
    if ref_calls < MIN_CALLS or ref_handle <= 0:
        return RampTable(DEFAULT_RAMP, "default")
    reference = ref_handle / ref_calls
    by_week: dict[int, tuple[int, float]] = {}
    for p in points:
        if p.week <= RAMP_WEEKS and p.calls:
            calls, handle = by_week.get(p.week, (0, 0.0))
            by_week[p.week] = (calls + p.calls, handle + (p.aht_s or 0.0) * p.calls)
    fractions = list(DEFAULT_RAMP)
    measured = []
    for week, (calls, handle) in sorted(by_week.items()):
        if calls >= MIN_CALLS and handle > 0:
            fractions[week - 1] = round(min(1.0, reference / (handle / calls)), 4)
            measured.append(week)
    if not measured:
        return RampTable(DEFAULT_RAMP, "default", reference_aht_s=round(reference, 3))
    return RampTable(tuple(fractions), "measured", tuple(measured), round(reference, 3))


def tenure_week(hire_on: dt.date, day: dt.date) -> int:
    """Week of tenure on ``day``: 1 for the hire day and the six after it; 0 before the hire."""
    return 0 if day < hire_on else (day - hire_on).days // 7 + 1


@dataclass(frozen=True, slots=True)
class EffectiveHeadcount:
    on: dt.date
    headcount: int
    new_hires: int  # people within the ramp table's weeks
    effective: float
    people: tuple[tuple[str, int | None, float], ...]  # (person, tenure week or None, fraction)

    def as_dict(self) -> dict[str, object]:
        return {
            "on": self.on.isoformat(),
            "headcount": self.headcount,
            "new_hires": self.new_hires,
            "effective": self.effective,
            "people": [{"person": p, "week": w, "fraction": f} for p, w, f in self.people],
        }


def effective_headcount(hired_on: Mapping[str, dt.date | None], *, on: dt.date, table: RampTable) -> EffectiveHeadcount:
    """``hired_on``: each person's hire day of their current stint (None: unknown, counts as 1); people hired
    after ``on`` are left out."""
    people: list[tuple[str, int | None, float]] = []
    for person, hire in sorted(hired_on.items()):
        if hire is not None and hire > on:
            continue
        if hire is None:
            people.append((person, None, 1.0))
            continue
        week = tenure_week(hire, on)
        people.append((person, week, table.fraction(week)))
    new = sum(1 for _, w, f in people if w is not None and f < 1.0)
    return EffectiveHeadcount(on, len(people), new, round(sum(f for _, _, f in people), 4), tuple(people))
