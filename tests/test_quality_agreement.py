"""The combined agreement report, per item and pooled overall."""

from __future__ import annotations

import pytest

from callops.quality import MIN_ICC_UNITS, Level, Rating, agreement_by_item, agreement_report, rating_table


def _complete(units: int, raters: int, value: int = 0) -> list[Rating]:
    return [
        Rating(f"u{u}", f"r{r}", float(u + value + (r == 0))) for u in range(units) for r in range(raters)
    ]


def test_report_on_complete_data_carries_icc_and_fleiss() -> None:
    """With every unit fully rated, ICC and Fleiss' kappa are reported beside alpha and percent agreement."""
    report = agreement_report(rating_table(_complete(8, 3)), Level.INTERVAL)
    assert report.units == report.units_total == 8 and report.raters == 3 and report.ratings == 24
    assert report.icc is not None and report.icc.targets == 8
    assert report.fleiss_kappa is not None
    assert report.gwet_ac1 is None  # many categories: not a yes/no item
    assert report.krippendorff_alpha is not None and report.krippendorff_alpha > 0.5


def test_sparse_data_has_no_icc() -> None:
    """With fewer complete units than MIN_ICC_UNITS, ICC is None rather than a number from a sliver."""
    ratings = _complete(MIN_ICC_UNITS - 1, 3) + [Rating("extra", "r0", 1.0), Rating("extra", "r1", 2.0)]
    report = agreement_report(rating_table(ratings), "ordinal")
    assert report.icc is None and report.fleiss_kappa is None
    assert report.units == MIN_ICC_UNITS


def test_binary_items_get_ac1() -> None:
    """A yes/no item reports Gwet's AC1; declared categories let AC1 work when only one value occurs."""
    ratings = [Rating(f"u{u}", f"r{r}", float(u % 4 != 0)) for u in range(12) for r in range(2)]
    assert agreement_report(rating_table(ratings), "nominal").gwet_ac1 == pytest.approx(1.0)
    all_yes = [Rating(f"u{u}", f"r{r}", 1.0) for u in range(5) for r in range(2)]
    assert agreement_report(rating_table(all_yes), "nominal", binary_categories=(0.0, 1.0)).gwet_ac1 == 1.0


def test_by_item_pools_unit_item_pairs_overall() -> None:
    """Per-item reports stand alone; the overall report counts every (unit, item) pair as a unit."""
    items = {
        "greeting": [Rating(f"c{u}", f"r{r}", float(u % 2)) for u in range(6) for r in range(2)],
        "empathy": [Rating(f"c{u}", f"r{r}", float((u + r) % 2)) for u in range(6) for r in range(2)],
    }
    per_item, overall = agreement_by_item(items, Level.NOMINAL)
    assert per_item["greeting"].krippendorff_alpha == pytest.approx(1.0)
    empathy = per_item["empathy"].krippendorff_alpha
    assert empathy is not None and empathy < 0
    assert overall.units == 12 and overall.ratings == 24
    assert overall.percent_agreement == pytest.approx(0.5)


def test_two_raters_get_cohens_kappa() -> None:
    """With exactly two raters the report carries Cohen's kappa; with three it does not."""
    pairs = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    ratings = [Rating(str(i), "A", a) for i, (a, _) in enumerate(pairs)]
    ratings += [Rating(str(i), "B", b) for i, (_, b) in enumerate(pairs)]
    assert agreement_report(rating_table(ratings), "nominal").cohen_kappa == pytest.approx(0.4)
    assert agreement_report(rating_table(_complete(6, 3)), "interval").cohen_kappa is None
