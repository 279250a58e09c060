"""Rater bias: a planted harsh rater and a planted grudge are found; fair raters are not flagged."""

from __future__ import annotations

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.quality import ScoredEvaluation, rater_bias


def _simulate(
    seed: int, *, harsh: float = 0.0, grudge: float = 0.0, per_cell: int = 8, agents: int = 8, raters: int = 5
) -> list[ScoredEvaluation]:
    """Agents with their own levels; rater r3 harsher by ``harsh``; r1 harsher on agent a2 by ``grudge``."""
    rng = np.random.default_rng(seed)
    agent_level = rng.normal(0, 3, agents)
    rows = []
    for a in range(agents):
        for r in range(raters):
            for _ in range(per_cell):
                score = 80 + agent_level[a] + rng.normal(0, 5)
                score -= harsh if r == 3 else 0.0
                score -= grudge if (r == 1 and a == 2) else 0.0
                rows.append(ScoredEvaluation(f"a{a}", f"r{r}", float(score)))
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_finds_the_harsh_rater_and_the_grudge_only(seed: int) -> None:
    """r3 (8 points harsher) and r1 toward a2 (12 points) are flagged; no fair rater or fair pair is."""
    report = rater_bias(_simulate(seed, harsh=8.0, grudge=12.0))
    assert report.flagged_raters == ("r3",)
    assert report.flagged_pairs == (("r1", "a2"),)
    r3 = next(r for r in report.raters if r.rater == "r3")
    assert r3.ci_low < -8.0 * 0.6 and r3.ci_high < 0 and r3.p_adjusted < 1e-6
    assert report.interaction_p is not None and report.interaction_p < 0.05
    grudge = next(p for p in report.pairs if (p.rater, p.agent) == ("r1", "a2"))
    assert grudge.ci_low <= -12.0 <= grudge.ci_high  # estimated against the other cells, so not diluted


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
def test_fair_raters_are_not_flagged(seed: int) -> None:
    """With no planted bias nothing is flagged."""
    report = rater_bias(_simulate(seed))
    assert report.flagged_raters == () and report.flagged_pairs == ()


def test_effects_are_in_score_points() -> None:
    """A rater 10 points harsher shows an effect near -10 against the others, with a CI covering it."""
    report = rater_bias(_simulate(9, harsh=10.0, per_cell=12))
    r3 = next(r for r in report.raters if r.rater == "r3")
    assert r3.ci_low <= -10.0 <= r3.ci_high
    assert r3.effect_sd < -1.0


def test_disconnected_design_is_refused() -> None:
    """Raters who share no agent cannot be compared; the error says so."""
    rows = [
        ScoredEvaluation("a1", "r1", 70.0),
        ScoredEvaluation("a1", "r1", 72.0),
        ScoredEvaluation("a2", "r2", 90.0),
        ScoredEvaluation("a2", "r2", 91.0),
    ]
    with pytest.raises(InvalidInput, match="connected"):
        rater_bias(rows)


def test_needs_repeated_evaluations() -> None:
    """Without two evaluations of some agent by the same rater there is no error term."""
    rows = [ScoredEvaluation(f"a{a}", f"r{r}", float(a + r)) for a in range(3) for r in range(3)]
    with pytest.raises(InvalidInput, match="repeated"):
        rater_bias(rows)
