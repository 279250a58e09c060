"""New-hire ramp: AHT, QA score and FCR (resolved flag) by week of tenure, per hire cohort (learning curves).

Week 1 is the hire date and the six days after it. Inputs are per person and week already summed
(the store does that in SQL); this module pools them per cohort (hire month) and week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["WeekTotals", "RampPoint", "ramp_curves", "MAX_WEEKS"]

MAX_WEEKS = 52


@dataclass(frozen=True, slots=True)
class WeekTotals:
    """One person's sums for one week of tenure."""

    person: str
    cohort: str
    week: int
    calls: int
    handle_s: float
    resolved: int
    resolved_known: int
    qa_scores: int
    qa_total: float


@dataclass(frozen=True, slots=True)
class RampPoint:
    cohort: str
    week: int
    agents: int
    calls: int
    aht_s: float | None
    fcr_flag: float | None
    qa_evaluations: int
    qa_score: float | None

    def as_dict(self) -> dict[str, object]:
        return {"cohort": self.cohort, "week": self.week, "agents": self.agents, "calls": self.calls,
                "aht_s": self.aht_s, "fcr_flag": self.fcr_flag, "qa_evaluations": self.qa_evaluations,
                "qa_score": self.qa_score}


def ramp_curves(totals: Sequence[WeekTotals]) -> list[RampPoint]:
    """Pooled per (cohort, week): AHT = handle / calls, FCR = resolved / known, QA = mean score; sorted."""
    pooled: dict[tuple[str, int], list[WeekTotals]] = {}
    for t in totals:
        pooled.setdefault((t.cohort, t.week), []).append(t)
    out: list[RampPoint] = []
    for (cohort, week), items in sorted(pooled.items()):
        calls = sum(t.calls for t in items)
        known = sum(t.resolved_known for t in items)
        scores = sum(t.qa_scores for t in items)
        out.append(RampPoint(
            cohort=cohort, week=week, agents=len({t.person for t in items if t.calls or t.qa_scores}), calls=calls,
            aht_s=round(sum(t.handle_s for t in items) / calls, 3) if calls else None,
            fcr_flag=round(sum(t.resolved for t in items) / known, 6) if known else None,
            qa_evaluations=scores, qa_score=round(sum(t.qa_total for t in items) / scores, 3) if scores else None))
    return out
