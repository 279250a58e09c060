"""Asterisk ``queue_log`` (app_queue, every branch from 1.2 to 23): calls and agent state intervals.

Each line is ``epoch|callid|queue|agent|event|data1|data2|...``; the realtime export (one ``data``
column holding the pipe-joined data, or ``data1..data5`` with a sixth field joined into data5) reads
the same once split on ``|``. Epochs are Unix seconds, i.e. UTC; a realtime export whose time column is
a clock time ``YYYY-MM-DD HH:MM:SS[.ffffff]`` is read in the ``--tz`` zone.

Calls are correlated by ``callid`` and ``queue``. The first queue entry of a callid in a file is
``source_call_id`` = ``callid@queue``; a caller who leaves and enters the same queue again on the same
channel is a new call, ``callid@queue#2``, ``#3`` ... A finished call is dropped from memory, so memory
grows with the calls in progress, not with the file.

The data fields differ per branch; each event is read in every layout (docs/importing.md lists them):

- ``CONNECT`` hold [| uniqueid (1.4+) [| ring time (1.6+)]];
- ``COMPLETECALLER`` / ``COMPLETEAGENT`` hold | talk [| origpos (1.4+)] → answered;
- ``TRANSFER`` exten | context (1.2) [| hold | talk (1.4+) [| origpos (1.6+)]] → transferred;
- ``BLINDTRANSFER`` exten | context | hold | talk | origpos (12+; the extension may be ``s`` or a name);
- ``ATTENDEDTRANSFER`` ``BRIDGE`` | bridge id | hold | talk | origpos, ``APP`` | app | ..., ``LINK`` |
  channel | channel | hold | talk | origpos (12+) → transferred;
- ``ABANDON``, ``EXITEMPTY``, ``WITHDRAW`` pos | origpos | wait; ``EXITWITHTIMEOUT`` pos (1.2/1.4) or
  pos | origpos | wait; ``EXITWITHKEY`` key | pos (1.2/1.4) or key | pos | origpos | wait. Without a wait
  field the wait is measured from the call's ``ENTERQUEUE``. ABANDON, EXITWITHKEY, WITHDRAW → abandoned;
  EXITWITHTIMEOUT, EXITEMPTY → timeout.
- ``QUEUESTART`` (Asterisk started) closes the calls in progress: answered ones end answered at the
  restart, waiting ones fail; each is reported.

Agents (per agent, across queues): logged in while a member of any queue (``ADDMEMBER`` /
``REMOVEMEMBER``) or logged in to an agent channel (``AGENTLOGIN``/``AGENTLOGOFF``, chan_agent's
``AGENTCALLBACKLOGIN``/``AGENTCALLBACKLOGOFF``); away with the pause reason while paused (``PAUSE``,
``PAUSEALL``, ``ADDMEMBER PAUSED``); on call from ``CONNECT`` to the call's end; ready otherwise.

One agent appears under several names: ``ADDMEMBER`` logs the interface (``SIP/8007``,
``Local/1127@callback-agent/n``) while ``PAUSE`` and ``CONNECT`` log the member name (``Agent/1127``).
Names whose technology-less number is the same (``SIP/8007``, ``PJSIP/8007``, ``Local/8007@ctx/n``,
``Agent/8007``, ``8007``) are one agent, stored under the first of its names the file shows; the
``agent_aliases`` option (name → agent) names agents explicitly and wins over the rule.

A call or a state still open at the end of the file is reported as a notice, never invented. Lines
that make no record (``RINGNOANSWER``, ``DID``, ``CONFIGRELOAD``, custom events ...) are counted as
skipped, each with its reason. Caller ids that name nobody (``anonymous``, withheld, empty) are stored
as no caller.

``QueueLogReader`` is the incremental form (feed lines, take the finished records, look at what is
still open) for a live follower; ``parse`` reads a whole file with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from callops.ingest.callers import caller_number
from callops.ingest.items import Item, Notice, ParseContext, Rejection, Skip
from callops.records import AgentInterval, AgentState, Call, Direction, Outcome

__all__ = ["parse", "SOURCE", "QueueLogReader", "OpenCall"]

SOURCE = "asterisk-queue-log"
_STALE_S = 86_400  # a call silent for a day is reported and forgotten (bounded memory)
_SWEEP_EVERY = 20_000
_INFO = {
    "DID": "DID: the dialled number is not stored",
    "INFO": "INFO: informational line",
    "SYSCOMPAT": "SYSCOMPAT: the member's channel was incompatible; the call stays in the queue",
    "CONFIGRELOAD": "CONFIGRELOAD: configuration reload (calls go on)",
    "AGENTDUMP": "AGENTDUMP: the agent hung up during the announcement; the call's end event follows",
    "PENALTY": "PENALTY: member penalty changes are not stored",
    "MEMBERPENALTY": "MEMBERPENALTY: member penalty changes are not stored",
    "RINGINUSE": "RINGINUSE: ring-in-use setting is not stored",
    "OUTCALL": "OUTCALL: outbound QueueUpdate lines are not stored",
    "FULL": "FULL: queue full (a vendor/QueueLog line; no call entered)",
    "CLOSED": "CLOSED: queue closed (a vendor/QueueLog line; no call entered)",
    "JOINEMPTY": "JOINEMPTY: no members (a vendor/QueueLog line; no call entered)",
    "JOINUNAVAIL": "JOINUNAVAIL: no available members (no call entered)",
    "RINGNOANSWER": "RINGNOANSWER: ring attempts are not stored",
    "RINGCANCELED": "RINGCANCELED: ring attempts are not stored",
}
_LEFT = {"ABANDON": Outcome.ABANDONED, "EXITWITHTIMEOUT": Outcome.TIMEOUT, "EXITEMPTY": Outcome.TIMEOUT,
         "EXITWITHKEY": Outcome.ABANDONED, "WITHDRAW": Outcome.ABANDONED}
_WAIT_AT = {"ABANDON": 2, "EXITWITHTIMEOUT": 2, "EXITEMPTY": 2, "EXITWITHKEY": 3, "WITHDRAW": 2}
_CALL_EVENTS = frozenset({"CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "ATTENDEDTRANSFER",
                          "TRANSFER", *_LEFT})
_AGENT_EVENTS = frozenset({"ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL",
                           "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF"})
_NUMBERED = re.compile(r"(?:[A-Za-z][\w-]*/)?(\d+)(?:@[^/|]*)?(?:/n)?")
_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")
_UTC = dt.UTC
_INBOUND = Direction.INBOUND
_LOGGED_OUT, _ON_CALL, _AWAY, _READY = AgentState.LOGGED_OUT, AgentState.ON_CALL, AgentState.AWAY, AgentState.READY


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


@dataclass(slots=True)
class OpenCall:
    """A call in progress: entered (or first seen) but not yet ended."""

    call_id: str
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
    pool: bool = False  # logged in to an agent channel (AGENTLOGIN / AGENTCALLBACKLOGIN)
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


def _has_number(data: list[str], index: int) -> bool:
    return index < len(data) and data[index].strip().isdigit()


def _at(epoch_s: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_s, _UTC)


class QueueLogReader:
    """The state of one queue_log stream: feed lines in order, take what they complete.

    ``feed(number, text)`` returns the records the line finished (calls, agent intervals) and any
    rejection, skip or notice; ``open_calls()`` shows the calls in progress and ``agent_states()`` the
    agents' current states; ``close()`` returns the end-of-stream notices. Nothing is written anywhere.
    """

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.calls: dict[str, OpenCall] = {}
        self.agents: dict[str, _Agent] = {}
        self.entries: dict[str, tuple[int, float]] = {}  # callid@queue -> (entries so far, last seen)
        self.names: dict[str, str] = {}  # family key -> stored agent name
        self.resolved: dict[str, str] = {}  # logged text -> stored agent name
        aliases = ctx.options.get("agent_aliases") or {}
        self.aliases: Mapping[str, str] = aliases if isinstance(aliases, Mapping) else {}
        self.out: list[Item] = []  # what the current line produced
        self.fed = 0

    # --- the public, incremental face --------------------------------------------------------
    def feed(self, number: int, text: str) -> list[Item]:
        """The records and messages line ``number`` produced (an empty list for most lines)."""
        self.out = []
        if not text.strip():
            return self.out
        try:
            self._line(number, text)
        except _Bad as bad:
            self.out = [Rejection(self.ctx.file, number, bad.field, bad.reason, text)]
        self.fed += 1
        if self.fed % _SWEEP_EVERY == 0:
            self._sweep(number, text)
        return self.out

    def open_calls(self) -> list[OpenCall]:
        return list(self.calls.values())

    def agent_states(self) -> dict[str, tuple[AgentState, str | None, dt.datetime]]:
        """Agent → (state, reason, since) for every agent not logged out."""
        return {name: (a.state, a.reason, _at(a.since_s)) for name, a in self.agents.items()
                if a.state is not _LOGGED_OUT}

    def close(self) -> list[Item]:
        """Notices for what is still open at the end of the stream (nothing is invented)."""
        notices: list[Item] = [Notice(self.ctx.file, call.line,
                                      f"call {call.call_id} is still open at the end of the file; not imported")
                               for call in self.calls.values()]
        still = sorted(self.agent_states())
        if still:
            notices.append(Notice(self.ctx.file, None,
                                  f"{len(still)} agent state(s) still open at the end of the file (not imported): "
                                  f"{', '.join(still[:10])}{' ...' if len(still) > 10 else ''}"))
        return notices

    # --- agents ------------------------------------------------------------------------------
    def agent_name(self, logged: str) -> str:
        """The one name of the agent behind ``logged`` (interface, member name or Agent/N); a name once
        resolved always resolves the same way, so each logged text is resolved once."""
        known = self.resolved.get(logged)
        if known is None:
            known = self.resolved[logged] = self._resolve(logged)
        return known

    def _resolve(self, logged: str) -> str:
        name = logged.strip()
        if name in self.aliases:
            return str(self.aliases[name])
        match = _NUMBERED.fullmatch(name)
        key = f"#{match.group(1)}" if match else name
        known = self.names.get(key)
        if known is None:
            known = self.names[key] = name.removesuffix("/n") if match else name
        return known

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
            self.emit_interval(name, agent.state, agent.reason, agent.since_s, now_s)
        agent.state, agent.reason, agent.since_s = state, reason, now_s
        if state is _LOGGED_OUT:
            del self.agents[name]

    def emit_interval(self, name: str, state: AgentState, reason: str | None, start_s: float, end_s: float) -> None:
        """An agent interval is complete (the bulk reader keeps rows instead)."""
        self.out.append(AgentInterval(source=SOURCE, agent=name, state=state, start_at=_at(start_s), end_at=_at(end_s),
                                      reason=reason))

    # --- calls -------------------------------------------------------------------------------
    def emit_call(self, call: OpenCall, end_s: float, outcome: Outcome, talk_s: float,
                  transfer_target: str | None) -> None:
        """A call is complete (the bulk reader keeps rows instead)."""
        entered = call.entered_s
        self.out.append(Call(
            source=SOURCE, source_call_id=call.call_id, direction=_INBOUND, outcome=outcome, queue=call.queue,
            caller_number=call.caller, queue_entered_at=_at(entered) if entered is not None else None,
            answered_at=_at(call.answered_s) if call.answered_s is not None else None, ended_at=_at(end_s),
            agent=call.agent, talk_s=talk_s, transfer_target=transfer_target))

    def enter(self, number: int, key: str, queue: str, now_s: float, *, entered_s: float | None,
              caller: str | None = None) -> OpenCall:
        count, _ = self.entries.get(key, (0, now_s))
        count += 1
        self.entries[key] = (count, now_s)
        call_id = key if count == 1 else f"{key}#{count}"
        call = self.calls[key] = OpenCall(call_id=call_id, line=number, queue=queue, last_s=now_s,
                                          entered_s=entered_s, caller=caller)
        return call

    def finish(self, key: str, call: OpenCall, now_s: float, outcome: Outcome, *, talk_s: float = 0.0,
               transfer_target: str | None = None) -> None:
        del self.calls[key]
        self.emit_call(call, now_s, outcome, float(talk_s), transfer_target)
        if call.agent is not None and call.answered_s is not None:
            agent = self.agents.get(call.agent)
            if agent is not None and agent.calls > 0:
                agent.calls -= 1
                self.settle(call.agent, agent, now_s)

    def _sweep(self, number: int, text: str) -> None:
        try:
            now_s = float(text.split("|", 1)[0])
        except ValueError:
            return
        for key, call in list(self.calls.items()):
            if now_s - call.last_s > _STALE_S:
                del self.calls[key]
                self.out.append(Notice(self.ctx.file, call.line, f"call {call.call_id} had no event for a day; "
                                                                 "not imported (no end in the log)"))
        for key, (_, seen_s) in list(self.entries.items()):
            if now_s - seen_s > _STALE_S and key not in self.calls:
                del self.entries[key]

    def restart(self, number: int, now_s: float) -> None:
        """QUEUESTART: Asterisk (re)started, so every call in progress ended when it went down."""
        closed = 0
        for key, call in list(self.calls.items()):
            end_s = max(call.last_s, call.answered_s or call.last_s)
            if call.answered_s is not None:
                self.finish(key, call, end_s, Outcome.ANSWERED, talk_s=max(0.0, end_s - call.answered_s))
            else:
                self.finish(key, call, end_s, Outcome.FAILED)
            closed += 1
        for name, agent in list(self.agents.items()):
            if agent.calls:
                agent.calls = 0
                self.settle(name, agent, now_s)
        if closed:
            self.out.append(Notice(self.ctx.file, number, f"QUEUESTART (Asterisk restarted): {closed} call(s) in "
                                                          "progress ended at their last event (answered ones as "
                                                          "answered, waiting ones as failed)"))

    # --- one line ----------------------------------------------------------------------------
    def _time(self, epoch: str) -> float:
        try:
            now_s = float(epoch)
        except ValueError:
            text = epoch.strip()
            if not _CLOCK.fullmatch(text):
                raise _Bad("epoch", f"{epoch!r} is not a Unix time") from None
            local = dt.datetime.fromisoformat(text.replace(" ", "T"))
            return local.replace(tzinfo=self.ctx.tz).timestamp()
        if not 0 <= now_s < 32_503_680_000:  # before the year 3000
            raise _Bad("epoch", f"{epoch!r} is not a Unix time")
        return now_s

    def _line(self, number: int, text: str) -> None:
        if text.startswith("#"):
            self.out.append(Skip(number, "comment line"))
            return
        fields = text.split("|")
        if len(fields) < 5:
            raise _Bad("event", f"{len(fields)} fields, expected at least 5 (epoch|callid|queue|agent|event)")
        epoch, callid, queue, agent_name, event = fields[:5]
        data = fields[5:]
        now_s = self._time(epoch)
        event = event.strip()
        if event == "ENTERQUEUE":
            self.enter_event(number, now_s, f"{callid}@{queue}", queue, data)
        elif event in _CALL_EVENTS:
            self.call_event(number, now_s, f"{callid}@{queue}", queue, agent_name, event, data)
        elif event in _AGENT_EVENTS:
            if not agent_name.strip() or agent_name == "NONE":
                raise _Bad("agent", f"{event} needs an agent")
            self.agent_event(now_s, queue, self.agent_name(agent_name), event, data)
        elif event == "QUEUESTART":
            self.restart(number, now_s)
            self.out.append(Skip(number, "QUEUESTART: Asterisk started (calls in progress closed)"))
        elif event in _INFO:
            if event in {"RINGNOANSWER", "RINGCANCELED"}:
                _seconds(data, 0)  # milliseconds, checked
            self.out.append(Skip(number, _INFO[event]))
        else:
            self.out.append(Skip(number, f"event {event[:40]!r} is not a queue event callops reads"))

    def enter_event(self, number: int, now_s: float, key: str, queue: str, data: list[str]) -> None:
        caller = caller_number(data[1]) if len(data) > 1 else None
        waiting = self.calls.get(key)
        if waiting is not None:
            if waiting.answered_s is None:
                self.out.append(Skip(number, "ENTERQUEUE repeated for a call already waiting in that queue"))
                return
            del self.calls[key]
            self.out.append(Notice(self.ctx.file, waiting.line, f"call {waiting.call_id} entered the queue again "
                                                                "without an end event; not imported"))
        self.enter(number, key, queue, now_s, entered_s=now_s, caller=caller)

    def call_event(self, number: int, now_s: float, key: str, queue: str, agent_name: str, event: str,
                   data: list[str]) -> None:
        call = self.calls.get(key)
        if event in _LEFT:
            at = _WAIT_AT[event]
            if event in {"EXITWITHTIMEOUT", "EXITWITHKEY"} and not _has_number(data, at):
                _data(data, at - 2)  # 1.2/1.4 layout: position (and key) only
                if call is None:
                    self.out.append(Skip(number, f"{event} without a wait time (1.2/1.4 layout) for a call whose "
                                                 "ENTERQUEUE is not in the log"))
                    return
            else:
                wait_s = _seconds(data, at)
                if call is None:
                    call = self.enter(number, key, queue, now_s, entered_s=now_s - wait_s)
            self.finish(key, call, now_s, _LEFT[event])
            return
        agent = self.agent_name(agent_name)
        if event == "CONNECT":
            hold_s = _seconds(data, 0)
            if call is None:
                call = self.enter(number, key, queue, now_s, entered_s=now_s - hold_s)
            call.answered_s, call.agent, call.last_s = now_s, agent, now_s
            member = self.agents.get(agent)
            if member is not None:
                member.calls += 1
                self.settle(agent, member, now_s)
            return
        held_s, talk_s, target = self._durations(event, data)
        if talk_s is None:  # 1.2 TRANSFER: exten|context only; the call's CONNECT placed it
            if call is None or call.answered_s is None:
                self.out.append(Skip(number, "TRANSFER without durations (1.2 layout) for a call whose CONNECT "
                                             "is not in the log"))
                return
            talk_s = max(0, round(now_s - call.answered_s))
        if call is None:  # the log starts mid-call: place it from the durations
            call = self.enter(number, key, queue, now_s, entered_s=now_s - talk_s - (held_s or 0))
        if call.answered_s is None:
            call.answered_s, call.agent = now_s - talk_s, agent
        outcome = Outcome.ANSWERED if target is None else Outcome.TRANSFERRED
        self.finish(key, call, now_s, outcome, talk_s=talk_s, transfer_target=target)

    @staticmethod
    def _durations(event: str, data: list[str]) -> tuple[int | None, int | None, str | None]:
        """(hold, talk, transfer target) of an end-of-call event, in the layout of its branch."""
        if event in {"COMPLETECALLER", "COMPLETEAGENT"}:
            return _seconds(data, 0), _seconds(data, 1), None
        if event == "ATTENDEDTRANSFER":
            method = _data(data, 0).strip()
            if method == "LINK":
                target, at = f"LINK:{_data(data, 1)}|{_data(data, 2)}", 3
            elif method in {"BRIDGE", "APP"}:
                target, at = f"{method}:{_data(data, 1)}", 2
            else:  # no method word: the target, then the durations
                target, at = method, 1
            return _seconds(data, at), _seconds(data, at + 1), target[:200]
        exten, context = _data(data, 0).strip(), _data(data, 1).strip()  # TRANSFER, BLINDTRANSFER
        target = f"{exten}@{context}"[:200]
        if event == "TRANSFER" and len(data) < 4 and not _has_number(data, 2):
            return None, None, target
        return _seconds(data, 2), _seconds(data, 3), target

    def agent_event(self, now_s: float, queue: str, name: str, event: str, data: list[str]) -> None:
        agent = self.agents.get(name)
        if agent is None:
            agent = self.agents[name] = _Agent(queues=set())
        if event == "ADDMEMBER":
            agent.queues.add(queue)
            if data and data[0].strip() == "PAUSED":
                agent.paused = agent.paused if agent.paused is not None else ""
        elif event == "REMOVEMEMBER":
            agent.queues.discard(queue)
        elif event in {"AGENTLOGIN", "AGENTCALLBACKLOGIN"}:
            agent.pool = True
        elif event in {"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"}:
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
    reader = QueueLogReader(ctx)
    for number, text in lines:
        produced = reader.feed(number, text)
        if produced:
            yield from produced
    yield from reader.close()
