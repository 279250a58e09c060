"""Krippendorff's alpha for any number of raters, missing ratings and four levels of measurement.

alpha = 1 - D_o / D_e, from the coincidence matrix of pairable values (Krippendorff 2011,
"Computing Krippendorff's Alpha-Reliability"):

    o_ck = sum over units u of (ordered pairs (c, k) of values in u from different raters) / (m_u - 1)
    n_c  = sum_k o_ck,   n = sum_c n_c  (pairable values: units with m_u >= 2 ratings)
    D_o  = sum_ck o_ck * delta2(c, k) / n
    D_e  = sum_ck n_c * n_k * delta2(c, k) / (n * (n - 1))

Units with fewer than two ratings are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from callops.quality.ratings import FloatMatrix, RatingTable

__all__ = ["Level", "AlphaResult", "krippendorff_alpha", "distance_matrix"]


class Level(StrEnum):
    """Level of measurement: decides the distance delta2 between two values."""

    NOMINAL = "nominal"  # delta2 = 0 if c == k else 1
    ORDINAL = "ordinal"  # delta2 = (sum_{g=c..k} n_g - (n_c + n_k) / 2) ** 2
    INTERVAL = "interval"  # delta2 = (c - k) ** 2
    RATIO = "ratio"  # delta2 = ((c - k) / (c + k)) ** 2


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Alpha with its ingredients; ``alpha`` is None when there is no variation (D_e = 0)."""

    alpha: float | None
    level: Level
    units: int  # units with at least two ratings
    pairable_values: int  # n
    observed_disagreement: float  # D_o
    expected_disagreement: float  # D_e


def distance_matrix(categories: tuple[float, ...], totals: FloatMatrix, level: Level) -> FloatMatrix:
    """delta2(c, k) for every pair of categories; ``totals`` are the n_c (needed for ordinal)."""
    v = np.asarray(categories, dtype=np.float64)
    if level is Level.NOMINAL:
        return np.asarray(v[:, None] != v[None, :], dtype=np.float64)
    if level is Level.INTERVAL:
        return np.asarray((v[:, None] - v[None, :]) ** 2, dtype=np.float64)
    if level is Level.RATIO:
        total = v[:, None] + v[None, :]
        diff = v[:, None] - v[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(total == 0, 0.0, (diff / np.where(total == 0, 1.0, total)) ** 2)
        return np.asarray(out, dtype=np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(totals)])
    lo = np.minimum.outer(np.arange(len(v)), np.arange(len(v)))
    hi = np.maximum.outer(np.arange(len(v)), np.arange(len(v)))
    between = cumulative[hi + 1] - cumulative[lo]
    return np.asarray((between - (totals[:, None] + totals[None, :]) / 2.0) ** 2, dtype=np.float64)


def krippendorff_alpha(table: RatingTable, level: Level | str) -> AlphaResult:
    """Krippendorff's alpha of ``table`` at ``level`` (see the module docstring for the formulas)."""
    lvl = Level(level)
    data = table.pairable()
    categories = data.categories()
    counts = data.counts(categories)  # units x categories
    m = counts.sum(axis=1)
    if len(m) == 0:
        return AlphaResult(None, lvl, 0, 0, 0.0, 0.0)
    weight = 1.0 / (m - 1.0)
    coincidence = (counts * weight[:, None]).T @ counts - np.diag((counts * weight[:, None]).sum(axis=0))
    totals = coincidence.sum(axis=1)
    n = float(totals.sum())
    delta = distance_matrix(categories, totals, lvl)
    observed = float((coincidence * delta).sum() / n)
    expected = float((np.outer(totals, totals) * delta).sum() / (n * (n - 1.0)))
    alpha = None if expected == 0.0 else 1.0 - observed / expected
    return AlphaResult(alpha, lvl, len(m), int(round(n)), observed, expected)
