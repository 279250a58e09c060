"""Chance-corrected agreement on categories: percent agreement, Cohen's and Fleiss' kappa, Gwet's AC1.

For a unit i with r_i ratings, r_ik of them in category k (q categories):

    agreement of unit i      p_i = sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))   (agreeing rater pairs)
    percent agreement        p_a = mean of p_i over units with r_i >= 2
    Fleiss' kappa            (p_a - P_e) / (1 - P_e),  P_e = sum_k p_k^2,  p_k = sum_i r_ik / sum_i r_i
                             (every unit must have the same number of ratings)
    Cohen's kappa            two raters, units both rated: (p_o - p_e) / (1 - p_e),
                             p_e = sum_k pA_k pB_k from each rater's own marginals
    Gwet's AC1               (p_a - p_e) / (1 - p_e),  p_e = sum_k pi_k (1 - pi_k) / (q - 1),
                             pi_k = mean over rated units of r_ik / r_i

AC1 stays high when raters agree on a skewed item (most calls "pass") where kappa collapses.
"""

from __future__ import annotations

import numpy as np

from callops.errors import InvalidInput
from callops.quality.ratings import FloatMatrix, RatingTable

__all__ = ["percent_agreement", "cohen_kappa", "fleiss_kappa", "gwet_ac1", "unit_agreement"]


def unit_agreement(counts: FloatMatrix) -> FloatMatrix:
    """p_i for each row of a units x categories count matrix (rows need at least two ratings)."""
    r = counts.sum(axis=1)
    return np.asarray((counts * (counts - 1)).sum(axis=1) / (r * (r - 1)), dtype=np.float64)


def percent_agreement(table: RatingTable) -> float | None:
    """Mean share of agreeing rater pairs per unit, over units with two or more ratings; None if none."""
    data = table.pairable()
    if not data.units:
        return None
    return float(unit_agreement(data.counts()).mean())


def cohen_kappa(table: RatingTable, rater_a: str, rater_b: str) -> float | None:
    """Cohen's kappa between two raters over the units both rated; None when p_e = 1 (no variation)."""
    try:
        a = table.values[:, table.raters.index(rater_a)]
        b = table.values[:, table.raters.index(rater_b)]
    except ValueError as exc:
        raise InvalidInput(f"no such rater in the table: {exc}") from exc
    both = ~np.isnan(a) & ~np.isnan(b)
    if not both.any():
        raise InvalidInput(f"raters {rater_a!r} and {rater_b!r} rated no unit in common")
    a, b = a[both], b[both]
    cats = np.unique(np.concatenate([a, b]))
    observed = float(np.mean(a == b))
    expected = float(sum(np.mean(a == c) * np.mean(b == c) for c in cats))
    return None if expected == 1.0 else (observed - expected) / (1.0 - expected)


def fleiss_kappa(table: RatingTable) -> float | None:
    """Fleiss' kappa; every unit must carry the same number (>= 2) of ratings. None when P_e = 1."""
    counts = table.counts()
    r = counts.sum(axis=1)
    if len(r) == 0 or r.min() != r.max() or r[0] < 2:
        raise InvalidInput("Fleiss' kappa needs the same number (at least 2) of ratings on every unit")
    p_bar = float(unit_agreement(counts).mean())
    p_k = counts.sum(axis=0) / counts.sum()
    expected = float((p_k**2).sum())
    return None if expected == 1.0 else (p_bar - expected) / (1.0 - expected)


def gwet_ac1(table: RatingTable, categories: tuple[float, ...] | None = None) -> float | None:
    """Gwet's AC1 (any number of raters, missing ratings allowed).

    ``categories`` are the possible values (default: those observed; give them when a category
    that could occur happens not to, since q enters p_e). None when fewer than two categories or
    no unit has two ratings.
    """
    cats = table.categories() if categories is None else tuple(sorted(categories))
    if len(cats) < 2:
        return None
    present = set(table.categories())
    if not present <= set(cats):
        raise InvalidInput(f"values {sorted(present - set(cats))} are not among the categories {list(cats)}")
    counts = table.counts(cats)
    r = counts.sum(axis=1)
    rated = r >= 1
    pairable = r >= 2
    if not pairable.any():
        return None
    p_a = float(unit_agreement(counts[pairable]).mean())
    pi = (counts[rated] / r[rated, None]).mean(axis=0)
    p_e = float((pi * (1.0 - pi)).sum() / (len(cats) - 1))
    return (p_a - p_e) / (1.0 - p_e)
