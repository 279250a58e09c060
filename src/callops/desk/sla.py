"""SLAs per category: minutes of business time to the first response and to resolution.

    policy = SlaPolicy.default()
    due = policy.due(Category.COMPLAINT, opened_at, calendar)   # Due(response_at, resolution_at)

Defaults (business minutes): complaints 60 / 8 h, repair orders 4 h / 24 h, the rest 4 h / 16 h; a
configuration may set any category (``{"complaint": {"first_response_min": 30, "resolution_min": 240}}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from callops.desk.calendar import BusinessCalendar
from callops.desk.tickets import Category, parse_choice
from callops.errors import InvalidInput

__all__ = ["SlaTarget", "SlaPolicy", "Due"]


@dataclass(frozen=True, slots=True)
class SlaTarget:
    first_response_min: float
    resolution_min: float

    def __post_init__(self) -> None:
        if not 0 < self.first_response_min <= self.resolution_min:
            raise InvalidInput(f"first response ({self.first_response_min} min) must be > 0 and not after "
                               f"resolution ({self.resolution_min} min)", field="first_response_min")


@dataclass(frozen=True, slots=True)
class Due:
    response_at: dt.datetime
    resolution_at: dt.datetime


_DEFAULTS = {Category.COMPLAINT: SlaTarget(60, 8 * 60), Category.REPAIR_ORDER: SlaTarget(4 * 60, 24 * 60)}
_OTHER = SlaTarget(4 * 60, 16 * 60)


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    targets: Mapping[Category, SlaTarget] = field(default_factory=lambda: dict(_DEFAULTS))
    fallback: SlaTarget = _OTHER

    @classmethod
    def default(cls) -> SlaPolicy:
        return cls()

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> SlaPolicy:
        """Targets per category from parsed YAML/JSON; a bad value is InvalidInput naming ``sla.<category>``."""
        targets = dict(_DEFAULTS)
        for key, value in data.items():
            category = parse_choice(Category, str(key), field="sla")
            if not isinstance(value, Mapping):
                raise InvalidInput("give first_response_min and resolution_min", field=f"sla.{category.value}")
            try:
                targets[category] = SlaTarget(float(value["first_response_min"]), float(value["resolution_min"]))
            except (KeyError, TypeError, ValueError):
                raise InvalidInput("give first_response_min and resolution_min as numbers",
                                   field=f"sla.{category.value}") from None
        return cls(targets=targets)

    def target(self, category: Category) -> SlaTarget:
        return self.targets.get(category, self.fallback)

    def due(self, category: Category, opened_at: dt.datetime, calendar: BusinessCalendar) -> Due:
        """When the first response and the resolution are due, counted in ``calendar``'s business hours."""
        target = self.target(category)
        return Due(calendar.add_business_minutes(opened_at, target.first_response_min),
                   calendar.add_business_minutes(opened_at, target.resolution_min))
