"""Asterisk Manager Interface queue events as live events and, when a call ends, its canonical record.

Read events (app_queue, Asterisk 12+ names): ``QueueCallerJoin`` → offered; ``AgentCalled`` → ringing;
``AgentConnect`` → answered (``HoldTime`` is the wait); ``AgentComplete`` → ended (``TalkTime``), the call
record written as answered; ``AgentRingNoAnswer`` ends the ringing; ``QueueCallerAbandon`` → abandoned
(record written); ``QueueCallerLeave`` of a call neither answered nor abandoned → timed out (the system took
it out: timeout, empty queue), decided when no ``AgentConnect`` follows within ``LEAVE_GRACE_S`` (Asterisk
sends ``QueueCallerLeave`` just before ``AgentConnect`` on an answer); ``QueueMemberAdded``,
``QueueMemberRemoved``, ``QueueMemberPause`` and ``QueueMemberStatus`` → the agent's state (paused: away with
``PausedReason``). Other events are counted as skipped.

Records use the queue_log importer's source and key (``asterisk-queue-log``, ``Uniqueid@Queue``: the AMI
``Uniqueid`` is the queue_log ``callid``), so an import of the same PBX's queue_log afterwards adds no
second copy of a call. Times: the event's ``Timestamp`` (``timestampevents = yes`` in manager.conf),
else when it was received.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentState, Call, Direction, Outcome

__all__ = ["AmiQueueCalls", "RECORD_SOURCE", "LEAVE_GRACE_S"]

K = LiveEventKind
RECORD_SOURCE = "asterisk-queue-log"
LEAVE_GRACE_S = 5.0
_MEMBER_EVENTS = frozenset({"QueueMemberAdded", "QueueMemberRemoved", "QueueMemberPause", "QueueMemberStatus",
                            "QueueMemberPaused"})


@dataclass(slots=True)
class _Call:
    queue: str
    entered: dt.datetime
    caller: str | None
    answered: dt.datetime | None = None
    agent: str | None = None
    left: dt.datetime | None = None  # QueueCallerLeave without an answer yet


@dataclass(slots=True)
class _Member:
    queues: set[str] = field(default_factory=set)
    paused: str | None = None


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


class AmiQueueCalls:
    """Folds AMI events (``Key: Value`` blocks as mappings) into live events and finished call records."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.calls: dict[str, _Call] = {}
        self.members: dict[str, _Member] = {}
        self.skipped = 0
        self._clock: tuple[dt.datetime, dt.datetime] | None = None  # (last event's time, when it was received)

    def event(self, fields: Mapping[str, str], received: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        name = fields.get("Event", "")
        at = received
        stamp = _seconds(fields.get("Timestamp"))
        if stamp is not None:
            at = dt.datetime.fromtimestamp(stamp, dt.UTC)
        self._clock = (at, received)
        events: list[LiveEvent] = []
        records: list[Call] = []
        self._expire(at, events, records)
        queue = fields.get("Queue", "")
        uid = fields.get("Uniqueid", "")
        key = f"{uid}@{queue}"
        agent = fields.get("MemberName") or fields.get("Interface") or fields.get("DestChannel") or None
        if name == "QueueCallerJoin" and uid and queue:
            caller = fields.get("CallerIDNum") or None
            caller = None if caller in ("<unknown>", "unknown") else caller
            self.calls.setdefault(key, _Call(queue, at, caller))
            events.append(LiveEvent(K.CALL_OFFERED, at, self.source, call_id=key, queue=queue, caller=caller))
        elif name == "AgentCalled" and key in self.calls:
            events.append(LiveEvent(K.CALL_RINGING, at, self.source, call_id=key, queue=queue, agent=agent))
        elif name == "AgentRingNoAnswer" and key in self.calls and agent:
            events.append(LiveEvent(K.AGENT_STATE, at, self.source, agent=agent, queue=queue,
                                    state=self._state(agent).value, data=self._queues(agent)))
        elif name == "AgentConnect" and key in self.calls:
            call = self.calls[key]
            hold = _seconds(fields.get("HoldTime"))
            call.answered, call.agent, call.left = at, agent, None
            events.append(LiveEvent(K.CALL_ANSWERED, at, self.source, call_id=key, queue=queue, agent=agent,
                                    data={"wait_s": str(int(hold))} if hold is not None else {}))
        elif name == "AgentComplete" and key in self.calls:
            call = self.calls.pop(key)
            talk = _seconds(fields.get("TalkTime")) or 0.0
            answered = call.answered or at - dt.timedelta(seconds=talk)
            events.append(LiveEvent(K.CALL_ENDED, at, self.source, call_id=key, queue=queue, agent=call.agent or agent,
                                    reason=fields.get("Reason") or None))
            records.append(self._record(key, call, Outcome.ANSWERED, at, answered=answered, agent=call.agent or agent,
                                        talk_s=talk))
        elif name == "QueueCallerAbandon" and key in self.calls:
            call = self.calls.pop(key)
            events.append(LiveEvent(K.CALL_ABANDONED, at, self.source, call_id=key, queue=queue,
                                    data={"wait_s": str(int((at - call.entered).total_seconds()))}))
            records.append(self._record(key, call, Outcome.ABANDONED, at))
        elif name == "QueueCallerLeave" and key in self.calls:
            call = self.calls[key]
            if call.answered is None:
                call.left = at
        elif name in _MEMBER_EVENTS and agent and queue:
            events.append(self._member(name, fields, agent, queue, at))
        else:
            self.skipped += 1
        return events, records

    def _expire(self, now: dt.datetime, events: list[LiveEvent], records: list[Call]) -> None:
        """Calls that left the queue unanswered more than the grace ago: timed out."""
        for key, call in list(self.calls.items()):
            if call.left is not None and (now - call.left).total_seconds() > LEAVE_GRACE_S:
                del self.calls[key]
                events.append(LiveEvent(K.CALL_TIMEOUT, call.left, self.source, call_id=key, queue=call.queue))
                records.append(self._record(key, call, Outcome.TIMEOUT, call.left))

    def flush_left(self, wall: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        """Decide the calls that left unanswered when the line is quiet: ``wall`` (the wall clock) is carried
        over to the PBX's clock from the last event's time and when it was received."""
        events: list[LiveEvent] = []
        records: list[Call] = []
        if self._clock is not None:
            event_at, received = self._clock
            self._expire(event_at + (wall - received), events, records)
        return events, records

    def _record(self, key: str, call: _Call, outcome: Outcome, ended: dt.datetime, *,
                answered: dt.datetime | None = None, agent: str | None = None, talk_s: float = 0.0) -> Call:
        return Call(source=RECORD_SOURCE, source_call_id=key, direction=Direction.INBOUND, outcome=outcome,
                    queue=call.queue, caller_number=call.caller, queue_entered_at=call.entered,
                    answered_at=answered, ended_at=ended, agent=agent, talk_s=talk_s)

    def _state(self, agent: str) -> AgentState:
        member = self.members.get(agent)
        if member is None or not member.queues:
            return AgentState.LOGGED_OUT
        return AgentState.AWAY if member.paused is not None else AgentState.READY

    def _queues(self, agent: str) -> dict[str, str]:
        member = self.members.get(agent)
        return {"queues": ",".join(sorted(member.queues)) if member else ""}

    def _member(self, name: str, fields: Mapping[str, str], agent: str, queue: str, at: dt.datetime) -> LiveEvent:
        member = self.members.setdefault(agent, _Member())
        if name == "QueueMemberRemoved":
            member.queues.discard(queue)
        else:
            member.queues.add(queue)
        if "Paused" in fields:
            if fields["Paused"] == "1":
                member.paused = fields.get("PausedReason") or fields.get("Reason") or ""
            else:
                member.paused = None
        state = self._state(agent)
        if not member.queues:
            del self.members[agent]
        reason = (member.paused or None) if state is AgentState.AWAY else None
        return LiveEvent(K.AGENT_STATE, at, self.source, agent=agent, queue=queue, state=state.value, reason=reason,
                         data={"queues": ",".join(sorted(member.queues))})
