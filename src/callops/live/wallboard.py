"""The wallboard projection: what the floor looks like now, folded from live events.

``Floor`` applies ``LiveEvent`` values in log order and answers ``snapshot(now)``: per queue the
calls waiting and the longest wait, offered / answered / abandoned / timed out today and in the
last 15 and 30 minutes, the service level (answered within the queue's threshold T over the calls
whose wait is decided: answered, abandoned or timed out) and ASA; per agent the state, reason,
queues and time in state. ``Thresholds`` turn a snapshot into alerts (SL below target for N
minutes, longest wait over X s, an agent away longer than Y min, a call longer than Z min, a streak
of N hard calls within M minutes -- see ``callops.live.hard_calls``).

"Today" is the local day in the floor's zone; counters restart at local midnight. Memory holds
the calls in progress, the agents and the last 30 minutes of ends per queue.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from callops.live.events import LiveEvent, LiveEventKind
from callops.live.hard_calls import HardCallLog, is_hard_call_end, streak_count
from callops.records import AgentState

__all__ = ["Floor", "Thresholds", "Alert", "QueueView", "AgentView", "FloorSnapshot", "WINDOWS_MIN"]

K = LiveEventKind
WINDOWS_MIN = (15, 30)
_KEEP_MS = max(WINDOWS_MIN) * 60_000
_DEFAULT_SL_S = 20
_OFF = AgentState.LOGGED_OUT.value
_CALL_STATES = frozenset({AgentState.ON_CALL.value, AgentState.HOLD.value})


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass(slots=True)
class _Waiting:
    queue: str
    entered_ms: int


@dataclass(slots=True)
class _Talking:
    queue: str | None
    agent: str | None
    answered_ms: int


@dataclass(slots=True)
class _QueueDay:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timeout: int = 0
    within_sl: int = 0
    answer_wait_s: float = 0.0
    recent: deque[tuple[int, str, float]] = field(default_factory=deque)  # (at ms, kind, wait s) for the windows


@dataclass(slots=True)
class _Agent:
    base: str = _OFF  # the state set by the agent / the PBX (ready, away, ...)
    reason: str | None = None
    queues: set[str] = field(default_factory=set)
    call: str | None = None  # the call key while on a call
    ringing: str | None = None
    held: bool = False
    since_ms: int = 0
    shown: str = _OFF

    def display(self) -> str:
        if self.call is not None:
            return AgentState.HOLD.value if self.held else AgentState.ON_CALL.value
        if self.ringing is not None:
            return AgentState.RINGING.value
        return self.base


@dataclass(frozen=True, slots=True)
class WindowCounts:
    minutes: int
    offered: int
    answered: int
    abandoned: int
    service_level: float | None


@dataclass(frozen=True, slots=True)
class QueueView:
    queue: str
    waiting: int
    longest_wait_s: float
    offered_today: int
    answered_today: int
    abandoned_today: int
    timeout_today: int
    service_level_today: float | None
    abandon_rate_today: float | None
    asa_s: float | None
    sl_threshold_s: int
    windows: tuple[WindowCounts, ...]
    agents: dict[str, int]

    def contract(self) -> dict[str, Any]:
        """The queue as ``GET /api/live/queues`` gives it."""
        return {"queue": self.queue, "waiting": self.waiting, "longest_wait_s": round(self.longest_wait_s, 1),
                "offered_today": self.offered_today, "answered_today": self.answered_today,
                "abandoned_today": self.abandoned_today, "service_level_today": self.service_level_today,
                "agents": dict(self.agents)}


@dataclass(frozen=True, slots=True)
class AgentView:
    agent: str
    state: str
    reason: str | None
    queues: tuple[str, ...]
    in_state_s: float
    on_call_s: float | None  # how long the current call has lasted


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # sl_low, long_wait, long_away, long_call, hard_streak
    subject: str  # the queue or agent
    value: float
    limit: float


@dataclass(frozen=True, slots=True)
class FloorSnapshot:
    as_of: dt.datetime
    queues: tuple[QueueView, ...]
    agents: tuple[AgentView, ...]
    alerts: tuple[Alert, ...] = ()
    hard_call_ends_ms: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # per agent, last 8 hours


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


class Floor:
    """The live floor folded from events; see the module docstring."""

    def __init__(self, tz: zoneinfo.ZoneInfo, sl_thresholds_s: Mapping[str, int] | None = None) -> None:
        self.tz = tz
        self.sl_thresholds_s = dict(sl_thresholds_s or {})
        self.waiting: dict[str, _Waiting] = {}
        self.talking: dict[str, _Talking] = {}
        self.days: dict[str, _QueueDay] = {}
        self.agents: dict[str, _Agent] = {}
        self.day: dt.date | None = None
        self.applied = 0
        self.hard = HardCallLog()

    # --- folding -----------------------------------------------------------------------------------
    def _roll(self, at: dt.datetime) -> bool:
        """Move to ``at``'s local day (restarting the day's counters); False for an event of an earlier day."""
        day = at.astimezone(self.tz).date()
        if self.day is None or day > self.day:
            self.day = day
            self.days = {q: _QueueDay() for q in self.days}
        return day == self.day

    def _queue(self, name: str) -> _QueueDay:
        found = self.days.get(name)
        if found is None:
            found = self.days[name] = _QueueDay()
        return found

    def _agent(self, name: str) -> _Agent:
        found = self.agents.get(name)
        if found is None:
            found = self.agents[name] = _Agent()
        return found

    def _show(self, agent: _Agent, at_ms: int) -> None:
        shown = agent.display()
        if shown != agent.shown:
            agent.shown, agent.since_ms = shown, at_ms

    def apply_all(self, events: Iterable[LiveEvent]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: LiveEvent) -> None:
        self.applied += 1
        today = self._roll(event.at)
        at_ms = _ms(event.at)
        key = f"{event.source}|{event.call_id}"
        kind = event.kind
        if kind is K.AGENT_STATE:
            if event.agent:
                self._agent_state(event, event.agent, at_ms)
            return
        if kind is K.CALL_OFFERED:
            if event.queue and key not in self.waiting:
                self.waiting[key] = _Waiting(event.queue, at_ms)
                if today:
                    self._queue(event.queue).offered += 1
                    self._recent(event.queue, at_ms, "offered", 0.0)
            return
        if kind is K.CALL_RINGING:
            if event.agent:
                agent = self._agent(event.agent)
                agent.ringing = key
                self._show(agent, at_ms)
            return
        if kind is K.CALL_ANSWERED:
            self._answered(event, key, at_ms, today)
            return
        if kind in (K.CALL_ABANDONED, K.CALL_TIMEOUT):
            self._left(event, key, at_ms, today)
            return
        if kind in (K.CALL_HELD, K.CALL_RESUMED):
            talk = self.talking.get(key)
            if talk is not None and talk.agent in self.agents:
                agent = self.agents[talk.agent]
                agent.held = kind is K.CALL_HELD
                self._show(agent, at_ms)
            return
        if kind in (K.CALL_ENDED, K.CALL_TRANSFERRED):
            self.waiting.pop(key, None)
            talk = self.talking.pop(key, None)
            name = talk.agent if talk is not None else event.agent
            if name:
                self.hard.call_ended(name, key, at_ms, hard=is_hard_call_end(event.data))
            if name and name in self.agents:
                agent = self.agents[name]
                if agent.call == key or agent.call is None:
                    agent.call, agent.held = None, False
                if agent.ringing == key:
                    agent.ringing = None
                self._show(agent, at_ms)
            return
        # IVR steps do not change the board

    def _recent(self, queue: str, at_ms: int, what: str, wait_s: float) -> None:
        recent = self._queue(queue).recent
        recent.append((at_ms, what, wait_s))
        while recent and recent[0][0] < at_ms - _KEEP_MS:
            recent.popleft()

    def _wait_s(self, event: LiveEvent, key: str, at_ms: int) -> tuple[str | None, float | None]:
        waiting = self.waiting.pop(key, None)
        if waiting is not None:
            return waiting.queue, max(0.0, (at_ms - waiting.entered_ms) / 1000)
        given = event.data.get("wait_s")
        try:
            return event.queue, float(given) if given is not None else None
        except ValueError:
            return event.queue, None

    def _answered(self, event: LiveEvent, key: str, at_ms: int, today: bool) -> None:
        queue, wait_s = self._wait_s(event, key, at_ms)
        queue = queue or event.queue
        self.talking[key] = _Talking(queue, event.agent, at_ms)
        if queue and today:
            day = self._queue(queue)
            day.answered += 1
            wait = wait_s or 0.0
            day.answer_wait_s += wait
            if wait <= self.sl_thresholds_s.get(queue, _DEFAULT_SL_S):
                day.within_sl += 1
            self._recent(queue, at_ms, "answered", wait)
        if event.agent:
            agent = self._agent(event.agent)
            agent.call, agent.ringing, agent.held = key, None, False
            if agent.base == _OFF:  # a source that reports calls but not log-ins: it is evidently signed in
                agent.base, agent.reason = AgentState.READY.value, None
            if queue:
                agent.queues.add(queue)
            self._show(agent, at_ms)

    def _left(self, event: LiveEvent, key: str, at_ms: int, today: bool) -> None:
        queue, wait_s = self._wait_s(event, key, at_ms)
        queue = queue or event.queue
        for agent in self.agents.values():
            if agent.ringing == key:
                agent.ringing = None
                self._show(agent, at_ms)
        if queue and today:
            day = self._queue(queue)
            if event.kind is K.CALL_ABANDONED:
                day.abandoned += 1
                self._recent(queue, at_ms, "abandoned", wait_s or 0.0)
            else:
                day.timeout += 1
                self._recent(queue, at_ms, "timeout", wait_s or 0.0)

    def _agent_state(self, event: LiveEvent, name: str, at_ms: int) -> None:
        agent = self._agent(name)
        state = event.state or _OFF
        queues = event.data.get("queues")
        if queues is not None:
            agent.queues = {q for q in queues.split(",") if q}
        elif event.queue and state != _OFF:
            agent.queues.add(event.queue)
        if state in _CALL_STATES:
            agent.call = agent.call or f"{event.source}|agent:{name}"
            agent.held = state == AgentState.HOLD.value
        elif state == AgentState.RINGING.value:
            agent.ringing = agent.ringing or f"{event.source}|agent:{name}"
        else:
            agent.base, agent.reason = state, event.reason
            if agent.call is not None and agent.call.endswith(f"|agent:{name}"):
                self.hard.call_ended(name, f"{agent.call}@{at_ms}", at_ms, hard=False)
                agent.call = None  # the source reports call states itself: its next state ends the call
            if agent.ringing is not None and agent.ringing.endswith(f"|agent:{name}"):
                agent.ringing = None
            if state == _OFF:
                agent.call = agent.ringing = None
                if queues is None:
                    agent.queues.clear()
        if state == AgentState.RECOVERY.value:
            self.hard.recovery(name)
        self._show(agent, at_ms)

    # --- reading -----------------------------------------------------------------------------------
    def snapshot(self, now: dt.datetime) -> FloorSnapshot:
        self._roll(now)
        now_ms = _ms(now)
        longest: dict[str, float] = {}
        count: dict[str, int] = {}
        for call in self.waiting.values():
            wait = max(0.0, (now_ms - call.entered_ms) / 1000)
            count[call.queue] = count.get(call.queue, 0) + 1
            longest[call.queue] = max(longest.get(call.queue, 0.0), wait)
        by_queue: dict[str, dict[str, int]] = {}
        agents: list[AgentView] = []
        for name, agent in sorted(self.agents.items()):
            if agent.shown == _OFF and not agent.queues:
                continue
            for queue in agent.queues:
                states = by_queue.setdefault(queue, {})
                states[agent.shown] = states.get(agent.shown, 0) + 1
            call_s = None
            if agent.call is not None:
                talk = self.talking.get(agent.call)
                call_s = (now_ms - talk.answered_ms) / 1000 if talk is not None else (now_ms - agent.since_ms) / 1000
            agents.append(AgentView(name, agent.shown, agent.reason if agent.shown == agent.base else None,
                                    tuple(sorted(agent.queues)), max(0.0, (now_ms - agent.since_ms) / 1000), call_s))
        names = sorted(set(self.days) | set(count) | set(by_queue))
        queues = tuple(self._queue_view(q, now_ms, count.get(q, 0), longest.get(q, 0.0), by_queue.get(q, {}))
                       for q in names)
        hard = {name: tuple(calls.hard_ms) for name, calls in self.hard.agents.items() if calls.hard_ms}
        return FloorSnapshot(as_of=now, queues=queues, agents=tuple(agents), hard_call_ends_ms=hard)

    def _queue_view(self, queue: str, now_ms: int, waiting: int, longest_s: float,
                    agents: dict[str, int]) -> QueueView:
        day = self._queue(queue)
        threshold = self.sl_thresholds_s.get(queue, _DEFAULT_SL_S)
        decided = day.answered + day.abandoned + day.timeout
        windows = []
        for minutes in WINDOWS_MIN:
            start = now_ms - minutes * 60_000
            offered = answered = abandoned = within = decided_w = 0
            for at_ms, what, wait in day.recent:
                if at_ms < start or at_ms > now_ms:
                    continue
                if what == "offered":
                    offered += 1
                    continue
                decided_w += 1
                if what == "answered":
                    answered += 1
                    within += wait <= threshold
                elif what == "abandoned":
                    abandoned += 1
            windows.append(WindowCounts(minutes, offered, answered, abandoned, _rate(within, decided_w)))
        return QueueView(
            queue=queue, waiting=waiting, longest_wait_s=longest_s, offered_today=day.offered,
            answered_today=day.answered, abandoned_today=day.abandoned, timeout_today=day.timeout,
            service_level_today=_rate(day.within_sl, decided), abandon_rate_today=_rate(day.abandoned, decided),
            asa_s=round(day.answer_wait_s / day.answered, 1) if day.answered else None, sl_threshold_s=threshold,
            windows=tuple(windows), agents=dict(sorted(agents.items())))


@dataclass(slots=True)
class Thresholds:
    """When the board colours and alerts. SL is judged on the last-15-minute window."""

    sl_target: float = 0.8
    sl_minutes: float = 5.0  # SL below target for this long
    longest_wait_s: float = 60.0
    away_minutes: float = 15.0
    call_minutes: float = 20.0
    streak_calls: float = 3.0  # hard calls (distressing: complaint / abusive, or recovery taken) ...
    streak_minutes: float = 30.0  # ... within this many minutes alert the lead (0 calls: never)
    _below_since: dict[str, dt.datetime] = field(default_factory=dict)

    def evaluate(self, snap: FloorSnapshot) -> FloorSnapshot:
        """``snap`` with its alerts; remembers since when each queue's SL has been below target."""
        alerts: list[Alert] = []
        for q in snap.queues:
            sl = q.windows[0].service_level if q.windows else None
            if sl is not None and sl < self.sl_target:
                since = self._below_since.setdefault(q.queue, snap.as_of)
                below_min = (snap.as_of - since).total_seconds() / 60
                if below_min >= self.sl_minutes:
                    alerts.append(Alert("sl_low", q.queue, sl, self.sl_target))
            else:
                self._below_since.pop(q.queue, None)
            if q.longest_wait_s > self.longest_wait_s:
                alerts.append(Alert("long_wait", q.queue, round(q.longest_wait_s, 1), self.longest_wait_s))
        away = {AgentState.AWAY.value, AgentState.BREAK.value, AgentState.RECOVERY.value}
        for a in snap.agents:
            if a.state in away and a.in_state_s > self.away_minutes * 60:
                alerts.append(Alert("long_away", a.agent, round(a.in_state_s / 60, 1), self.away_minutes))
            if a.on_call_s is not None and a.on_call_s > self.call_minutes * 60:
                alerts.append(Alert("long_call", a.agent, round(a.on_call_s / 60, 1), self.call_minutes))
        if self.streak_calls >= 1:
            now_ms = _ms(snap.as_of)
            for agent, ends in sorted(snap.hard_call_ends_ms.items()):
                n = streak_count(list(ends), now_ms, self.streak_minutes)
                if n >= self.streak_calls:
                    alerts.append(Alert("hard_streak", agent, float(n), self.streak_calls))
        return FloorSnapshot(snap.as_of, snap.queues, snap.agents, tuple(alerts), snap.hard_call_ends_ms)
