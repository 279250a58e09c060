"""Asterisk ``queue_log`` lines as live events (for the wallboard; the canonical records come from the importer).

``QueueLogEvents`` reads one line at a time and gives the live events it means. It keeps what an
agent's state depends on (the queues it is a member of, its pause) so an ``ADDMEMBER`` of a paused
agent is ``away`` and a ``REMOVEMEMBER`` from one of two queues leaves it ready in the other. A line
it cannot read gives no event: the record parser reports bad lines, this only feeds the board.
Call ids are ``callid@queue``, the ``source_call_id`` of the imported record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from callops.live.events import LiveEvent, LiveEventKind
from callops.records import AgentState

__all__ = ["QueueLogEvents"]

K = LiveEventKind
_LEFT = {"ABANDON": (K.CALL_ABANDONED, 2), "EXITWITHKEY": (K.CALL_ABANDONED, 3), "WITHDRAW": (K.CALL_ABANDONED, 2),
         "EXITWITHTIMEOUT": (K.CALL_TIMEOUT, 2), "EXITEMPTY": (K.CALL_TIMEOUT, 2)}
_ENDS = {"COMPLETECALLER": K.CALL_ENDED, "COMPLETEAGENT": K.CALL_ENDED, "BLINDTRANSFER": K.CALL_TRANSFERRED,
         "ATTENDEDTRANSFER": K.CALL_TRANSFERRED, "TRANSFER": K.CALL_TRANSFERRED}
_MEMBER = frozenset({"ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL", "AGENTLOGIN",
                     "AGENTLOGOFF"})


@dataclass(slots=True)
class _Member:
    queues: set[str] = field(default_factory=set)
    pool: bool = False
    paused: str | None = None


class QueueLogEvents:
    """Live events of queue_log lines, in file order; see the module docstring."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.members: dict[str, _Member] = {}

    def line(self, text: str) -> list[LiveEvent]:
        fields = text.rstrip("\r\n").split("|")
        if len(fields) < 5:
            return []
        epoch, callid, queue, agent, event = fields[:5]
        data = fields[5:]
        try:
            at = dt.datetime.fromtimestamp(float(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            return []
        event = event.strip()
        call_id = f"{callid}@{queue}"
        if event == "ENTERQUEUE":
            caller = data[1].strip() if len(data) > 1 and data[1].strip() else None
            return [LiveEvent(K.CALL_OFFERED, at, self.source, call_id=call_id, queue=queue, caller=caller)]
        if event == "CONNECT":
            wait = data[0].strip() if data else ""
            return [LiveEvent(K.CALL_ANSWERED, at, self.source, call_id=call_id, queue=queue, agent=agent,
                              data={"wait_s": wait} if wait.isdigit() else {})]
        if event in _ENDS:
            kind = _ENDS[event]
            extra = {"target": f"{data[0]}@{data[1]}" if len(data) > 1 else ""} if kind is K.CALL_TRANSFERRED else {}
            return [LiveEvent(kind, at, self.source, call_id=call_id, queue=queue, agent=agent, data=extra)]
        if event in _LEFT:
            kind, index = _LEFT[event]
            wait = data[index].strip() if len(data) > index else ""
            return [LiveEvent(kind, at, self.source, call_id=call_id, queue=queue,
                              reason=event.lower(), data={"wait_s": wait} if wait.isdigit() else {})]
        if event == "RINGNOANSWER":
            return []
        if event in _MEMBER and agent.strip() and agent != "NONE":
            return [self._member(at, queue, agent, event, data)]
        return []

    def _member(self, at: dt.datetime, queue: str, name: str, event: str, data: list[str]) -> LiveEvent:
        member = self.members.setdefault(name, _Member())
        if event == "ADDMEMBER":
            member.queues.add(queue)
            if data and data[0].strip() == "PAUSED" and member.paused is None:
                member.paused = ""
        elif event == "REMOVEMEMBER":
            member.queues.discard(queue)
        elif event == "AGENTLOGIN":
            member.pool = True
        elif event == "AGENTLOGOFF":
            member.pool = False
            member.queues.clear()
        elif event in {"PAUSE", "PAUSEALL"}:
            member.paused = data[0].strip() if data else ""
        else:
            member.paused = None
        if not member.queues and not member.pool:
            state, reason = AgentState.LOGGED_OUT, None
            del self.members[name]
        elif member.paused is not None:
            state, reason = AgentState.AWAY, member.paused or None
        else:
            state, reason = AgentState.READY, None
        return LiveEvent(K.AGENT_STATE, at, self.source, agent=name, queue=queue if queue != "NONE" else None,
                         state=state.value, reason=reason, data={"queues": ",".join(sorted(member.queues))})
