"""Canonical records: the contract between every source of calls and every consumer.

Importers (real PBX logs), the simulator and the live ACD all produce these records; reports,
forecasts, adherence and QA sampling read only these. Datetimes are timezone-aware UTC; zones
are applied at the edges. Durations are seconds, named with ``_s``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from callops.errors import InvalidInput

__all__ = [
    "Agent",
    "AgentInterval",
    "AgentState",
    "Call",
    "Direction",
    "IssueCategory",
    "Outcome",
    "Role",
    "ensure_utc",
]


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(StrEnum):
    """How a call ended. ``IVR_*`` calls never reached the ACD and are not offered."""

    ANSWERED = "answered"  # an agent served it (service start recorded)
    ABANDONED = "abandoned"  # the caller left the queue before an agent answered
    TIMEOUT = "timeout"  # left the queue by the system: max wait, full queue, no agents, overflow out
    TRANSFERRED = "transferred"  # answered, then transferred onward (still counts as answered)
    CALLBACK = "callback"  # left the queue asking to be called back (virtual hold)
    IVR_SELF_SERVICE = "ivr_self_service"  # finished in the IVR by design
    IVR_HANGUP = "ivr_hangup"  # hung up in the IVR before asking for a person
    NO_ANSWER = "no_answer"  # outbound: the called party did not answer
    BUSY = "busy"  # outbound: busy
    FAILED = "failed"  # outbound or technical failure

    @property
    def offered(self) -> bool:
        """Presented to the ACD (queued or routed to an agent)."""
        return self in _OFFERED

    @property
    def answered(self) -> bool:
        return self in (Outcome.ANSWERED, Outcome.TRANSFERRED)


_OFFERED = frozenset(
    {Outcome.ANSWERED, Outcome.ABANDONED, Outcome.TIMEOUT, Outcome.TRANSFERRED, Outcome.CALLBACK}
)


class IssueCategory(StrEnum):
    """The agent's record of what the caller wanted (seed 003)."""

    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    REPAIR_ORDER = "repair_order"
    OTHER = "other"


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    RINGING = "ringing"
    ON_CALL = "on_call"
    HOLD = "hold"
    AFTER_CALL_WORK = "after_call_work"
    AWAY = "away"  # 离座, with a reason code
    RECOVERY = "recovery"  # after a distressing call (seed 003: 1-2 minutes)
    BREAK = "break"
    TRAINING = "training"
    OUTBOUND = "outbound"  # dialling or on an outbound call

    @property
    def handling(self) -> bool:
        """Time spent handling a call (counts in occupancy's numerator)."""
        return self in (AgentState.ON_CALL, AgentState.HOLD, AgentState.AFTER_CALL_WORK, AgentState.OUTBOUND)

    @property
    def logged_in(self) -> bool:
        return self is not AgentState.LOGGED_OUT


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    PLANNER = "planner"
    QA = "qa"
    TEAM_LEAD = "team_lead"
    AGENT = "agent"


def ensure_utc(value: dt.datetime | None, *, what: str = "datetime") -> dt.datetime | None:
    """Return ``value`` in UTC; refuse naive datetimes (their zone is unknown) with InvalidInput naming ``what``."""
    if value is None or value.tzinfo is dt.UTC:
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"must be timezone-aware, got naive {value.isoformat()}", field=what)
    return value.astimezone(dt.UTC)


def _to_utc(record: object, names: tuple[str, ...]) -> None:
    """Store each datetime field of a frozen record in UTC (every record is aware UTC, whoever made it)."""
    for name in names:
        value = getattr(record, name)
        if value is not None and value.tzinfo is not dt.UTC:
            object.__setattr__(record, name, ensure_utc(value, what=name))


_CALL_MOMENTS = ("ivr_entered_at", "ivr_exited_at", "queue_entered_at", "answered_at", "ended_at",
                 "follow_up_due_at")


@dataclass(frozen=True, slots=True)
class Call:
    """One call, from whichever source. ``(source, source_call_id)`` is unique."""

    source: str
    source_call_id: str
    direction: Direction
    outcome: Outcome
    queue: str | None = None
    call_type: str | None = None  # call type / business line
    caller_number: str | None = None  # PII: masked for roles without the right
    priority: int = 0
    ivr_entered_at: dt.datetime | None = None
    ivr_exited_at: dt.datetime | None = None
    queue_entered_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None  # service start
    ended_at: dt.datetime | None = None
    agent: str | None = None
    talk_s: float = 0.0
    hold_s: float = 0.0
    acw_s: float = 0.0
    transfer_target: str | None = None
    recording_ref: str | None = None
    issue_category: IssueCategory | None = None
    issue_notes: str | None = None
    issue_resolved: bool | None = None
    follow_up_due_at: dt.datetime | None = None
    campaign: str | None = None  # outbound campaign
    disposition: str | None = None  # outbound: contacted / converted / refused / ...
    csat: int | None = None  # post-call survey score, 1-5
    scenario: str | None = None  # None for real calls; a simulation scenario's name otherwise

    def __post_init__(self) -> None:
        _to_utc(self, _CALL_MOMENTS)

    @property
    def started_at(self) -> dt.datetime | None:
        """The first moment the call existed: IVR entry, else queue entry, else service start."""
        return self.ivr_entered_at or self.queue_entered_at or self.answered_at or self.ended_at

    @property
    def wait_s(self) -> float | None:
        """Seconds from queue entry to answer (answered) or to leaving the queue (not answered)."""
        if self.queue_entered_at is None:
            return 0.0 if self.answered_at is not None else None
        end = self.answered_at if self.answered_at is not None else self.ended_at
        if end is None:
            return None
        return max(0.0, (end - self.queue_entered_at).total_seconds())

    @property
    def handle_s(self) -> float:
        """AHT's numerator for this call: talk + hold + after-call work."""
        return self.talk_s + self.hold_s + self.acw_s


@dataclass(frozen=True, slots=True)
class AgentInterval:
    """An agent in one state from ``start_at`` to ``end_at``."""

    source: str
    agent: str
    state: AgentState
    start_at: dt.datetime
    end_at: dt.datetime
    reason: str | None = None  # away / pause reason code
    queue: str | None = None
    scenario: str | None = None

    def __post_init__(self) -> None:
        _to_utc(self, ("start_at", "end_at"))

    @property
    def duration_s(self) -> float:
        return (self.end_at - self.start_at).total_seconds()


@dataclass(frozen=True, slots=True)
class Agent:
    agent_id: str
    name: str
    team: str | None = None
    skills: dict[str, int] = field(default_factory=dict)  # skill -> level (1 lowest)
