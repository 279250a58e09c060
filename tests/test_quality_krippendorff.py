"""Krippendorff's alpha against Krippendorff's published examples and a pairwise reference on STC-3 data."""

from __future__ import annotations

import collections
import csv
import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.quality import Level, Rating, krippendorff_alpha, rating_table

NA = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units.
RELIABILITY_DATA = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    "C": [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
}
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def _table(data: dict[str, list[int | None]]) -> list[Rating]:
    return [
        Rating(str(u), r, float(v)) for r, vals in data.items() for u, v in enumerate(vals) if v is not None
    ]


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_krippendorff_worked_example(level: str) -> None:
    """The 4-observer example gives the published alphas to 3 decimals; unit 12 (one value) is ignored."""
    result = krippendorff_alpha(rating_table(_table(RELIABILITY_DATA)), level)
    assert result.alpha is not None and round(result.alpha, 3) == PUBLISHED[level]
    assert result.units == 11 and result.pairable_values == 40


def test_krippendorff_binary_two_observer_example() -> None:
    """The paper's two-observer binary example gives alpha = 0.095."""
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    result = krippendorff_alpha(rating_table(_table({"A": list(a), "B": list(b)})), Level.NOMINAL)
    assert result.alpha is not None and round(result.alpha, 3) == 0.095


def _reference_alpha(by_unit: dict[str, list[float]], level: str) -> float:
    """Pairwise-permutation definition of alpha, written independently of the package."""
    values = [v for v in by_unit.values() if len(v) >= 2]
    n = sum(len(v) for v in values)
    freq = collections.Counter(x for v in values for x in v)
    cats = sorted(freq)

    def dist(a: float, b: float) -> float:
        if level == "nominal":
            return float(a != b)
        if level == "interval":
            return (a - b) ** 2
        if level == "ratio":
            return 0.0 if a + b == 0 else ((a - b) / (a + b)) ** 2
        lo, hi = sorted((a, b))
        between = sum(freq[c] for c in cats if lo <= c <= hi)
        return (between - (freq[a] + freq[b]) / 2) ** 2

    d_o = sum(sum(dist(a, b) for a, b in itertools.permutations(v, 2)) / (len(v) - 1) for v in values) / n
    d_e = sum(freq[a] * freq[b] * dist(a, b) for a in freq for b in freq) / (n * (n - 1))
    return 1 - d_o / d_e


@pytest.mark.parametrize("column", ["A", "S", "E"])
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_matches_pairwise_reference_on_stc3(shared_data: Path, column: str, level: str) -> None:
    """On 400 real STC-3 dialogues with ~15 % ratings dropped, alpha equals the pairwise reference to 1e-9."""
    path = shared_data / "stc3-helpdesk-ratings" / "quality_ratings.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    dialogues = sorted({r["dialogue_id"] for r in rows})[:400]
    keep = set(dialogues)
    sub = [r for i, r in enumerate(rows) if r["dialogue_id"] in keep and (i * 7919) % 100 >= 15]
    shift = 3.0 if level == "ratio" else 0.0  # ratio needs a true zero: scores -2..2 become 1..5
    ratings = [Rating(r["dialogue_id"], r["rater"], float(r[column]) + shift) for r in sub]
    by_unit: dict[str, list[float]] = collections.defaultdict(list)
    for rating in ratings:
        by_unit[rating.unit].append(rating.value)
    result = krippendorff_alpha(rating_table(ratings), level)
    assert result.alpha is not None
    assert result.alpha == pytest.approx(_reference_alpha(by_unit, level), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=3, max_size=3), min_size=3, max_size=12
    ),
    st.sampled_from(["nominal", "ordinal", "interval"]),
)
def test_alpha_ignores_the_order_of_raters_and_units(matrix: list[list[int | None]], level: str) -> None:
    """Alpha is a property of the data, not of how units and raters are listed."""
    ratings = [
        Rating(f"u{u}", f"r{r}", float(v))
        for u, row in enumerate(matrix)
        for r, v in enumerate(row)
        if v is not None
    ]
    forward = krippendorff_alpha(rating_table(ratings), level).alpha
    backward = krippendorff_alpha(rating_table(list(reversed(ratings))), level).alpha
    if forward is None:
        assert backward is None
    else:
        assert backward is not None and math.isclose(forward, backward, abs_tol=1e-12)
        assert forward <= 1.0 + 1e-12


def test_perfect_agreement_is_one_and_no_variation_is_undefined() -> None:
    """Raters who always agree give alpha 1; a single value everywhere leaves alpha undefined (None)."""
    agree = [Rating(f"u{u}", r, float(u % 3)) for u in range(6) for r in ("x", "y")]
    assert krippendorff_alpha(rating_table(agree), "interval").alpha == pytest.approx(1.0)
    same = [Rating(f"u{u}", r, 1.0) for u in range(4) for r in ("x", "y")]
    assert krippendorff_alpha(rating_table(same), "nominal").alpha is None
