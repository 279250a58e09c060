"""An outbound campaign on the routing core: a dialer whose live answers go to the same agents as inbound calls.

The scenario's ``outbound`` mapping (``parse_outbound``) names the campaign's skill: every agent holding it takes
the campaign's live answers; an agent who also serves inbound queues is **blended**. The dialer is one more
source of calls for the router (``Router.take_outbound``), with inbound first: a live answer takes a ready agent
of the campaign, and a ready agent never leaves a caller waiting in a queue it serves, so no outbound call is
connected while an inbound call waits that a free blended agent could take. A live answer with no agent ready
waits ``connect_grace_s`` (2 s) and is then abandoned (recorded message, hang-up).

Each line rings; a live person answers with ``connect_rate``, a machine with ``machine_rate`` (after a lognormal
delay, mean ``answer_delay_mean_s``, never past the ring time of at least 15 s), else nobody and the line is
released at the ring time. Answering machine detection classifies every answered line ``amd.detection_s`` after
the answer; with ``amd.false_positive_rate`` a live person is classified a machine and hung up on — an AMD
false positive, counted as an abandon in the true figure and, because a dialer cannot see them, estimated in
the reported figure from the configured rate (``fp / (1 - fp)`` per live answer passed, as Ofcom asks). A live
person reached refuses with ``refusal_rate`` (a short call, ``refusal_handle``) or talks (``handle``, then
``acw``).

Pacing: ``progressive`` (a line per idle agent of the campaign), ``adaptive`` (VICIdial-style) and ``callops``
(``callops.dialer.blended_pacing.BlendedBudgetPacer``: the abandon budget counting only the agents inbound
cannot take, reserved lines when the budget is spent).
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from callops.errors import InvalidInput
from callops.records import AgentState
from callops.routing import LiveAgent, LiveCall, QueueConfig, Router
from callops.routing.router import STATE_INDEX as _STATE_INDEX
from callops.simulation.distributions import Distribution, Stream
from callops.simulation.event_kinds import EventKind

__all__ = ["OUTBOUND_PACINGS", "Amd", "OutboundCampaign", "OutboundDialer", "OutboundStats", "parse_outbound",
           "weighted_max_window"]

OUTBOUND_PACINGS = ("progressive", "adaptive", "callops")  # as callops.dialer.PACINGS (a test keeps them equal)
_KEYS = frozenset({"name", "skill", "pacing", "abandon_cap", "window_h", "connect_rate", "machine_rate",
                   "refusal_rate", "handle", "refusal_handle", "acw", "ring_s", "answer_delay_s",
                   "connect_grace_s", "amd", "start_min", "end_min"})
_AMD_KEYS = frozenset({"detection_s", "false_positive_rate"})
_LIVE, _FALSE_POSITIVE, _MACHINE, _NO_ANSWER = 0, 1, 2, 3
_PACE, _SAMPLE, _LINE, _GRACE = EventKind.OUT_PACE, EventKind.OUT_SAMPLE, EventKind.OUT_LINE, EventKind.OUT_GRACE
_TALK_END, _ACW_END = EventKind.OUT_TALK_END, EventKind.OUT_ACW_END
_HANDLING = frozenset(s for s in AgentState if s.handling)
_HANDLE = Distribution("lognormal", 180.0, 144.0)  # the defaults: a lognormal conversation, a short refusal
_REFUSAL_HANDLE = Distribution("exponential", 30.0)


@dataclass(frozen=True, slots=True)
class Amd:
    """Answering machine detection: seconds after the answer, and the share of live people it calls machines."""

    detection_s: float = 3.0
    false_positive_rate: float = 0.0


@dataclass(frozen=True, slots=True)
class OutboundCampaign:
    name: str
    skill: str
    pacing: str
    connect_rate: float
    machine_rate: float = 0.0
    refusal_rate: float = 0.0
    abandon_cap: float = 0.03
    window_s: float = 86400.0
    handle: Distribution = _HANDLE
    refusal_handle: Distribution = _REFUSAL_HANDLE
    acw: Distribution | None = None
    ring_s: float = 20.0
    answer_delay_mean_s: float = 8.0
    connect_grace_s: float = 2.0
    amd: Amd = Amd()
    start_s: float = 0.0
    end_s: float | None = None  # None: the scenario's horizon

    @property
    def queue(self) -> str:
        """The router queue the campaign's agents serve (it never holds a call: live answers wait in the dialer)."""
        return f"outbound:{self.name}"

    def with_pacing(self, pacing: str) -> OutboundCampaign:
        if pacing not in OUTBOUND_PACINGS:
            raise InvalidInput(f"unknown pacing {pacing!r}; one of {', '.join(OUTBOUND_PACINGS)}",
                               field="outbound.pacing")
        return dataclasses.replace(self, pacing=pacing)


def _share(raw: Mapping[str, Any], key: str, default: float, *, where: str = "outbound") -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise InvalidInput(f"a share from 0 to 1, got {value!r}", field=f"{where}.{key}")
    return float(value)


def _number(raw: Mapping[str, Any], key: str, default: float, lo: float, hi: float,
            *, where: str = "outbound") -> float:
    value = _optional_number(raw, key, lo, hi, where=where)
    return default if value is None else value


def _optional_number(raw: Mapping[str, Any], key: str, lo: float, hi: float,
                     *, where: str = "outbound") -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
        raise InvalidInput(f"a number from {lo:g} to {hi:g}, got {value!r}", field=f"{where}.{key}")
    return float(value)


def parse_outbound(raw: Any, *, dist: Callable[[Any, str], Distribution], inbound_queues: Sequence[str],
                   group_skills: Sequence[Mapping[str, int]], horizon_s: float) -> OutboundCampaign:
    """The scenario's ``outbound`` mapping; every error names the field (``outbound.connect_rate`` ...)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("an outbound campaign is a mapping", field="outbound")
    unknown = sorted(str(k) for k in raw if k not in _KEYS)
    if unknown:
        raise InvalidInput(f"unknown key {unknown[0]!r}; known: {', '.join(sorted(_KEYS))}",
                           field=f"outbound.{unknown[0]}")
    name = str(raw.get("name", "campaign"))
    if not name or len(name) > 80:
        raise InvalidInput("a name of 1 to 80 characters", field="outbound.name")
    if f"outbound:{name}" in inbound_queues:
        raise InvalidInput(f"queue outbound:{name} is the campaign's own", field="outbound.name")
    if "skill" not in raw:
        raise InvalidInput("the skill whose agents take the campaign's calls is required", field="outbound.skill")
    skill = str(raw["skill"])
    if not any(skill in skills for skills in group_skills):
        raise InvalidInput(f"no agent group holds the skill {skill!r}", field="outbound.skill")
    pacing = str(raw.get("pacing", "callops"))
    if pacing not in OUTBOUND_PACINGS:
        raise InvalidInput(f"unknown pacing {pacing!r}; one of {', '.join(OUTBOUND_PACINGS)}",
                           field="outbound.pacing")
    if "connect_rate" not in raw:
        raise InvalidInput("the share of dials a live person answers is required", field="outbound.connect_rate")
    connect, machine = _share(raw, "connect_rate", 0.0), _share(raw, "machine_rate", 0.0)
    if connect <= 0.0:
        raise InvalidInput("must be more than 0", field="outbound.connect_rate")
    if connect + machine > 1.0:
        raise InvalidInput(f"connect_rate {connect:g} plus machine_rate {machine:g} is more than 1",
                           field="outbound.machine_rate")
    cap = _share(raw, "abandon_cap", 0.03)
    if not 0.0 < cap < 1.0:
        raise InvalidInput("must be more than 0 and less than 1", field="outbound.abandon_cap")
    amd_raw = raw.get("amd") or {}
    if not isinstance(amd_raw, Mapping):
        raise InvalidInput("a mapping {detection_s, false_positive_rate}", field="outbound.amd")
    unknown = sorted(str(k) for k in amd_raw if k not in _AMD_KEYS)
    if unknown:
        raise InvalidInput(f"unknown key {unknown[0]!r}; known: detection_s, false_positive_rate",
                           field=f"outbound.amd.{unknown[0]}")
    fp = _share(amd_raw, "false_positive_rate", 0.0, where="outbound.amd")
    if fp >= cap:
        raise InvalidInput(f"AMD false positives ({fp:g} of live answers) count as abandons: they alone would "
                           f"reach the abandon cap {cap:g}", field="outbound.amd.false_positive_rate")
    detection = _number(amd_raw, "detection_s", 3.0, 0.0, 10.0, where="outbound.amd")
    ring = _number(raw, "ring_s", 20.0, 15.0, 120.0)
    delay = _number(raw, "answer_delay_s", 8.0, 0.5, 60.0)
    grace = _number(raw, "connect_grace_s", 2.0, 0.0, 10.0)
    window_h = _number(raw, "window_h", 24.0, 1.0, 720.0)
    start = _number(raw, "start_min", 0.0, 0.0, horizon_s / 60.0)
    end = _optional_number(raw, "end_min", 0.0, horizon_s / 60.0)
    if end is not None and end <= start:
        raise InvalidInput(f"end_min {end:g} is not after start_min {start:g}", field="outbound.end_min")
    handle = dist(raw["handle"], "outbound.handle") if raw.get("handle") is not None else _HANDLE
    refusal_handle = (dist(raw["refusal_handle"], "outbound.refusal_handle")
                      if raw.get("refusal_handle") is not None else _REFUSAL_HANDLE)
    for where, d in (("outbound.handle", handle), ("outbound.refusal_handle", refusal_handle)):
        if d.mean <= 0 or d.kind == "uniform":
            raise InvalidInput("a duration with a positive mean", field=where)
    acw = dist(raw["acw"], "outbound.acw") if raw.get("acw") is not None else None
    return OutboundCampaign(
        name=name, skill=skill, pacing=pacing, connect_rate=connect, machine_rate=machine,
        refusal_rate=_share(raw, "refusal_rate", 0.0), abandon_cap=cap, window_s=window_h * 3600.0, handle=handle,
        refusal_handle=refusal_handle, acw=acw, ring_s=ring, answer_delay_mean_s=delay, connect_grace_s=grace,
        amd=Amd(detection, fp), start_s=start * 60.0, end_s=end * 60.0 if end is not None else None)


@dataclass(slots=True)
class OutboundStats:
    """One replication of the campaign. Counts are of lines resolved after the warm-up; times (the campaign's
    agents: logged in, handling anything, the campaign's calls, reserved for ringing lines) between the warm-up
    and the horizon; the worst window over every live answer and abandon of the run."""

    dials: int = 0
    reserved_dials: int = 0
    live: int = 0  # live answers passed by AMD (abandoned ones included)
    connects: int = 0
    abandons: int = 0
    amd_false_positives: int = 0
    machines: int = 0
    no_answers: int = 0
    refusals: int = 0
    false_positive_rate: float = 0.0
    logged_in_s: float = 0.0
    handling_s: float = 0.0
    outbound_handle_s: float = 0.0
    reserved_s: float = 0.0
    max_window_abandon_rate: float = 0.0

    @property
    def amd_false_positives_estimated(self) -> float:
        return self.live * self.false_positive_rate / (1.0 - self.false_positive_rate)

    @property
    def abandon_rate(self) -> float:
        """The reported figure: (abandons + estimated AMD false positives) / (live answers + the same estimate)."""
        est = self.amd_false_positives_estimated
        return (self.abandons + est) / (self.live + est) if self.live else 0.0

    @property
    def abandon_rate_actual(self) -> float:
        """What the simulator knows and a dialer does not: the true false positives in place of the estimate."""
        total = self.live + self.amd_false_positives
        return (self.abandons + self.amd_false_positives) / total if total else 0.0

    @property
    def agent_talk_share(self) -> float:
        """The campaign's agents' handling time (inbound and outbound, not waiting on reserved lines) / logged in."""
        return (self.handling_s - self.reserved_s) / self.logged_in_s if self.logged_in_s > 0 else 0.0

    @property
    def outbound_talk_share(self) -> float:
        return self.outbound_handle_s / self.logged_in_s if self.logged_in_s > 0 else 0.0

    @property
    def connects_per_agent_hour(self) -> float:
        return self.connects / (self.logged_in_s / 3600.0) if self.logged_in_s > 0 else 0.0


def weighted_max_window(live_at_s: npt.NDArray[np.float64], abandon_at_s: npt.NDArray[np.float64], *,
                        false_positive_rate: float, window_s: float, end_s: float) -> float:
    """The worst reported abandon rate over windows ``(T - window, T]`` (each live answer weighs
    ``1 / (1 - fp)`` live answers and ``fp / (1 - fp)`` estimated false positives); a run no longer than the
    window is one window, as ``callops.dialer.max_window_rate``, which this equals when ``fp`` is 0."""
    live, ab = np.sort(live_at_s), np.sort(abandon_at_s)
    w = 1.0 / (1.0 - false_positive_rate)
    est = false_positive_rate * w

    def rate(n_live: npt.NDArray[np.float64], n_ab: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.where(n_live > 0, (n_ab + n_live * est) / np.maximum(n_live * w, 1e-12), 0.0)

    if end_s <= window_s:
        return float(rate(np.array([float(len(live))]), np.array([float(len(ab))]))[0])
    ends = np.concatenate([ab, live, live + window_s, [end_s]])
    ends = ends[(ends >= window_s) & (ends <= end_s)]
    lo = ends - window_s
    n_live = (np.searchsorted(live, ends, side="right") - np.searchsorted(live, lo, side="right")).astype(float)
    n_ab = (np.searchsorted(ab, ends, side="right") - np.searchsorted(ab, lo, side="right")).astype(float)
    rates = rate(n_live, n_ab)
    return float(rates.max()) if len(rates) else 0.0


def outbound_queue_config(campaign: OutboundCampaign) -> QueueConfig:
    return QueueConfig(name=campaign.queue, skill=campaign.skill)


def _log_params(d: Distribution) -> tuple[float, float]:
    """The lognormal fitted to ``d``'s mean (and spread: the lognormal's own, else a coefficient of variation 1)."""
    cv = d.sd_s / d.mean if d.kind == "lognormal" and d.mean > 0 else 1.0
    s2 = math.log(1.0 + cv * cv)
    return math.log(d.mean) - s2 / 2.0, math.sqrt(s2)


class OutboundDialer:
    """The campaign's dialer inside one replication: lines, AMD, the pacer, and its agents through the router.

    The engine gives it its heap (it pushes its own event kinds with its own sequence numbers, so its ties
    never meet the engine's), the handlers for an agent whose work is over (``after_work``: recovery, a due
    break, the next inbound call or ready) and for an agent freed without work (``free_up``), and calls
    ``match`` after every event while a live answer waits.
    """

    def __init__(self, campaign: OutboundCampaign, router: Router, seed: np.random.SeedSequence, *,
                 heap: list[tuple[float, int, int, Any]], warmup_s: float, horizon_s: float,
                 inbound_per_s: Sequence[float], interval_s: float,
                 after_work: Callable[[LiveAgent, float], None], free_up: Callable[[LiveAgent, float], None]) -> None:
        from callops.dialer.blended_pacing import BlendedBudgetPacer  # lazy: callops.dialer imports simulation
        from callops.dialer.pacing import AdaptivePacer, ProgressivePacer

        self.campaign = c = campaign
        self.router = router
        self.heap = heap
        self.seq = 0
        self.warmup_s, self.horizon_s = warmup_s, horizon_s
        self.end_s = min(c.end_s if c.end_s is not None else horizon_s, horizon_s)
        self.inbound_per_s, self.interval_s = list(inbound_per_s), interval_s
        self.after_work, self.free_up = after_work, free_up
        line_seed, handle_seed = seed.spawn(2)
        self.line_rng = np.random.default_rng(line_seed)
        handle_rng = np.random.default_rng(handle_seed)
        self.handle_next = Stream(c.handle, handle_rng).next
        self.refusal_handle_next = Stream(c.refusal_handle, handle_rng).next
        self.acw_next = Stream(c.acw, handle_rng).next if c.acw is not None else None
        self.uniform_next = Stream(Distribution("uniform"), handle_rng).next
        self.queue = c.queue
        serving = router.queues[c.queue].groups  # (level, idle deque, members) of the campaign's agents
        self.idle_deques = [idle for _level, idle, _members in serving]
        inbound_skills = {q.config.skill for name, q in router.queues.items() if name != c.queue}
        self.guaranteed_deques = [idle for _level, idle, members in serving
                                  if not any(s in inbound_skills for s in members[0].skills)]
        self.agents = [a for _level, _idle, members in serving for a in members]
        self.blended = len(self.guaranteed_deques) < len(self.idle_deques)
        self.mu, self.sd = _log_params(c.handle)
        d_sd = 0.5
        self.d_mu, self.d_sd = math.log(c.answer_delay_mean_s) - d_sd ** 2 / 2.0, d_sd
        self.stats = OutboundStats(false_positive_rate=c.amd.false_positive_rate)
        self.waiting: deque[LiveCall] = deque()
        self.ringing = 0  # unreserved lines ringing
        self.line_id = 0
        self.live_times: list[float] = []
        self.abandon_times: list[float] = []
        self.cursor = [0, 0, 0]  # first live answer in the window, first staying, first abandon in the window
        self.resolved = self.live_resolved = 0
        self.delay_sum = 0.0
        self.logs = [0, 0.0, 0.0]  # finished handles: n, sum of logs, sum of squared logs
        self.day = [0.0, 0, 0, 0]  # day start, dials, drops, answered
        self.recent_dials: deque[float] = deque()
        self.recent_drops: deque[float] = deque()
        self.marks: list[tuple[float, float]] = []
        self.budget: BlendedBudgetPacer | None = None
        self.pacer: ProgressivePacer | AdaptivePacer | None = None
        if c.pacing == "callops":
            self.budget = BlendedBudgetPacer(cap=c.abandon_cap)
        elif c.pacing == "adaptive":
            self.pacer = AdaptivePacer(drop_limit=c.abandon_cap)
        else:
            self.pacer = ProgressivePacer()
        self.period_s = self.budget.period_s if self.budget is not None else self.pacer.period_s if \
            self.pacer is not None else 1.0
        if c.start_s < self.end_s:
            self._push(c.start_s, _PACE, None)
            if self.pacer is not None and self.pacer.samples:
                self._push(c.start_s, _SAMPLE, None)

    def _push(self, t: float, kind: int, about: Any) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, kind, self.seq, about))

    # -- what the pacer sees -----------------------------------------------------------------------
    def _view(self, now: float, *, busy: bool) -> Any:
        from callops.dialer.pacing import FloorView

        c = self.campaign
        start = now - c.window_s
        stay_from = start + c.window_s / 24.0
        live, ab, cur = self.live_times, self.abandon_times, self.cursor
        while cur[0] < len(live) and live[cur[0]] <= start:
            cur[0] += 1
        while cur[1] < len(live) and live[cur[1]] <= stay_from:
            cur[1] += 1
        while cur[2] < len(ab) and ab[cur[2]] <= start:
            cur[2] += 1
        while self.recent_dials and self.recent_dials[0] <= now - 60.0:
            self.recent_dials.popleft()
        while self.recent_drops and self.recent_drops[0] <= now - 60.0:
            self.recent_drops.popleft()
        n, s, sq = self.logs
        if n >= 30:
            mean = s / n
            sd = math.sqrt(max(sq / n - mean * mean, 1e-9))
        else:
            mean, sd = self.mu, self.sd
        agents = sum(1 for a in self.agents if a.state is not AgentState.LOGGED_OUT)
        busy_since = np.array([a.since for a in self.agents if a.state in _HANDLING
                               and not (a.call is not None and a.call.answered_at is None)]) if busy else np.zeros(0)
        return FloorView(
            now_s=now, agents=agents, idle=sum(len(d) for d in self.idle_deques), busy_since_s=busy_since,
            ringing=self.ringing, waiting=len(self.waiting), live_in_window=len(live) - cur[0],
            abandons_in_window=len(ab) - cur[2], live_in_window_staying=len(live) - cur[1],
            dials_resolved=self.resolved, live_resolved=self.live_resolved,
            answer_delay_mean_s=self.delay_sum / self.live_resolved if self.live_resolved else c.ring_s / 2.0,
            handle_log_mean=mean, handle_log_sd=sd, dials_today=int(self.day[1]), drops_today=int(self.day[2]),
            answered_today=int(self.day[3]), dials_last_60s=len(self.recent_dials),
            drops_last_60s=len(self.recent_drops))

    def _new_day(self, now: float) -> None:
        day = self.day
        if now - day[0] >= 86400.0:
            day[0] += 86400.0 * ((now - day[0]) // 86400.0)
            day[1] = day[2] = day[3] = 0

    # -- handlers ----------------------------------------------------------------------------------
    def on_pace(self, now: float, _about: None) -> None:
        if now >= self.end_s:
            return
        self._new_day(now)
        if self.budget is not None:
            from callops.dialer.blended_pacing import BlendedView

            floor = self._view(now, busy=True)
            fp = self.campaign.amd.false_positive_rate
            w = 1.0 / (1.0 - fp)
            k = min(int(now // self.interval_s), len(self.inbound_per_s) - 1)
            view = BlendedView(
                floor=floor, idle_guaranteed=sum(len(d) for d in self.guaranteed_deques),
                live_weighted=floor.live_in_window_staying * w,
                abandons_weighted=floor.abandons_in_window + floor.live_in_window * fp * w,
                inbound_per_s=self.inbound_per_s[k] if self.blended and k >= 0 else 0.0,
                line_hold_s=self.campaign.ring_s + self.campaign.amd.detection_s)
            reserved, unreserved = self.budget.plan(view)
        else:
            assert self.pacer is not None  # one of the two is set
            reserved, unreserved = 0, self.pacer.dials(self._view(now, busy=False))
        for _ in range(reserved):
            line = self._line(now)
            if self.router.take_outbound(self.queue, line, now, answered=False) is None:
                break  # no agent ready after all
            self._dial(line, now, reserved=True)
        for _ in range(unreserved):
            self._dial(self._line(now), now, reserved=False)
        self._push(now + self.period_s, _PACE, None)

    def on_sample(self, now: float, _about: None) -> None:
        if now < self.end_s and self.pacer is not None:
            self._new_day(now)
            self.pacer.sample(self._view(now, busy=False))
            self._push(now + 1.0, _SAMPLE, None)

    def _line(self, now: float) -> LiveCall:
        self.line_id += 1
        return LiveCall(self.line_id, self.queue, now)

    def _dial(self, line: LiveCall, now: float, *, reserved: bool) -> None:
        c = self.campaign
        u = float(self.line_rng.random())
        delay = min(float(self.line_rng.lognormal(self.d_mu, self.d_sd)), c.ring_s)
        v = float(self.line_rng.random())
        if u < c.connect_rate:
            code = _FALSE_POSITIVE if v < c.amd.false_positive_rate else _LIVE
            at = now + delay + c.amd.detection_s
        elif u < c.connect_rate + c.machine_rate:
            code, at = _MACHINE, now + delay + c.amd.detection_s
        else:
            code, at = _NO_ANSWER, now + c.ring_s
        if now >= self.warmup_s:
            self.stats.dials += 1
            self.stats.reserved_dials += reserved
        self.day[1] += 1
        self.recent_dials.append(now)
        if not reserved:
            self.ringing += 1
        self._push(at, _LINE, (line, code))

    def on_line(self, now: float, about: tuple[LiveCall, int]) -> None:
        line, code = about
        agent = line.agent  # the agent reserved for it, if any
        if agent is None:
            self.ringing -= 1
        self.resolved += 1
        stats = self.stats
        counting = now >= self.warmup_s
        if agent is not None:
            self._add_reserved(line.arrived_at, now)
        if code == _LIVE:
            self.live_resolved += 1
            self.delay_sum += now - line.arrived_at
            self.live_times.append(now)
            self.day[3] += 1
            if counting:
                stats.live += 1
            if agent is not None:
                self.router.connect_reserved(agent, now)
                self._talk(agent, line, now)
            elif (agent := self.router.take_outbound(self.queue, line, now, answered=True)) is not None:
                self._talk(agent, line, now)
            else:
                line.waiting = True
                self.waiting.append(line)
                self._push(now + self.campaign.connect_grace_s, _GRACE, line)
            return
        if counting:
            if code == _FALSE_POSITIVE:
                stats.amd_false_positives += 1
            elif code == _MACHINE:
                stats.machines += 1
            else:
                stats.no_answers += 1
        if agent is not None:
            self.router.end_call(agent, now, acw=False)
            self.free_up(agent, now)

    def on_grace(self, now: float, line: LiveCall) -> None:
        if not line.waiting:
            return
        line.waiting = False
        self.waiting.remove(line)
        self.abandon_times.append(now)
        self.day[2] += 1
        self.recent_drops.append(now)
        if now - self.campaign.connect_grace_s >= self.warmup_s:
            self.stats.abandons += 1

    def match(self, now: float) -> None:
        """Live answers waiting take the campaign's agents now ready (inbound callers were offered them first)."""
        waiting = self.waiting
        while waiting:
            line = waiting[0]
            agent = self.router.take_outbound(self.queue, line, now, answered=True)
            if agent is None:
                return
            waiting.popleft()
            line.waiting = False
            self._talk(agent, line, now)

    def _talk(self, agent: LiveAgent, line: LiveCall, now: float) -> None:
        c, stats = self.campaign, self.stats
        refused = self.uniform_next() < c.refusal_rate
        talk = self.refusal_handle_next() if refused else self.handle_next()
        acw = self.acw_next() if self.acw_next is not None else 0.0
        line.talk_s, line.acw_s = talk, acw
        handle = talk + acw
        if handle > 0:
            lh = math.log(handle)
            self.logs[0] += 1
            self.logs[1] += lh
            self.logs[2] += lh * lh
        if now >= self.warmup_s:
            stats.connects += 1
            stats.refusals += refused
        stats.outbound_handle_s += max(0.0, min(now + handle, self.horizon_s) - max(now, self.warmup_s))
        self._push(now + talk, _TALK_END, agent)

    def on_talk_end(self, now: float, agent: LiveAgent) -> None:
        line = agent.call
        acw = line.acw_s if line is not None else 0.0
        self.router.end_call(agent, now, acw=acw > 0)
        if acw > 0:
            self._push(now + acw, _ACW_END, agent)
        else:
            self.after_work(agent, now)

    def on_acw_end(self, now: float, agent: LiveAgent) -> None:
        self.after_work(agent, now)

    # -- the counts ----------------------------------------------------------------------------------
    def _add_reserved(self, start: float, end: float) -> None:
        self.stats.reserved_s += max(0.0, min(end, self.horizon_s) - max(start, self.warmup_s))

    def mark(self, now: float) -> None:
        """At the warm-up's end and at the horizon: the campaign's agents' logged-in and handling time so far."""
        logged_in = handling = 0.0
        for agent in self.agents:
            extra = now - agent.since
            for state, index in _STATE_INDEX.items():
                t = agent.totals[index] + (extra if agent.state is state else 0.0)
                if state is not AgentState.LOGGED_OUT:
                    logged_in += t
                if state in _HANDLING:
                    handling += t
        self.marks.append((logged_in, handling))

    def result(self) -> OutboundStats:
        stats = self.stats
        if len(self.marks) == 2:
            (l0, h0), (l1, h1) = self.marks
            stats.logged_in_s, stats.handling_s = l1 - l0, h1 - h0
        live = np.asarray(self.live_times, dtype=np.float64)
        ab = np.asarray(self.abandon_times, dtype=np.float64)
        end = max(self.end_s, float(live.max()) if len(live) else 0.0)
        stats.max_window_abandon_rate = weighted_max_window(
            live, ab, false_positive_rate=self.campaign.amd.false_positive_rate, window_s=self.campaign.window_s,
            end_s=end)
        return stats

