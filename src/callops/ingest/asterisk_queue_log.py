"""Asterisk ``queue_log`` (app_queue): calls and agent state intervals from one event stream.

Each line is ``epoch|callid|queue|agent|event|data1|data2|...``; the older realtime export with one
``data`` column holding the pipe-joined data reads the same once split on ``|``. Epochs are Unix
seconds, i.e. UTC: the ``--tz`` option does not apply to this format.

Calls are correlated by ``callid`` and ``queue`` (``source_call_id`` = ``callid@queue``) and written
when they end; a finished call is dropped from memory, so memory grows with the calls in progress,
not with the file. Outcomes:

- ``COMPLETECALLER`` / ``COMPLETEAGENT`` → answered (talk = data2, hold time = data1);
- ``BLINDTRANSFER`` / ``ATTENDEDTRANSFER`` / ``TRANSFER`` → transferred (talk = data4);
- ``ABANDON``, ``EXITWITHKEY``, ``WITHDRAW`` → abandoned (the caller chose to leave);
- ``EXITWITHTIMEOUT``, ``EXITEMPTY`` → timeout (the system took the call out of the queue).

Agent intervals (per agent, across queues): logged in while a member of any queue
(``ADDMEMBER``/``REMOVEMEMBER``) or logged in to the agent pool (``AGENTLOGIN``/``AGENTLOGOFF``);
away with the pause reason while paused (``PAUSE``/``PAUSEALL``, ``ADDMEMBER PAUSED``); on call from
``CONNECT`` to the call's end; ready otherwise. A call or a state still open at the end of the file is
reported as a notice, never invented. ``RINGNOANSWER``/``RINGCANCELED`` (milliseconds) are checked
but make no record; ``DID``, ``INFO``, ``SYSCOMPAT``, ``QUEUESTART``, ``CONFIGRELOAD`` and the other
informational events are tolerated; unknown (custom) events are counted as skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from callops.ingest.items import Item, Notice, ParseContext, Rejection, Skip
from callops.records import AgentInterval, AgentState, Call, Direction, Outcome

__all__ = ["parse", "SOURCE"]

SOURCE = "asterisk-queue-log"
_STALE_S = 86_400  # a call silent for a day is reported and forgotten (bounded memory)
_SWEEP_EVERY = 20_000
_QUIET = frozenset({"DID", "INFO", "SYSCOMPAT", "QUEUESTART", "CONFIGRELOAD", "AGENTDUMP", "PENALTY",
                    "RINGINUSE", "OUTCALL", "FULL", "CLOSED", "JOINEMPTY", "MEMBERPENALTY"})
_LEFT = {"ABANDON": (Outcome.ABANDONED, 2), "EXITWITHTIMEOUT": (Outcome.TIMEOUT, 2),
         "EXITEMPTY": (Outcome.TIMEOUT, 2), "EXITWITHKEY": (Outcome.ABANDONED, 3),
         "WITHDRAW": (Outcome.ABANDONED, 2)}  # event -> (outcome, index of the wait time in data)
_UTC = dt.UTC
_INBOUND = Direction.INBOUND
_LOGGED_OUT, _ON_CALL, _AWAY, _READY = AgentState.LOGGED_OUT, AgentState.ON_CALL, AgentState.AWAY, AgentState.READY


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


@dataclass(slots=True)
class _OpenCall:
    line: int
    queue: str
    last_s: float
    entered_s: float | None = None
    caller: str | None = None
    answered_s: float | None = None
    agent: str | None = None


@dataclass(slots=True)
class _Agent:
    queues: set[str]
    pool: bool = False  # AGENTLOGIN without queue membership
    paused: str | None = None  # pause reason ("" when none given)
    calls: int = 0
    state: AgentState = AgentState.LOGGED_OUT
    reason: str | None = None
    since_s: float = 0.0


def _data(data: list[str], index: int) -> str:
    if index >= len(data):
        raise _Bad(f"data{index + 1}", "missing")
    return data[index]


def _seconds(data: list[str], index: int) -> int:
    value = _data(data, index).strip()
    if not value.isdigit():
        raise _Bad(f"data{index + 1}", f"{value!r} is not a whole number of seconds")
    return int(value)


def _at(epoch_s: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_s, _UTC)


class _Log:
    """The state of one file: open calls and agents."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.calls: dict[str, _OpenCall] = {}
        self.agents: dict[str, _Agent] = {}
        self.out: list[Item] = []  # what the current line produced

    # --- agents ------------------------------------------------------------------------------
    def agent(self, name: str) -> _Agent:
        found = self.agents.get(name)
        if found is None:
            found = self.agents[name] = _Agent(queues=set())
        return found

    def settle(self, name: str, agent: _Agent, now_s: float) -> None:
        """Close the agent's current interval when its state changed, and open the next."""
        if not agent.queues and not agent.pool:
            state, reason = _LOGGED_OUT, None
        elif agent.calls > 0:
            state, reason = _ON_CALL, None
        elif agent.paused is not None:
            state, reason = _AWAY, agent.paused or None
        else:
            state, reason = _READY, None
        if state is agent.state and reason == agent.reason:
            return
        if agent.state is not _LOGGED_OUT and now_s > agent.since_s:
            self.out.append(AgentInterval(source=SOURCE, agent=name, state=agent.state,
                                          start_at=_at(agent.since_s), end_at=_at(now_s), reason=agent.reason))
        agent.state, agent.reason, agent.since_s = state, reason, now_s
        if state is _LOGGED_OUT:
            del self.agents[name]

    # --- calls -------------------------------------------------------------------------------
    def finish(self, key: str, call: _OpenCall, now_s: float, outcome: Outcome, *, talk_s: float = 0.0,
               transfer_target: str | None = None) -> None:
        del self.calls[key]
        entered = call.entered_s
        self.out.append(Call(
            source=SOURCE, source_call_id=key, direction=_INBOUND, outcome=outcome, queue=call.queue,
            caller_number=call.caller or None, queue_entered_at=_at(entered) if entered is not None else None,
            answered_at=_at(call.answered_s) if call.answered_s is not None else None, ended_at=_at(now_s),
            agent=call.agent, talk_s=float(talk_s), transfer_target=transfer_target))
        if call.agent is not None and call.answered_s is not None:
            agent = self.agents.get(call.agent)
            if agent is not None and agent.calls > 0:
                agent.calls -= 1
                self.settle(call.agent, agent, now_s)

    def sweep(self, now_s: float) -> Iterator[Item]:
        for key, call in list(self.calls.items()):
            if now_s - call.last_s > _STALE_S:
                del self.calls[key]
                yield Notice(self.ctx.file, call.line,
                             f"call {key} had no event for a day; not imported (no end in the log)")

    # --- one line ----------------------------------------------------------------------------
    def line(self, number: int, text: str) -> None:
        fields = text.split("|")
        if len(fields) < 5:
            raise _Bad("event", f"{len(fields)} fields, expected at least 5 (epoch|callid|queue|agent|event)")
        epoch, callid, queue, agent_name, event = fields[:5]
        data = fields[5:]
        try:
            now_s = float(epoch)
        except ValueError:
            raise _Bad("epoch", f"{epoch!r} is not a Unix time") from None
        if not 0 <= now_s < 32_503_680_000:  # before the year 3000
            raise _Bad("epoch", f"{epoch!r} is not a Unix time")
        event = event.strip()
        if event == "ENTERQUEUE":
            key = f"{callid}@{queue}"
            if key not in self.calls:
                self.calls[key] = _OpenCall(line=number, queue=queue, last_s=now_s, entered_s=now_s,
                                            caller=data[1].strip() if len(data) > 1 else None)
            return
        if event in {"CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "ATTENDEDTRANSFER",
                     "TRANSFER"} or event in _LEFT:
            self.call_event(number, now_s, f"{callid}@{queue}", queue, agent_name, event, data)
            return
        if event in {"RINGNOANSWER", "RINGCANCELED"}:
            _seconds(data, 0)  # milliseconds, checked
            return
        if event in {"ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL",
                     "AGENTLOGIN", "AGENTLOGOFF"}:
            if not agent_name.strip() or agent_name == "NONE":
                raise _Bad("agent", f"{event} needs an agent")
            self.agent_event(now_s, queue, agent_name, event, data)
            return
        if event in _QUIET:
            return
        self.out.append(Skip(number, f"event {event!r} is not a queue event callops reads"))

    def call_event(self, number: int, now_s: float, key: str, queue: str, agent_name: str, event: str,
                   data: list[str]) -> None:
        call = self.calls.get(key)
        if event in _LEFT:
            outcome, wait_index = _LEFT[event]
            wait_s = _seconds(data, wait_index)
            if call is None:
                call = self.calls[key] = _OpenCall(line=number, queue=queue, last_s=now_s, entered_s=now_s - wait_s)
            self.finish(key, call, now_s, outcome)
            return
        hold_s = _seconds(data, 0)
        if event == "CONNECT":
            if call is None:
                call = self.calls[key] = _OpenCall(line=number, queue=queue, last_s=now_s, entered_s=now_s - hold_s)
            call.answered_s, call.agent, call.last_s = now_s, agent_name, now_s
            agent = self.agents.get(agent_name)
            if agent is not None:
                agent.calls += 1
                self.settle(agent_name, agent, now_s)
            return
        if event in {"COMPLETECALLER", "COMPLETEAGENT"}:
            talk_s, target = _seconds(data, 1), None
        else:
            talk_s = _seconds(data, 3)
            first, second = _data(data, 0), _data(data, 1)
            target = second if event == "ATTENDEDTRANSFER" else f"{first}@{second}"
        if call is None:  # the log starts mid-call: place it from the durations
            call = self.calls[key] = _OpenCall(line=number, queue=queue, last_s=now_s,
                                               entered_s=now_s - talk_s - hold_s)
        if call.answered_s is None:
            call.answered_s, call.agent = now_s - talk_s, agent_name
        outcome = Outcome.ANSWERED if target is None else Outcome.TRANSFERRED
        self.finish(key, call, now_s, outcome, talk_s=talk_s, transfer_target=target)

    def agent_event(self, now_s: float, queue: str, name: str, event: str, data: list[str]) -> None:
        agent = self.agent(name)
        if event == "ADDMEMBER":
            agent.queues.add(queue)
            if data and data[0].strip() == "PAUSED":
                agent.paused = agent.paused if agent.paused is not None else ""
        elif event == "REMOVEMEMBER":
            agent.queues.discard(queue)
        elif event == "AGENTLOGIN":
            agent.pool = True
        elif event == "AGENTLOGOFF":
            agent.pool = False
            agent.queues.clear()
        elif event in {"PAUSE", "PAUSEALL"}:
            agent.paused = data[0].strip() if data else ""
        else:  # UNPAUSE, UNPAUSEALL
            agent.paused = None
        if not agent.queues and not agent.pool:
            agent.calls = 0
        self.settle(name, agent, now_s)


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    log = _Log(ctx)
    last_s = 0.0
    for number, text in lines:
        if not text.strip():
            continue
        try:
            log.line(number, text)
        except _Bad as bad:
            log.out.clear()
            yield Rejection(ctx.file, number, bad.field, bad.reason, text)
            continue
        if log.out:
            yield from log.out
            log.out.clear()
        if number % _SWEEP_EVERY == 0:
            head = text.split("|", 1)[0]
            try:
                last_s = float(head)
            except ValueError:
                continue
            yield from log.sweep(last_s)
    for key, call in log.calls.items():
        yield Notice(ctx.file, call.line, f"call {key} is still open at the end of the file; not imported")
    still = sorted(name for name, agent in log.agents.items() if agent.state is not AgentState.LOGGED_OUT)
    if still:
        yield Notice(ctx.file, None, f"{len(still)} agent state(s) still open at the end of the file "
                                     f"(not imported): {', '.join(still[:10])}{' ...' if len(still) > 10 else ''}")
