"""Tickets: their states and the moves between them, categories, priorities.

    new ──assign──> assigned ──start──> in_progress ──> waiting_customer / waiting_department ──> in_progress
     │                 │                    │                                                      │
     └─────────────────┴────────────────────┴──────────────────> resolved ──close──> closed         │
                                                                     │                  │           │
                                                                     └──reopen──────────┴──> in_progress

A move the current state cannot make is a :class:`TransitionError` naming both states and the allowed ones.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from callops.errors import InvalidInput

__all__ = ["TicketState", "Category", "Priority", "TRANSITIONS", "TransitionError", "check_transition",
           "allowed_targets", "OPEN_STATES", "is_reopen", "parse_choice"]


class TicketState(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_DEPARTMENT = "waiting_department"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Category(StrEnum):
    """What the customer called about (seed 003): the default category tree's top level."""

    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    REPAIR_ORDER = "repair_order"
    TRANSFER = "transfer"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


_S = TicketState
TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    _S.NEW: frozenset({_S.ASSIGNED, _S.IN_PROGRESS, _S.RESOLVED}),
    _S.ASSIGNED: frozenset({_S.ASSIGNED, _S.IN_PROGRESS, _S.RESOLVED}),  # assigned again: a hand-over
    _S.IN_PROGRESS: frozenset({_S.ASSIGNED, _S.WAITING_CUSTOMER, _S.WAITING_DEPARTMENT, _S.RESOLVED}),
    _S.WAITING_CUSTOMER: frozenset({_S.IN_PROGRESS, _S.WAITING_DEPARTMENT, _S.RESOLVED}),
    _S.WAITING_DEPARTMENT: frozenset({_S.IN_PROGRESS, _S.WAITING_CUSTOMER, _S.RESOLVED}),
    _S.RESOLVED: frozenset({_S.CLOSED, _S.IN_PROGRESS}),  # back to in_progress: reopened
    _S.CLOSED: frozenset({_S.IN_PROGRESS}),  # reopened
}
OPEN_STATES = frozenset(s for s in TicketState if s not in {_S.RESOLVED, _S.CLOSED})


class TransitionError(InvalidInput):
    """A ticket moved to a state its current state cannot reach (field ``state``)."""

    def __init__(self, current: TicketState, target: TicketState) -> None:
        self.current, self.target = current, target
        allowed = ", ".join(sorted(allowed_targets(current)))
        super().__init__(f"a ticket in state {current.value} cannot move to {target.value}; from {current.value} "
                         f"it can move to {allowed}", field="state")


def allowed_targets(current: TicketState) -> frozenset[TicketState]:
    """The states a ticket in ``current`` may move to."""
    return TRANSITIONS[current]


def check_transition(current: TicketState, target: TicketState) -> None:
    """Raise :class:`TransitionError` unless ``current`` may move to ``target``."""
    if target not in TRANSITIONS[current]:
        raise TransitionError(current, target)


def is_reopen(current: TicketState, target: TicketState) -> bool:
    """Whether the move reopens a resolved or closed ticket."""
    return current in {_S.RESOLVED, _S.CLOSED} and target not in {_S.RESOLVED, _S.CLOSED}


_E = TypeVar("_E", bound=StrEnum)


def parse_choice(kind: type[_E], text: str, *, field: str) -> _E:
    """``text`` (any case, spaces or dashes for underscores) as a member of ``kind``; else InvalidInput naming
    ``field`` and the choices."""
    value = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{text!r} is not one of {', '.join(m.value for m in kind)}", field=field) from None
