"""callops' pacing for blended agents: the abandon budget when inbound calls may take the agents a line counts on.

In an outbound-only campaign an idle agent waits for the dialer's lines, so ``ringing + waiting - idle`` bounds
the calls that could still be abandoned (``BudgetPacer``). A blended agent is taken by the next inbound call
(inbound has priority), so an idle blended agent guarantees nothing: only idle agents no inbound queue can take
(outbound-only) are subtracted. The calls at risk are ``X = unreserved ringing + waiting - idle outbound-only``,
and the pacer never lets ``A + X > cap * (L + X)`` (``A`` abandons, ``L`` live answers in the window, both with
the AMD false-positive estimate) — the same argument as ``BudgetPacer``: no event can break it, whatever the
draws and whatever inbound does, so ``A <= cap * L`` at every instant.

When the budget allows no line at risk it dials **reserved** lines: the agent is taken for the line before it
is dialled (state ``outbound`` while it rings, as progressive dialers reserve agents) and the line can never be
abandoned; an inbound call arriving meanwhile waits for another agent. So that callers do not wait for agents
reserved on ringing lines, it leaves idle as many blended agents as inbound calls are expected while a line
rings (``ceil(inbound rate x (ring + AMD time))``, ``keep_for_inbound``). Inside the budget it dials unreserved
lines for the agents expected free when they are answered (``BudgetPacer``'s estimate less the inbound calls
expected to take idle blended agents meanwhile) and reserves lines for the idle agents those do not cover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from callops.dialer.pacing import BudgetPacer, FloorView

__all__ = ["BlendedView", "BlendedBudgetPacer"]


@dataclass(slots=True)
class BlendedView:
    """What the blended pacer sees: ``floor`` (ringing = unreserved lines) plus the blended quantities."""

    floor: FloorView
    idle_guaranteed: int  # idle agents no inbound queue can take
    live_weighted: float  # live answers in the window staying for the guard period, FP estimate included
    abandons_weighted: float  # abandons in the window, FP estimate included
    inbound_per_s: float  # inbound calls expected per second in queues the campaign's blended agents serve
    line_hold_s: float  # how long a reserved line holds its agent at most (the ring time plus AMD)


@dataclass(slots=True)
class BlendedBudgetPacer:
    cap: float
    alpha: float = 0.0
    max_lines_per_agent: float = 30.0
    period_s: float = 1.0
    samples: bool = False
    warmup_dials: int = 30
    keep_for_inbound: bool = True  # leave idle blended agents for the inbound calls expected while a line rings
    _inner: BudgetPacer = field(init=False)

    def __post_init__(self) -> None:
        self._inner = BudgetPacer(cap=self.cap, alpha=self.alpha)

    def plan(self, view: BlendedView) -> tuple[int, int]:
        """``(reserved, unreserved)`` lines to dial now."""
        v = view.floor
        uncovered = max(0, v.idle - v.ringing - v.waiting)  # idle agents with no line coming for them
        blended_idle = v.idle - view.idle_guaranteed
        keep = math.ceil(view.inbound_per_s * view.line_hold_s) if self.keep_for_inbound and blended_idle else 0
        reservable = view.idle_guaranteed + max(0, blended_idle - keep)
        budget = (self.cap * view.live_weighted - view.abandons_weighted) / (1.0 - self.cap)
        at_risk = max(0, v.ringing + v.waiting - view.idle_guaranteed)
        headroom = math.floor(budget + 1e-9) - at_risk
        if headroom <= 0 or v.dials_resolved < self.warmup_dials:
            return min(uncovered, reservable), 0
        r, live = v.dials_resolved, v.live_resolved
        a, b = 1.0 + live, 1.0 + r - live
        p_mean = a / (a + b)
        p_hi = min(1.0, p_mean + 1.2816 * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0))))
        # the handle-time fit to one decimal: its table of P(free within D) is rebuilt a tenth as often
        v.handle_log_mean, v.handle_log_sd = round(v.handle_log_mean, 1), round(v.handle_log_sd, 1)
        free_mean, free_var = self._inner._free_agents(v)
        steals = min(float(v.idle - view.idle_guaranteed), view.inbound_per_s * max(v.answer_delay_mean_s, 0.0))
        free_mean -= max(steals, 0.0)
        alpha = self.alpha or self.cap
        lines_cap = int(self.max_lines_per_agent * v.agents) - v.ringing
        hi = max(0, min(lines_cap, headroom))
        lo = 0
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if BudgetPacer._expected_abandon_ok(v.ringing + mid, p_hi, free_mean, free_var, alpha):
                lo = mid
            else:
                hi = mid - 1
        return min(max(0, uncovered - lo), reservable), lo

