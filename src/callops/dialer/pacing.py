"""Dialer pacing: how many new lines to dial now. Three pacers share one view of the floor.

``ProgressivePacer``   one line per idle agent (nothing ringing or waiting beyond the idle agents).
``AdaptivePacer``      VICIdial's ADAPT_HARD_LIMIT, paraphrased from the reference notes: a 1 s sampler keeps
                       the last 15 samples of ready agents and waiting calls; every 15 s the dial level is
                       multiplied by ``1 + (ready_avg - waiting_avg) / agents``, capped at 3.0 and floored at
                       1.0; halved when more than half of the last minute's calls dropped (over 20 calls);
                       forced to 1.0 once more than 50 calls were placed today and today's drops exceed the
                       drop limit of the answered calls (refreshed each minute). Its dialer places
                       ``round(level * agents) - calls in progress`` every 2.5 s.
``BudgetPacer``        callops: a state-aware predictive pacer with a guaranteed abandon cap.

The guarantee (``BudgetPacer``): an abandon can only happen to a call answered while no agent is idle, so the
calls that can still be abandoned are at most ``X = ringing + waiting - idle`` (when positive). The pacer
never lets ``A + X > cap * (L + X)`` where ``A`` abandons and ``L`` live answers are counted in the window
(every abandon is also a live answer). Each event keeps the inequality (a connect adds to ``L``, an abandon
adds 1 to ``A`` and ``L`` and removes 1 from ``X``, a freed agent lowers ``X``), so ``A <= cap * L`` holds at
every instant whatever the draws: over a campaign no longer than the window the rate never exceeds the cap.
Inside that limit it dials for the agents expected free when the new calls are answered: idle agents plus,
for each busy agent with elapsed handle time ``e``, ``P(handle <= e + D | handle > e)`` from a lognormal
fitted online to finished handle times (``D`` = mean time to answer), with the live-answer probability's
upper 90 % bound (a Beta posterior) and a normal approximation of ``E[(live - free)+] <= alpha * E[live]``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

__all__ = ["FloorView", "Pacer", "ProgressivePacer", "AdaptivePacer", "BudgetPacer", "make_pacer", "PACINGS"]

PACINGS = ("progressive", "adaptive", "callops")


@dataclass(slots=True)
class FloorView:
    """What a pacer may see at a decision: the floor now and the counters it is allowed to keep."""

    now_s: float
    agents: int
    idle: int
    busy_since_s: npt.NDArray[np.float64]  # start of the current handle of each busy agent
    ringing: int
    waiting: int
    live_in_window: int  # live answers (abandons included) in the accounting window
    abandons_in_window: int
    live_in_window_staying: int  # live answers that stay in the window for the next guard period
    dials_resolved: int  # dials whose outcome is known
    live_resolved: int
    answer_delay_mean_s: float
    handle_log_mean: float
    handle_log_sd: float
    dials_today: int
    drops_today: int
    answered_today: int
    dials_last_60s: int
    drops_last_60s: int


class Pacer(Protocol):
    period_s: float
    """Seconds between dialing decisions."""
    samples: bool
    """Whether ``sample`` wants to be called every second."""

    def sample(self, view: FloorView) -> None:
        """Called every second (VICIdial's adapt loop samples; others ignore it)."""

    def dials(self, view: FloorView) -> int:
        """New lines to dial now."""


class ProgressivePacer:
    period_s = 1.0
    samples = False

    def sample(self, view: FloorView) -> None:
        return None

    def dials(self, view: FloorView) -> int:
        return max(0, view.idle - view.ringing - view.waiting)


@dataclass(slots=True)
class AdaptivePacer:
    """VICIdial ADAPT_HARD_LIMIT (intensity 0, target 0), as the baseline."""

    drop_limit: float
    max_level: float = 3.0
    level: float = 1.0
    period_s: float = 2.5
    samples: bool = True
    _samples: deque[tuple[int, int, int]] = field(default_factory=lambda: deque(maxlen=15))
    _last_adapt_s: float = 0.0
    _last_drops_s: float = -61.0
    _drop_stats: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    def sample(self, view: FloorView) -> None:
        self._samples.append((view.agents, view.idle, view.waiting))
        if view.now_s - self._last_drops_s >= 60.0:
            self._last_drops_s = view.now_s
            self._drop_stats = (view.dials_today, view.drops_today, view.answered_today, view.dials_last_60s,
                                view.drops_last_60s)
        if view.now_s - self._last_adapt_s >= 15.0:
            self._last_adapt_s = view.now_s
            self._adapt()

    def _adapt(self) -> None:
        n = len(self._samples)
        total = sum(s[0] for s in self._samples) / n
        ready = sum(s[1] for s in self._samples) / n
        waiting = sum(s[2] for s in self._samples) / n
        diff = ready - waiting
        m = diff / total if diff != 0 and total != 0 else 0.0
        level = round(self.level * (1.0 + m), 3)
        level = min(level, self.max_level)
        level = max(level, 1.0)
        calls_today, drops_today, answered_today, calls_60, drops_60 = self._drop_stats
        if calls_60 > 20 and drops_60 / calls_60 > 0.5:
            level /= 2.0
        if calls_today > 50 and answered_today and drops_today / answered_today > self.drop_limit:
            level = 1.0
        self.level = max(level, 1.0)

    def dials(self, view: FloorView) -> int:
        busy = view.agents - view.idle
        goal = round(self.level * view.agents)
        return max(0, goal - (view.ringing + view.waiting + busy))


@dataclass(slots=True)
class BudgetPacer:
    """callops: predictive inside a hard abandon budget; progressive when the budget is spent."""

    cap: float
    alpha: float = 0.0  # target expected abandon share of new live answers; 0 = the cap
    max_lines_per_agent: float = 30.0
    period_s: float = 1.0
    samples: bool = False
    warmup_dials: int = 30
    _table_key: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    _table: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(1))

    def sample(self, view: FloorView) -> None:
        return None

    def dials(self, view: FloorView) -> int:
        progressive = max(0, view.idle - view.ringing - view.waiting)
        # hard budget: calls that could still be abandoned if every one answered live right now
        budget = (self.cap * view.live_in_window_staying - view.abandons_in_window) / (1.0 - self.cap)
        extra_allowed = math.floor(budget + 1e-9) - max(0, view.ringing + view.waiting - view.idle)
        if extra_allowed <= 0 or view.dials_resolved < self.warmup_dials:
            return progressive
        r, live = view.dials_resolved, view.live_resolved
        a, b = 1.0 + live, 1.0 + r - live
        p_mean = a / (a + b)
        p_hi = min(1.0, p_mean + 1.2816 * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0))))
        free_mean, free_var = self._free_agents(view)
        alpha = self.alpha or self.cap
        lines_cap = int(self.max_lines_per_agent * view.agents) - view.ringing
        hi = max(0, min(lines_cap, extra_allowed + progressive))
        lo = 0
        # the largest n with E[(live - free)+] <= alpha * E[live]; monotone in n, so bisect
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._expected_abandon_ok(view.ringing + mid, p_hi, free_mean, free_var, alpha):
                lo = mid
            else:
                hi = mid - 1
        return max(progressive, lo)

    @staticmethod
    def _expected_abandon_ok(lines: int, p: float, free_mean: float, free_var: float, alpha: float) -> bool:
        live_mean = lines * p
        mu = live_mean - free_mean
        var = lines * p * (1.0 - p) + free_var
        if var <= 1e-12:
            return max(mu, 0.0) <= alpha * live_mean
        sd = math.sqrt(var)
        z = mu / sd
        excess = sd * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) + mu * 0.5 * math.erfc(-z / math.sqrt(2.0))
        return excess <= alpha * live_mean

    def _free_agents(self, view: FloorView) -> tuple[float, float]:
        """Mean and variance of agents free for calls answered ``D`` seconds from now (waiting calls first)."""
        mean = float(view.idle - view.waiting)
        var = 0.0
        if len(view.busy_since_s):
            table = self._weights(view)
            elapsed = (view.now_s - view.busy_since_s).astype(np.int64)
            w = table[np.minimum(elapsed, len(table) - 1)]
            mean += float(w.sum())
            var = float((w * (1.0 - w)).sum())
        return mean, var

    def _weights(self, view: FloorView) -> npt.NDArray[np.float64]:
        """``P(free within D | busy for e seconds)`` for e = 0, 1, 2 ... s, rebuilt when the fit moves."""
        key = (round(view.handle_log_mean, 2), round(view.handle_log_sd, 2), round(view.answer_delay_mean_s))
        if key != self._table_key:
            mu, sd = view.handle_log_mean, max(view.handle_log_sd, 1e-3)
            top = int(min(math.exp(mu + 4.0 * sd), 86400.0)) + 2
            elapsed = np.arange(top, dtype=np.float64) + 0.5
            f_now = ndtr((np.log(elapsed) - mu) / sd)
            f_then = ndtr((np.log(elapsed + max(view.answer_delay_mean_s, 0.0)) - mu) / sd)
            self._table = np.clip((f_then - f_now) / np.maximum(1.0 - f_now, 1e-12), 0.0, 1.0)
            self._table_key = key
        return self._table


def make_pacer(name: str, *, cap: float) -> Pacer:
    if name == "progressive":
        return ProgressivePacer()
    if name == "adaptive":
        return AdaptivePacer(drop_limit=cap)
    if name == "callops":
        return BudgetPacer(cap=cap)
    raise ValueError(f"unknown pacing {name!r}; one of {', '.join(PACINGS)}")
