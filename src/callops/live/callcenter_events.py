"""FreeSWITCH mod_callcenter events (``CUSTOM callcenter::info``) as live events and finished call records.

``CC-Action`` values read: ``member-queue-start`` → offered; ``agent-offering`` → ringing;
``bridge-agent-start`` → answered; ``bridge-agent-end`` → ended; ``member-queue-end`` → the call record
(answered when ``CC-Agent-Answered-Time`` is set, talk to ``CC-Member-Leaving-Time``; else cancel reason
``TIMEOUT`` / ``NO_AGENT_TIMEOUT`` → timeout and a live ``call_timeout``, any other → abandoned);
``agent-status-change`` → the agent's state (``Available`` and ``Available (On Demand)`` ready, ``On Break``
break, ``Logged Out`` logged out). Others (``agent-state-change``, ``bridge-agent-fail``, ...) are skipped.

Records use the CDR importer's source and key (``freeswitch-cc``, ``CC-Member-UUID`` as
``cc_member_uuid``) and its outcome rules, so importing the CDR afterwards adds no second copy.
Times: the epochs in the ``CC-*-Time`` headers, else ``Event-Date-Timestamp`` (microseconds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentState, Call, Direction, Outcome

__all__ = ["CallcenterEvents", "RECORD_SOURCE"]

K = LiveEventKind
RECORD_SOURCE = "freeswitch-cc"
_STATUS = {"Available": AgentState.READY, "Available (On Demand)": AgentState.READY, "On Break": AgentState.BREAK,
           "Logged Out": AgentState.LOGGED_OUT}
_TIMEOUTS = frozenset({"TIMEOUT", "NO_AGENT_TIMEOUT"})


def _epoch(fields: Mapping[str, str], name: str) -> dt.datetime | None:
    value = fields.get(name, "").strip()
    if not value.isdigit() or value == "0" or int(value) >= 32_503_680_000:
        return None
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


class CallcenterEvents:
    def __init__(self, source: str) -> None:
        self.source = source
        self.skipped = 0

    def event(self, fields: Mapping[str, str], received: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        at = received
        micro = fields.get("Event-Date-Timestamp", "")
        if micro.isdigit():
            at = dt.datetime.fromtimestamp(int(micro) / 1_000_000, dt.UTC)
        action = fields.get("CC-Action", "")
        queue = fields.get("CC-Queue") or None
        member = fields.get("CC-Member-UUID") or None
        agent = fields.get("CC-Agent") or None
        if action == "member-queue-start" and member and queue:
            joined = _epoch(fields, "CC-Member-Joined-Time") or at
            return [LiveEvent(K.CALL_OFFERED, joined, self.source, call_id=member, queue=queue,
                              caller=fields.get("CC-Member-CID-Number") or None)], []
        if action == "agent-offering" and member and agent:
            return [LiveEvent(K.CALL_RINGING, at, self.source, call_id=member, queue=queue, agent=agent)], []
        if action == "bridge-agent-start" and member:
            answered = _epoch(fields, "CC-Agent-Answered-Time") or at
            entered = _epoch(fields, "CC-Member-Joined-Time")
            data = {"wait_s": str(int((answered - entered).total_seconds()))} if entered else {}
            return [LiveEvent(K.CALL_ANSWERED, answered, self.source, call_id=member, queue=queue, agent=agent,
                              data=data)], []
        if action == "bridge-agent-end" and member:
            ended = _epoch(fields, "CC-Bridge-Terminated-Time") or at
            return [LiveEvent(K.CALL_ENDED, ended, self.source, call_id=member, queue=queue, agent=agent,
                              reason=fields.get("CC-Hangup-Cause") or None)], []
        if action == "member-queue-end" and member and queue:
            return self._end(fields, member, queue, agent, at)
        if action == "agent-status-change" and agent and fields.get("CC-Agent-Status") in _STATUS:
            state = _STATUS[fields["CC-Agent-Status"]]
            return [LiveEvent(K.AGENT_STATE, at, self.source, agent=agent, state=state.value)], []
        self.skipped += 1
        return [], []

    def _end(self, fields: Mapping[str, str], member: str, queue: str, agent: str | None,
             at: dt.datetime) -> tuple[list[LiveEvent], list[Call]]:
        joined = _epoch(fields, "CC-Member-Joined-Time")
        leaving = _epoch(fields, "CC-Member-Leaving-Time") or at
        answered = _epoch(fields, "CC-Agent-Answered-Time")
        reason = fields.get("CC-Cancel-Reason", "").strip()
        caller = fields.get("CC-Member-CID-Number") or None
        if answered is not None:
            talk = max(0.0, (leaving - answered).total_seconds())
            return [], [Call(source=RECORD_SOURCE, source_call_id=member, direction=Direction.INBOUND,
                             outcome=Outcome.ANSWERED, queue=queue, caller_number=caller, queue_entered_at=joined,
                             answered_at=answered, ended_at=leaving, agent=agent, talk_s=talk)]
        outcome = Outcome.TIMEOUT if reason in _TIMEOUTS else Outcome.ABANDONED
        kind = K.CALL_TIMEOUT if outcome is Outcome.TIMEOUT else K.CALL_ABANDONED
        wait = {"wait_s": str(int((leaving - joined).total_seconds()))} if joined else {}
        return ([LiveEvent(kind, leaving, self.source, call_id=member, queue=queue, reason=reason or None, data=wait)],
                [Call(source=RECORD_SOURCE, source_call_id=member, direction=Direction.INBOUND, outcome=outcome,
                      queue=queue, caller_number=caller, queue_entered_at=joined, ended_at=leaving)])
