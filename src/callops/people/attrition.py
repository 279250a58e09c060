"""Attrition by period: headcount at both ends, hires, exits, rates (seed 000: half the agents leave).

Headcount of a day = stints hired on or before that day whose exit date is after it (someone who
leaves on day d is counted up to d - 1). For a period [first, last]:

- ``headcount_start`` = headcount of ``first``; ``headcount_end`` = headcount of ``last``;
- ``hires`` = stints whose hire date falls in the period; ``exits`` = stints whose exit date does;
- ``attrition_rate`` = exits / mean(headcount_start, headcount_end), None when that mean is 0;
- ``annualised_attrition`` = attrition_rate x periods per year (12, 4, 1), scaled by
  full days / covered days when ``--from``/``--to`` cut a period short.

Periods are calendar months, quarters or years cut to [date_from, date_to]. With ``by`` a row per
group: the team (or lead, contract, position) of the spell on that day; an exit counts for the group
of the day before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from callops.errors import InvalidInput
from callops.people.records import Spell, Stint

__all__ = ["Grain", "GroupBy", "AttritionRow", "periods", "attrition", "MAX_PERIODS"]

MAX_PERIODS = 600


class Grain(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def per_year(self) -> int:
        return {Grain.MONTH: 12, Grain.QUARTER: 4, Grain.YEAR: 1}[self]


class GroupBy(StrEnum):
    TEAM = "team"
    LEAD = "lead"
    CONTRACT = "contract"
    POSITION = "position"
    COHORT = "cohort"  # hire month


@dataclass(frozen=True, slots=True)
class AttritionRow:
    period: str
    first_day: dt.date
    last_day: dt.date
    group: str | None
    headcount_start: int
    headcount_end: int
    hires: int
    exits: int
    voluntary_exits: int
    early_exits: int
    released: int
    attrition_rate: float | None
    annualised_attrition: float | None

    def as_dict(self, *, group_key: str | None = None) -> dict[str, object]:
        out: dict[str, object] = {"period": self.period}
        if group_key is not None:
            out[group_key] = self.group
        out.update(first_day=self.first_day.isoformat(), last_day=self.last_day.isoformat(),
                   headcount_start=self.headcount_start, headcount_end=self.headcount_end, hires=self.hires,
                   exits=self.exits, voluntary_exits=self.voluntary_exits, early_exits=self.early_exits,
                   released=self.released, attrition_rate=self.attrition_rate,
                   annualised_attrition=self.annualised_attrition)
        return out


def _period_of(day: dt.date, grain: Grain) -> tuple[str, dt.date, dt.date]:
    """The label, first and last day of the calendar period holding ``day``."""
    if grain is Grain.MONTH:
        first = day.replace(day=1)
        label = f"{day.year:04d}-{day.month:02d}"
        months = 1
    elif grain is Grain.QUARTER:
        q = (day.month - 1) // 3
        first = dt.date(day.year, 3 * q + 1, 1)
        label = f"{day.year:04d}-Q{q + 1}"
        months = 3
    else:
        first = dt.date(day.year, 1, 1)
        label = f"{day.year:04d}"
        months = 12
    y, m = divmod(first.month - 1 + months, 12)
    after = dt.date(first.year + y, m + 1, 1)
    return label, first, after - dt.timedelta(days=1)


def periods(date_from: dt.date, date_to: dt.date, grain: Grain) -> list[tuple[str, dt.date, dt.date, float]]:
    """(label, first, last, annualising factor) for each calendar period cut to [date_from, date_to]."""
    if date_to < date_from:
        raise InvalidInput(f"--to {date_to} is before --from {date_from}", field="to")
    out: list[tuple[str, dt.date, dt.date, float]] = []
    day = date_from
    while day <= date_to:
        label, first, last = _period_of(day, grain)
        cut_first, cut_last = max(first, date_from), min(last, date_to)
        full = (last - first).days + 1
        covered = (cut_last - cut_first).days + 1
        out.append((label, cut_first, cut_last, grain.per_year * full / covered))
        if len(out) > MAX_PERIODS:
            raise InvalidInput(f"more than {MAX_PERIODS} periods; choose a coarser grain or a shorter span",
                               field="grain")
        day = last + dt.timedelta(days=1)
    return out


def _group_of(by: GroupBy | None) -> Callable[[Stint, Spell], str | None]:
    if by is None:
        return lambda stint, spell: None
    if by is GroupBy.TEAM:
        return lambda stint, spell: spell.team
    if by is GroupBy.CONTRACT:
        return lambda stint, spell: spell.contract
    if by is GroupBy.POSITION:
        return lambda stint, spell: spell.position.value
    if by is GroupBy.LEAD:
        return lambda stint, spell: stint.lead
    return lambda stint, spell: f"{stint.hire_on.year:04d}-{stint.hire_on.month:02d}"


def attrition(stints: Sequence[Stint], *, date_from: dt.date, date_to: dt.date, grain: Grain,
              by: GroupBy | None = None) -> list[AttritionRow]:
    """One row per period (and group, sorted with None last) as defined in the module docstring."""
    group_of = _group_of(by)
    rows: list[AttritionRow] = []
    for label, first, last, factor in periods(date_from, date_to, grain):
        counts: dict[str | None, list[int]] = {}

        def add(group: str | None, slot: int, counts: dict[str | None, list[int]] = counts) -> None:
            counts.setdefault(group, [0] * 7)[slot] += 1

        for stint in stints:
            for slot, day in ((0, first), (1, last)):
                spell = stint.spell_on(day)
                if spell is not None:
                    add(group_of(stint, spell), slot)
            if first <= stint.hire_on <= last:
                add(group_of(stint, stint.spells[0]), 2)
            exit_on = stint.exit_on
            if exit_on is not None and first <= exit_on <= last and stint.exit_reason is not None:
                group = group_of(stint, stint.last_spell_before(exit_on))
                add(group, 3)
                if stint.exit_reason.voluntary:
                    add(group, 4)
                if stint.early_exit:
                    add(group, 5)
                if stint.exit_reason.release:
                    add(group, 6)
        groups = sorted(counts, key=lambda g: (g is None, g or "")) if by is not None else [None]
        for group in groups:
            c = counts.get(group, [0] * 7)
            mean = (c[0] + c[1]) / 2
            rate = c[3] / mean if mean > 0 else None
            rows.append(AttritionRow(period=label, first_day=first, last_day=last, group=group,
                                     headcount_start=c[0], headcount_end=c[1], hires=c[2], exits=c[3],
                                     voluntary_exits=c[4], early_exits=c[5], released=c[6],
                                     attrition_rate=None if rate is None else round(rate, 6),
                                     annualised_attrition=None if rate is None else round(rate * factor, 6)))
    return rows
