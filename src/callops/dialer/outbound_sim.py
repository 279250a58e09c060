"""A self-contained outbound simulator: agents, dials, answers, abandons, and a pacer deciding the lines.

Each dial rings; with probability ``connect_rate`` a live person answers after a delay (lognormal, mean
``answer_delay_mean_s``, never past the ring timeout of at least 15 s), with ``machine_rate`` a machine
answers (detected after ``amd_s`` seconds, no agent needed), else nobody answers and the line is released at
the ring timeout. A live answer goes to an idle agent at once; if none is idle it waits; if no agent is free
``connect_grace_s`` (2 s) after the answer it is abandoned (recorded message, hang-up). Handle times
(talk + wrap) are lognormal with mean ``aht_s`` and coefficient of variation ``aht_cv``. Dialing stops at
the end of the shift; calls already placed run out.

Written in the dialer package rather than on the routing core (``callops.routing``/``simulation.engine``),
which were being restructured when it was written; agents here are outbound-only (no blending).
Reproducible: every draw comes from the ``numpy.random.Generator`` passed in, ties ordered by sequence.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from callops.dialer.pacing import FloorView, Pacer

__all__ = ["OutboundSetup", "OutboundRun", "simulate_outbound", "max_window_rate"]

_RESOLVE, _FREE, _GRACE, _PACE, _SAMPLE = 0, 1, 2, 3, 4
_LIVE, _MACHINE, _NONE = 0, 1, 2
MAX_AGENTS = 2000
MAX_HOURS = 24 * 31


@dataclass(frozen=True, slots=True)
class OutboundSetup:
    agents: int
    hours: float
    aht_s: float
    connect_rate: float
    machine_rate: float
    aht_cv: float = 0.8
    ring_timeout_s: float = 20.0
    answer_delay_mean_s: float = 8.0
    amd_s: float = 3.0
    connect_grace_s: float = 2.0
    window_s: float = 86400.0

    @property
    def window_guard_s(self) -> float:
        """Live answers count towards the budget only while they stay in the window this much longer."""
        return self.window_s / 24.0

    def __post_init__(self) -> None:
        if not 1 <= self.agents <= MAX_AGENTS:
            raise ValueError(f"agents must be 1..{MAX_AGENTS}")
        if not 0 < self.hours <= MAX_HOURS:
            raise ValueError(f"hours must be in (0, {MAX_HOURS}]")
        if not 0 < self.aht_s <= 7200:
            raise ValueError("aht_s must be in (0, 7200]")
        if not (0 < self.connect_rate <= 1 and 0 <= self.machine_rate < 1 and
                self.connect_rate + self.machine_rate <= 1):
            raise ValueError("connect_rate in (0, 1], machine_rate in [0, 1) and their sum at most 1")
        if not 3600.0 <= self.window_s <= 31 * 86400.0:
            raise ValueError("window_s must be from 1 hour to 31 days")
        if self.ring_timeout_s < 15.0:
            raise ValueError("ring_timeout_s must be at least 15 s (FCC 64.1200(a)(6), Ofcom)")


@dataclass(frozen=True, slots=True)
class OutboundRun:
    dials: int
    live: int  # live answers, abandons included
    abandons: int
    connects: int
    handle_s_in_shift: float
    agents: int
    shift_s: float
    max_window_abandon_rate: float
    live_at_s: npt.NDArray[np.float64]
    abandon_at_s: npt.NDArray[np.float64]

    @property
    def abandon_rate(self) -> float:
        return self.abandons / self.live if self.live else 0.0

    @property
    def agent_talk_share(self) -> float:
        return self.handle_s_in_shift / (self.agents * self.shift_s)

    @property
    def connects_per_agent_hour(self) -> float:
        return self.connects / (self.agents * self.shift_s / 3600.0)


def max_window_rate(live_at_s: npt.NDArray[np.float64], abandon_at_s: npt.NDArray[np.float64], *,
                    window_s: float, end_s: float) -> float:
    """The worst abandon share of live answers over windows ``(T - window, T]``.

    A run no longer than the window is one window (the whole campaign, as the FTC measures a campaign shorter
    than its period); a longer one is judged over every full window ending in ``[window, end]``, evaluated
    where the rate can peak: at each abandon and just after each live answer leaves the window.
    """
    live = np.sort(live_at_s)
    ab = np.sort(abandon_at_s)
    if end_s <= window_s:
        return float(len(ab) / len(live)) if len(live) else 0.0
    ends = np.concatenate([ab, live + window_s, [end_s]])
    ends = ends[(ends >= window_s) & (ends <= end_s)]
    lo = ends - window_s
    n_live = np.searchsorted(live, ends, side="right") - np.searchsorted(live, lo, side="right")
    n_ab = np.searchsorted(ab, ends, side="right") - np.searchsorted(ab, lo, side="right")
    rates = np.where(n_live > 0, n_ab / np.maximum(n_live, 1), 0.0)
    return float(rates.max()) if len(rates) else 0.0


def simulate_outbound(setup: OutboundSetup, pacer: Pacer, rng: np.random.Generator) -> OutboundRun:
    """One shift of outbound dialing under ``pacer``."""
    shift_s = setup.hours * 3600.0
    sigma2 = math.log(1.0 + setup.aht_cv ** 2)
    h_mu, h_sd = math.log(setup.aht_s) - sigma2 / 2.0, math.sqrt(sigma2)
    d_sd = 0.5
    d_mu = math.log(setup.answer_delay_mean_s) - d_sd ** 2 / 2.0
    p_live, p_machine = setup.connect_rate, setup.machine_rate

    events: list[tuple[float, int, int, int, float]] = []
    seq = 0

    def push(t: float, kind: int, data: int, extra: float = 0.0) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, kind, data, extra))

    busy_since = np.full(setup.agents, np.nan)
    idle_agents = list(range(setup.agents))
    waiting: deque[int] = deque()  # call ids answered live, not yet connected
    waiting_set: set[int] = set()
    ringing = 0
    dials = live = abandons = connects = 0
    handle_in_shift = 0.0
    live_times: list[float] = []
    abandon_times: list[float] = []
    # first index still inside the window / staying for the guard period (times are appended in order)
    cursor = {"live": 0, "ab": 0, "stay": 0}
    resolved = live_resolved = 0
    delay_sum = 0.0
    handle_logs_n, handle_logs_sum, handle_logs_sq = 0, 0.0, 0.0
    day_dials = day_drops = day_answered = 0
    day_start = 0.0
    recent_dials: deque[float] = deque()
    recent_drops: deque[float] = deque()
    next_call = 0

    def connect(now: float) -> None:
        nonlocal connects, handle_in_shift, handle_logs_n, handle_logs_sum, handle_logs_sq
        agent = idle_agents.pop()
        handle = float(rng.lognormal(h_mu, h_sd))
        busy_since[agent] = now
        connects += 1
        handle_in_shift += max(0.0, min(now + handle, shift_s) - min(now, shift_s))
        lh = math.log(handle)
        handle_logs_n += 1
        handle_logs_sum += lh
        handle_logs_sq += lh * lh
        push(now + handle, _FREE, agent)

    def view(now: float) -> FloorView:
        start, stay_from = now - setup.window_s, now - setup.window_s + setup.window_guard_s
        while cursor["live"] < len(live_times) and live_times[cursor["live"]] <= start:
            cursor["live"] += 1
        while cursor["stay"] < len(live_times) and live_times[cursor["stay"]] <= stay_from:
            cursor["stay"] += 1
        while cursor["ab"] < len(abandon_times) and abandon_times[cursor["ab"]] <= start:
            cursor["ab"] += 1
        while recent_dials and recent_dials[0] <= now - 60.0:
            recent_dials.popleft()
        while recent_drops and recent_drops[0] <= now - 60.0:
            recent_drops.popleft()
        if handle_logs_n >= 30:
            mean = handle_logs_sum / handle_logs_n
            sd = math.sqrt(max(handle_logs_sq / handle_logs_n - mean * mean, 1e-9))
        else:
            mean, sd = h_mu, h_sd
        return FloorView(
            now_s=now, agents=setup.agents, idle=len(idle_agents),
            busy_since_s=busy_since[~np.isnan(busy_since)], ringing=ringing, waiting=len(waiting),
            live_in_window=len(live_times) - cursor["live"], abandons_in_window=len(abandon_times) - cursor["ab"],
            live_in_window_staying=len(live_times) - cursor["stay"],
            dials_resolved=resolved, live_resolved=live_resolved,
            answer_delay_mean_s=delay_sum / live_resolved if live_resolved else setup.ring_timeout_s / 2.0,
            handle_log_mean=mean, handle_log_sd=sd, dials_today=day_dials, drops_today=day_drops,
            answered_today=day_answered, dials_last_60s=len(recent_dials), drops_last_60s=len(recent_drops),
        )

    push(0.0, _PACE, 0)
    if pacer.samples:
        push(0.0, _SAMPLE, 0)
    while events:
        now, _, kind, data, extra = heapq.heappop(events)
        if now - day_start >= 86400.0:
            day_start += 86400.0 * ((now - day_start) // 86400.0)
            day_dials = day_drops = day_answered = 0
        if kind == _PACE:
            if now >= shift_s:
                continue
            n = pacer.dials(view(now))
            draws = rng.random(n)
            delays = rng.lognormal(d_mu, d_sd, n)
            for u, delay in zip(draws, delays, strict=True):
                dials += 1
                day_dials += 1
                recent_dials.append(now)
                ringing += 1
                if u < p_live:
                    wait = min(float(delay), setup.ring_timeout_s)
                    push(now + wait, _RESOLVE, _LIVE, wait)
                elif u < p_live + p_machine:
                    push(now + min(float(delay), setup.ring_timeout_s), _RESOLVE, _MACHINE)
                else:
                    push(now + setup.ring_timeout_s, _RESOLVE, _NONE)
            push(now + pacer.period_s, _PACE, 0)
        elif kind == _SAMPLE:
            if now < shift_s:
                pacer.sample(view(now))
                push(now + 1.0, _SAMPLE, 0)
        elif kind == _RESOLVE:
            ringing -= 1
            resolved += 1
            if data == _LIVE:
                live += 1
                live_resolved += 1
                delay_sum += extra
                day_answered += 1
                live_times.append(now)
                if idle_agents:
                    connect(now)
                else:
                    call = next_call
                    next_call += 1
                    waiting.append(call)
                    waiting_set.add(call)
                    push(now + setup.connect_grace_s, _GRACE, call)
        elif kind == _FREE:
            busy_since[data] = np.nan
            idle_agents.append(data)
            while waiting:
                call = waiting.popleft()
                if call in waiting_set:
                    waiting_set.discard(call)
                    connect(now)
                    break
        elif kind == _GRACE:
            if data in waiting_set:
                waiting_set.discard(data)
                waiting.remove(data)
                abandons += 1
                day_drops += 1
                recent_drops.append(now)
                abandon_times.append(now)
    live_arr = np.asarray(live_times, dtype=np.float64)
    ab_arr = np.asarray(abandon_times, dtype=np.float64)
    end = max(shift_s, float(live_arr.max()) if len(live_arr) else 0.0)
    return OutboundRun(dials, live, abandons, connects, handle_in_shift, setup.agents, shift_s,
                       max_window_rate(live_arr, ab_arr, window_s=setup.window_s, end_s=end), live_arr, ab_arr)
