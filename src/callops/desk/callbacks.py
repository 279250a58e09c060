"""Callbacks (回访): whom to call back, by when, and what an attempt's outcome does.

Three sources: a resolved ticket (a satisfaction follow-up), an abandoned call (call the caller back within
``within_min`` minutes unless they got through meanwhile — a common Chinese hotline practice) and the IVR's
callback option (a call with outcome ``callback``). A callback is *due* until its due time and *overdue*
after; an attempt either reaches the customer (done) or counts toward ``max_attempts`` (then failed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from callops.errors import InvalidInput

__all__ = ["CallbackSource", "CallbackStatus", "AttemptOutcome", "MissedCall", "PlannedCallback",
           "plan_missed_callbacks", "after_attempt", "is_overdue", "MAX_ATTEMPTS"]

MAX_ATTEMPTS = 3


class CallbackSource(StrEnum):
    TICKET = "ticket"
    ABANDONED = "abandoned"
    IVR = "ivr"
    AGENT = "agent"  # set by the agent on the contact form


class CallbackStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AttemptOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"


@dataclass(frozen=True, slots=True)
class MissedCall:
    """An inbound call that did not reach an agent: abandoned, or an IVR callback request."""

    call_id: int
    phone: str
    at: dt.datetime
    ivr_request: bool = False


@dataclass(frozen=True, slots=True)
class PlannedCallback:
    call_id: int
    phone: str
    source: CallbackSource
    due_at: dt.datetime


def plan_missed_callbacks(missed: Sequence[MissedCall], answered_at: Mapping[str, Sequence[dt.datetime]], *,
                          within_min: float) -> list[PlannedCallback]:
    """One callback per number for its latest missed call, due ``within_min`` after it, unless an inbound call
    from that number was answered after it (the caller got through)."""
    if not 0 < within_min <= 7 * 24 * 60:
        raise InvalidInput("within_min must be between 1 minute and 7 days", field="within_min")
    latest: dict[str, MissedCall] = {}
    for call in missed:
        if call.phone not in latest or call.at > latest[call.phone].at:
            latest[call.phone] = call
    out = []
    for phone, call in sorted(latest.items()):
        if any(t > call.at for t in answered_at.get(phone, ())):
            continue
        source = CallbackSource.IVR if call.ivr_request else CallbackSource.ABANDONED
        out.append(PlannedCallback(call.call_id, phone, source, call.at + dt.timedelta(minutes=within_min)))
    return out


def after_attempt(outcome: AttemptOutcome, attempts_before: int, *,
                  max_attempts: int = MAX_ATTEMPTS) -> CallbackStatus:
    """The status after one more attempt: done when reached, failed on a wrong number or the last attempt."""
    if outcome is AttemptOutcome.REACHED:
        return CallbackStatus.DONE
    if outcome is AttemptOutcome.WRONG_NUMBER or attempts_before + 1 >= max_attempts:
        return CallbackStatus.FAILED
    return CallbackStatus.OPEN


def is_overdue(due_at: dt.datetime, now: dt.datetime) -> bool:
    return now > due_at
