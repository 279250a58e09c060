"""Percent agreement, Cohen's and Fleiss' kappa, Gwet's AC1: textbook numbers and independent references."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.quality import Rating, cohen_kappa, fleiss_kappa, gwet_ac1, percent_agreement, rating_table

# Fleiss (1971)-style table used in many textbooks: 10 subjects, 14 raters, 5 categories; kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def _from_counts(table: list[list[int]]) -> list[Rating]:
    out = []
    for s, row in enumerate(table):
        rater = 0
        for category, count in enumerate(row):
            for _ in range(count):
                out.append(Rating(f"s{s}", f"r{rater}", float(category + 1)))
                rater += 1
    return out


def test_fleiss_textbook_example() -> None:
    """The 10 x 14 example gives Fleiss' kappa 0.210."""
    kappa = fleiss_kappa(rating_table(_from_counts(FLEISS_TABLE)))
    assert kappa is not None and round(kappa, 3) == 0.210


def test_fleiss_matches_statsmodels() -> None:
    """Fleiss' kappa equals statsmodels' (BSD) implementation on the same table."""
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    ours = fleiss_kappa(rating_table(_from_counts(FLEISS_TABLE)))
    assert ours == pytest.approx(inter_rater.fleiss_kappa(np.array(FLEISS_TABLE), method="fleiss"), abs=1e-12)


def test_fleiss_refuses_unequal_rating_counts() -> None:
    """Fleiss' kappa is defined for a fixed number of ratings per unit only."""
    ratings = [
        Rating("a", "x", 1),
        Rating("a", "y", 1),
        Rating("b", "x", 1),
        Rating("b", "y", 2),
        Rating("b", "z", 2),
    ]
    with pytest.raises(InvalidInput, match="same number"):
        fleiss_kappa(rating_table(ratings))


def test_cohen_textbook_example() -> None:
    """50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no gives p_o = .7, p_e = .5, kappa = 0.4."""
    pairs = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    ratings = [Rating(str(i), "A", a) for i, (a, _) in enumerate(pairs)]
    ratings += [Rating(str(i), "B", b) for i, (_, b) in enumerate(pairs)]
    assert cohen_kappa(rating_table(ratings), "A", "B") == pytest.approx(0.4)


def test_percent_agreement_is_the_share_of_agreeing_pairs() -> None:
    """Unit (1,1,2) agrees in 1 of 3 pairs, unit (3,3) in 1 of 1: mean 2/3; single ratings are ignored."""
    ratings = [
        Rating("a", "x", 1),
        Rating("a", "y", 1),
        Rating("a", "z", 2),
        Rating("b", "x", 3),
        Rating("b", "y", 3),
        Rating("c", "x", 4),
    ]
    assert percent_agreement(rating_table(ratings)) == pytest.approx(2 / 3)


def _reference_ac1(by_unit: dict[str, list[int]]) -> float:
    """Gwet's AC1 for two categories, written straight from Gwet (2008) with plain loops."""
    pairable = [v for v in by_unit.values() if len(v) >= 2]
    p_a = sum(sum(v.count(c) * (v.count(c) - 1) for c in (0, 1)) / (len(v) * (len(v) - 1)) for v in pairable)
    p_a /= len(pairable)
    pi1 = sum(v.count(1) / len(v) for v in by_unit.values()) / len(by_unit)
    p_e = (pi1 * (1 - pi1) + (1 - pi1) * pi1) / (2 - 1)  # sum_k pi_k (1 - pi_k) / (q - 1), q = 2
    return (p_a - p_e) / (1 - p_e)


def test_ac1_matches_reference_on_stc3_binarised(shared_data: Path) -> None:
    """AC1 on real ratings binarised (accomplishment A > 0), with gaps, equals the loop reference to 1e-12."""
    path = shared_data / "stc3-helpdesk-ratings" / "quality_ratings.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    keep = set(sorted({r["dialogue_id"] for r in rows})[-500:])
    sub = [r for i, r in enumerate(rows) if r["dialogue_id"] in keep and i % 5 != 0]
    ratings = [Rating(r["dialogue_id"], r["rater"], float(int(r["A"]) > 0)) for r in sub]
    by_unit: dict[str, list[int]] = {}
    for rt in ratings:
        by_unit.setdefault(rt.unit, []).append(int(rt.value))
    assert gwet_ac1(rating_table(ratings)) == pytest.approx(_reference_ac1(by_unit), abs=1e-12)


def test_ac1_resists_the_prevalence_paradox() -> None:
    """On a skewed yes/no item where raters agree 90 % of the time, AC1 stays high while kappa collapses."""
    a = [1] * 90 + [0] * 5 + [1] * 5
    b = [1] * 90 + [1] * 5 + [0] * 5
    ratings = [Rating(str(i), "A", v) for i, v in enumerate(a)] + [
        Rating(str(i), "B", v) for i, v in enumerate(b)
    ]
    table = rating_table(ratings)
    kappa = cohen_kappa(table, "A", "B")
    ac1 = gwet_ac1(table)
    assert kappa is not None and ac1 is not None
    assert kappa < 0 < 0.85 < ac1


def test_ac1_needs_declared_categories_to_cover_the_values() -> None:
    """A value outside the declared categories is refused; one category only gives None."""
    table = rating_table([Rating("a", "x", 1), Rating("a", "y", 2)])
    with pytest.raises(InvalidInput):
        gwet_ac1(table, (0.0, 1.0))
    assert gwet_ac1(rating_table([Rating("a", "x", 1), Rating("a", "y", 1)])) is None
