"""Rater bias: who scores systematically harsher or softer, overall or toward particular agents.

Model (two-way ANOVA with interaction, least squares, sum-to-zero constraints):

    score = mu + agent_a + rater_r + (rater x agent)_ar + error,   error ~ N(0, sigma^2)

* sigma^2 is the within-cell mean square (evaluations of the same agent by the same rater), so
  each agent-rater pair needs at least one repeat somewhere in the data.
* Severity of rater r: the contrast rater_r - mean(rater_l for the other reference raters l) in the
  additive model (agent effects removed), with a t test and a confidence interval from
  sigma^2 c'(X'X)^-1 c. Reference raters start as all raters; the most significant outlier
  (Bonferroni over raters) is flagged and taken out of the reference, and this repeats, so one
  harsh rater does not make the fair ones look soft. At most half of the raters can be flagged.
* Grudge of rater r toward agent a: the cell mean minus what the additive model fitted on all the
  *other* cells predicts for it. With e = mean_ar - (mu + agent_a + rater_r) from the full fit and
  h_ar the leverage of the cell's design row, deleting the cell's n_ar rows gives
  d = e / (1 - n_ar h_ar) and Var(d) = sigma^2 (1 / n_ar + h_ar / (1 - n_ar h_ar)); t tests with
  Benjamini-Hochberg q-values over the cells. (Cells the other data cannot predict are untested.)
* The interaction as a whole: F = ((SSE_additive - SSE_cells) / df) / sigma^2.

Flags mean "a person should look at this", never an automatic penalty. An effect is flagged when
its adjusted p (q) is below ``alpha`` and its size is at least ``min_effect_sd`` residual SDs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from callops.errors import InvalidInput

__all__ = ["ScoredEvaluation", "RaterEffect", "PairEffect", "RaterBiasReport", "rater_bias"]


@dataclass(frozen=True, slots=True)
class ScoredEvaluation:
    agent: str
    rater: str
    score: float


@dataclass(frozen=True, slots=True)
class RaterEffect:
    rater: str
    effect: float  # score points vs the reference raters (negative = harsher)
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float  # Bonferroni over raters
    effect_sd: float  # effect / residual SD
    evaluations: int
    flagged: bool


@dataclass(frozen=True, slots=True)
class PairEffect:
    rater: str
    agent: str
    effect: float  # cell mean minus the other cells' additive prediction (negative = harsher)
    ci_low: float
    ci_high: float
    p_value: float
    q_value: float  # Benjamini-Hochberg over testable cells
    effect_sd: float
    evaluations: int
    flagged: bool


@dataclass(frozen=True, slots=True)
class RaterBiasReport:
    raters: tuple[RaterEffect, ...]
    pairs: tuple[PairEffect, ...]
    residual_sd: float
    df_residual: int
    interaction_f: float | None
    interaction_p: float | None

    @property
    def flagged_raters(self) -> tuple[str, ...]:
        return tuple(r.rater for r in self.raters if r.flagged)

    @property
    def flagged_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.rater, p.agent) for p in self.pairs if p.flagged)


def _sum_to_zero(index: npt.NDArray[np.int64], levels: int) -> npt.NDArray[np.float64]:
    out = np.zeros((len(index), levels - 1))
    for level in range(levels - 1):
        out[index == level, level] = 1.0
    out[index == levels - 1, :] = -1.0
    return out


def _effect_rows(levels: int) -> npt.NDArray[np.float64]:
    """Row l maps the free coefficients to level l's effect (the last level is minus the sum)."""
    return np.vstack([np.eye(levels - 1), -np.ones((1, levels - 1))]) if levels > 1 else np.zeros((1, 0))


def _benjamini_hochberg(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def rater_bias(
    evaluations: Iterable[ScoredEvaluation],
    *,
    alpha: float = 0.01,
    min_effect_sd: float = 0.5,
    confidence: float = 0.95,
) -> RaterBiasReport:
    """Estimate and flag rater severity and rater-toward-agent effects (see the module docstring)."""
    rows = list(evaluations)
    agents = sorted({e.agent for e in rows})
    raters = sorted({e.rater for e in rows})
    if len(raters) < 2 or len(agents) < 1:
        raise InvalidInput("rater bias needs at least two raters")
    a_idx = np.array([agents.index(e.agent) for e in rows], dtype=np.int64)
    r_idx = np.array([raters.index(e.rater) for e in rows], dtype=np.int64)
    y = np.array([e.score for e in rows], dtype=np.float64)
    n_a, n_r = len(agents), len(raters)
    x = np.hstack([np.ones((len(y), 1)), _sum_to_zero(a_idx, n_a), _sum_to_zero(r_idx, n_r)])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise InvalidInput(
            "agents and raters do not form a connected design (raters with no agent in common)"
        )
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    sse_add = float(((y - x @ beta) ** 2).sum())

    cell_id = a_idx * n_r + r_idx
    cells, cell_of, cell_n = np.unique(cell_id, return_inverse=True, return_counts=True)
    cell_mean = np.bincount(cell_of, weights=y) / cell_n
    sse_cells = float(((y - cell_mean[cell_of]) ** 2).sum())
    df_resid = len(y) - len(cells)
    if df_resid < 1 or sse_cells == 0.0:
        raise InvalidInput("rater bias needs repeated evaluations of the same agent by the same rater")
    sigma2 = sse_cells / df_resid
    sigma = float(np.sqrt(sigma2))
    t_crit = float(stats.t.ppf(0.5 + confidence / 2, df_resid))

    df_inter = (len(y) - x.shape[1]) - df_resid
    inter_f = inter_p = None
    if df_inter > 0:
        inter_f = ((sse_add - sse_cells) / df_inter) / sigma2
        inter_p = float(stats.f.sf(inter_f, df_inter, df_resid))

    # rater severity, with a reference set that loses flagged outliers one at a time
    rater_rows = np.hstack([np.zeros((n_r, 1 + n_a - 1)), _effect_rows(n_r)])
    counts_r = np.bincount(r_idx, minlength=n_r)
    flagged: set[int] = set()

    def contrast(j: int) -> tuple[float, float]:
        ref = [o for o in range(n_r) if o != j and o not in flagged]
        c = rater_rows[j] - rater_rows[ref].mean(axis=0)
        return float(c @ beta), float(np.sqrt(sigma2 * c @ xtx_inv @ c))

    while len(flagged) + 1 <= n_r // 2 and n_r > 2:
        best: tuple[float, int] | None = None
        for j in range(n_r):
            if j in flagged:
                continue
            est, se = contrast(j)
            p_adj = min(1.0, float(2 * stats.t.sf(abs(est / se), df_resid)) * n_r)
            if p_adj < alpha and abs(est) / sigma >= min_effect_sd and (best is None or p_adj < best[0]):
                best = (p_adj, j)
        if best is None:
            break
        flagged.add(best[1])
    rater_effects = []
    for j, name in enumerate(raters):
        est, se = contrast(j)
        p = float(2 * stats.t.sf(abs(est / se), df_resid))
        rater_effects.append(
            RaterEffect(
                name,
                est,
                est - t_crit * se,
                est + t_crit * se,
                p,
                min(1.0, p * n_r),
                est / sigma,
                int(counts_r[j]),
                j in flagged,
            )
        )

    # rater x agent cells: each cell against the additive fit of all the other cells
    design_of_cell = np.zeros((len(cells), x.shape[1]))
    design_of_cell[cell_of] = x
    fitted = design_of_cell @ beta
    leverage = np.einsum("ij,jk,ik->i", design_of_cell, xtx_inv, design_of_cell)
    rest = 1.0 - cell_n * leverage  # 1 - n h: what the other cells contribute to the cell's fit
    testable = rest > 1e-9
    safe_rest = np.where(testable, rest, 1.0)
    d = (cell_mean - fitted) / safe_rest  # = mean_ar - fit without cell ar
    se_cell = np.sqrt(sigma2 * (1.0 / cell_n + leverage / safe_rest))
    p_cell = np.where(testable, 2 * stats.t.sf(np.abs(d / se_cell), df_resid), np.nan)
    d = np.where(testable, d, np.nan)
    q_cell = np.full(len(cells), np.nan)
    q_cell[testable] = _benjamini_hochberg(p_cell[testable])
    pairs = []
    for c, cid in enumerate(cells):
        agent, rater = agents[int(cid) // n_r], raters[int(cid) % n_r]
        is_flagged = bool(testable[c] and q_cell[c] < alpha and abs(d[c]) / sigma >= min_effect_sd)
        pairs.append(
            PairEffect(
                rater,
                agent,
                float(d[c]),
                float(d[c] - t_crit * se_cell[c]),
                float(d[c] + t_crit * se_cell[c]),
                float(p_cell[c]),
                float(q_cell[c]),
                float(d[c] / sigma),
                int(cell_n[c]),
                is_flagged,
            )
        )
    pairs.sort(key=lambda p: (p.rater, p.agent))
    return RaterBiasReport(tuple(rater_effects), tuple(pairs), sigma, df_resid, inter_f, inter_p)
