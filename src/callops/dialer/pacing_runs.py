"""Replications of an outbound shift under one pacing, summarised as the ``callops dialer simulate`` JSON."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callops.dialer.outbound_sim import OutboundRun, OutboundSetup, simulate_outbound
from callops.dialer.pacing import make_pacer
from callops.simulation import Estimate, estimate

__all__ = ["PacingSummary", "simulate_pacing", "MAX_REPLICATIONS"]

MAX_REPLICATIONS = 1000


@dataclass(frozen=True, slots=True)
class PacingSummary:
    pacing: str
    runs: tuple[OutboundRun, ...]
    abandon_rate: Estimate
    agent_talk_share: Estimate
    connects_per_agent_hour: Estimate

    @property
    def abandon_rate_max(self) -> float:
        return max(r.abandon_rate for r in self.runs)

    @property
    def max_window_abandon_rate(self) -> float:
        """The worst rolling-window abandon rate over all replications."""
        return max(r.max_window_abandon_rate for r in self.runs)

    def as_dict(self) -> dict[str, object]:
        return {
            "pacing": self.pacing,
            "abandon_rate": {**self.abandon_rate.as_dict(), "max": round(self.abandon_rate_max, 6)},
            "max_window_abandon_rate": round(self.max_window_abandon_rate, 6),
            "agent_talk_share": self.agent_talk_share.as_dict(),
            "connects_per_agent_hour": self.connects_per_agent_hour.as_dict(),
        }


def simulate_pacing(setup: OutboundSetup, *, pacing: str, abandon_cap: float, replications: int,
                    seed: int) -> PacingSummary:
    """``replications`` independent shifts; replication ``i`` draws from child ``i`` of ``SeedSequence(seed)``,
    so two pacings run with the same seed see the same random streams for the same replication."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ValueError(f"replications must be 1..{MAX_REPLICATIONS}")
    if not 0 < abandon_cap < 1:
        raise ValueError("abandon_cap must be in (0, 1)")
    children = np.random.SeedSequence(seed).spawn(replications)
    runs = tuple(simulate_outbound(setup, make_pacer(pacing, cap=abandon_cap), np.random.default_rng(child))
                 for child in children)
    return PacingSummary(
        pacing=pacing, runs=runs,
        abandon_rate=estimate([r.abandon_rate for r in runs], rate=True),
        agent_talk_share=estimate([r.agent_talk_share for r in runs], rate=True),
        connects_per_agent_hour=estimate([r.connects_per_agent_hour for r in runs]),
    )
