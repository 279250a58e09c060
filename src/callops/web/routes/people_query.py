"""What the people pages and API share: the span/grain query, with defaults, validated at the edge (no router)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callops.errors import InvalidInput
from callops.people import Grain, GroupBy, SurvivalBy
from callops.web.filters import parse_date

__all__ = ["PeopleQuery", "people_query"]


@dataclass(frozen=True, slots=True)
class PeopleQuery:
    date_from: dt.date
    date_to: dt.date
    grain: Grain
    by: GroupBy | None
    survival_by: SurvivalBy | None
    as_of: dt.date


def _choice(value: str | None, kind: type[Grain] | type[GroupBy] | type[SurvivalBy], field: str) -> str | None:
    if not value:
        return None
    if value not in {k.value for k in kind}:
        raise InvalidInput(f"{value!r} is not one of {', '.join(k.value for k in kind)}", field=field)
    return value


def people_query(*, today: dt.date, date_from: str | None, date_to: str | None, grain: str | None,
                 by: str | None, survival_by: str | None, as_of: str | None) -> PeopleQuery:
    """Defaults: the twelve months up to today, by month, survival as of the last day."""
    last = parse_date(date_to, field="to") or today
    month = last.month - 11
    first = parse_date(date_from, field="from") or dt.date(last.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    grain_value = _choice(grain, Grain, "grain") or Grain.MONTH.value
    by_value = _choice(by, GroupBy, "by")
    survival_value = _choice(survival_by, SurvivalBy, "survival_by")
    return PeopleQuery(date_from=first, date_to=last, grain=Grain(grain_value),
                       by=GroupBy(by_value) if by_value else None,
                       survival_by=SurvivalBy(survival_value) if survival_value else None,
                       as_of=parse_date(as_of, field="as_of") or last)
