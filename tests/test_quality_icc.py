"""ICC against Shrout & Fleiss (1979) and an independent ANOVA on real STC-3 ratings."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest

from callops.errors import InvalidInput
from callops.quality import Rating, intraclass_correlations, rating_table

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def _ratings(matrix: Sequence[Sequence[float]]) -> list[Rating]:
    return [Rating(f"t{i}", f"j{j}", float(v)) for i, row in enumerate(matrix) for j, v in enumerate(row)]


def test_shrout_fleiss_published_values() -> None:
    """ICC(1,1)=.17, ICC(2,1)=.29, ICC(3,1)=.71, ICC(1,4)=.44, ICC(2,4)=.62, ICC(3,4)=.91 as published."""
    r = intraclass_correlations(rating_table(_ratings(SHROUT_FLEISS)))
    got = [r.icc1.value, r.icc_a1.value, r.icc_c1.value, r.icc1k.value, r.icc_ak.value, r.icc_ck.value]
    assert [round(v, 2) for v in got] == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    for est in (r.icc1, r.icc_a1, r.icc_c1, r.icc1k, r.icc_ak, r.icc_ck):
        assert est.ci_low < est.value < est.ci_high


def _reference(matrix: list[list[float]]) -> tuple[float, float, float]:
    """ICC(1), ICC(A,1), ICC(C,1) from sums of squares with plain loops."""
    n, k = len(matrix), len(matrix[0])
    grand = sum(map(sum, matrix)) / (n * k)
    row_means = [sum(row) / k for row in matrix]
    col_means = [sum(matrix[i][j] for i in range(n)) / n for j in range(k)]
    ss_total = sum((v - grand) ** 2 for row in matrix for v in row)
    ss_rows = k * sum((m - grand) ** 2 for m in row_means)
    ss_cols = n * sum((m - grand) ** 2 for m in col_means)
    ss_err = ss_total - ss_rows - ss_cols
    msr, msc = ss_rows / (n - 1), ss_cols / (k - 1)
    mse = ss_err / ((n - 1) * (k - 1))
    msw = (ss_total - ss_rows) / (n * (k - 1))
    return (
        (msr - msw) / (msr + (k - 1) * msw),
        (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
        (msr - mse) / (msr + (k - 1) * mse),
    )


def test_matches_reference_anova_on_stc3(shared_data: Path) -> None:
    """On 300 real dialogues x 19 raters (complete), the ICCs equal a loop-based ANOVA to 1e-9."""
    path = shared_data / "stc3-helpdesk-ratings" / "quality_ratings.csv"
    with path.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle)]
    keep = sorted({r["dialogue_id"] for r in rows})[:300]
    chosen = set(keep)
    by_unit: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["dialogue_id"] in chosen:
            by_unit.setdefault(r["dialogue_id"], {})[r["rater"]] = float(r["A"])
    matrix = [[by_unit[u][str(j)] for j in range(1, 20)] for u in keep]
    result = intraclass_correlations(rating_table(_ratings(matrix)))
    ref = _reference(matrix)
    assert result.targets == 300 and result.raters == 19
    assert (result.icc1.value, result.icc_a1.value, result.icc_c1.value) == pytest.approx(ref, abs=1e-9)


def test_a_harsh_rater_lowers_absolute_agreement_not_consistency() -> None:
    """Making the harshest judge 3 points harsher leaves ICC(C,1) unchanged and lowers ICC(A,1)."""
    shifted = [[row[0], row[1] - 3, *row[2:]] for row in SHROUT_FLEISS]
    base = intraclass_correlations(rating_table(_ratings([list(map(float, r)) for r in SHROUT_FLEISS])))
    moved = intraclass_correlations(rating_table(_ratings([list(map(float, r)) for r in shifted])))
    assert moved.icc_c1.value == pytest.approx(base.icc_c1.value)
    assert moved.icc_a1.value < base.icc_a1.value


def test_units_missing_a_rater_are_left_out() -> None:
    """ICC uses complete units only, and refuses when fewer than two remain."""
    ratings = _ratings([[1.0, 2.0], [3.0, 3.0], [2.0, 4.0]]) + [Rating("t9", "j0", 5.0)]
    assert intraclass_correlations(rating_table(ratings)).targets == 3
    with pytest.raises(InvalidInput, match="at least 2 units"):
        intraclass_correlations(rating_table(_ratings([[1.0, 2.0]]) + [Rating("x", "j0", 1.0)]))
