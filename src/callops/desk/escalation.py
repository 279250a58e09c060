"""Complaint escalation: tell the team lead before a complaint goes over their head (越级投诉, seed 001).

A complaint escalates when it is past its resolution SLA, when the customer has contacted us about it
``repeat_contacts`` times or more, or when the customer wants to escalate (a flag, or a keyword in the
notes such as 投诉到 / 12315 / 领导 / "escalate"). Levels say who is told:

    level 1: the team lead        (any one reason)
    level 2: the center manager   (two reasons, or past SLA by ``manager_after_min`` business minutes)

A level never falls: :func:`assess` is given the current level and returns the new one (or the same).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from callops.desk.calendar import BusinessCalendar
from callops.desk.tickets import OPEN_STATES, Category, TicketState
from callops.errors import InvalidInput

__all__ = ["EscalationRules", "EscalationReason", "Escalation", "assess", "NOTIFIED"]


class EscalationReason(StrEnum):
    PAST_SLA = "past_sla"
    REPEAT_CONTACTS = "repeat_contacts"
    WANTS_ESCALATION = "wants_escalation"


NOTIFIED = {1: "team_lead", 2: "manager"}  # who is told at each level


@dataclass(frozen=True, slots=True)
class EscalationRules:
    repeat_contacts: int = 3
    keywords: tuple[str, ...] = ("投诉到", "越级", "12315", "找领导", "媒体", "escalate", "supervisor")
    manager_after_min: float = 8 * 60

    def __post_init__(self) -> None:
        if self.repeat_contacts < 2:
            raise InvalidInput("repeat_contacts must be 2 or more", field="repeat_contacts")
        if self.manager_after_min < 0:
            raise InvalidInput("manager_after_min must not be negative", field="manager_after_min")

    def wants_escalation(self, text: str) -> bool:
        """Whether ``text`` (notes) says the customer wants to take it higher."""
        lowered = text.lower()
        return any(k.lower() in lowered for k in self.keywords)


@dataclass(frozen=True, slots=True)
class Escalation:
    level: int  # 0: none
    reasons: tuple[EscalationReason, ...]

    @property
    def notified(self) -> str | None:
        return NOTIFIED.get(self.level)


def assess(*, category: Category, state: TicketState, contacts: int, wants_escalation: bool,
           resolution_due_at: dt.datetime | None, now: dt.datetime, current_level: int,
           calendar: BusinessCalendar, rules: EscalationRules) -> Escalation:
    """The escalation of an open complaint now; other categories and closed tickets keep ``current_level``."""
    if category is not Category.COMPLAINT or state not in OPEN_STATES:
        return Escalation(current_level, ())
    reasons: list[EscalationReason] = []
    overdue_min = 0.0
    if resolution_due_at is not None and now > resolution_due_at:
        reasons.append(EscalationReason.PAST_SLA)
        overdue_min = calendar.business_minutes_between(resolution_due_at, now)
    if contacts >= rules.repeat_contacts:
        reasons.append(EscalationReason.REPEAT_CONTACTS)
    if wants_escalation:
        reasons.append(EscalationReason.WANTS_ESCALATION)
    level = 0
    if reasons:
        level = 2 if len(reasons) >= 2 or (overdue_min >= rules.manager_after_min > 0) else 1
    return Escalation(max(level, current_level), tuple(reasons))
