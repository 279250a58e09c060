"""One agreement report for a calibration set: alpha, percent agreement, ICC, kappa and AC1 together.

``agreement_report`` summarises one table; ``agreement_by_item`` does it per scorecard item and
overall, where "overall" pools every (unit, item) pair as one unit of analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from callops.errors import InvalidInput
from callops.quality.icc import IccResult, intraclass_correlations
from callops.quality.kappa import cohen_kappa, fleiss_kappa, gwet_ac1, percent_agreement
from callops.quality.krippendorff import AlphaResult, Level, krippendorff_alpha
from callops.quality.ratings import Rating, RatingTable, rating_table

__all__ = ["AgreementReport", "agreement_report", "agreement_by_item", "MIN_ICC_UNITS"]

MIN_ICC_UNITS = 5  # ICC is reported when at least this many units were rated by every rater


@dataclass(frozen=True, slots=True)
class AgreementReport:
    alpha: AlphaResult
    units: int  # units with two or more ratings (the ones alpha uses)
    units_total: int
    raters: int
    ratings: int
    percent_agreement: float | None
    icc: IccResult | None  # None when fewer than MIN_ICC_UNITS complete units
    fleiss_kappa: float | None  # None unless every unit has the same number of ratings
    cohen_kappa: float | None  # None unless there are exactly two raters with units in common
    gwet_ac1: float | None  # None unless the scores are binary (two categories)

    @property
    def krippendorff_alpha(self) -> float | None:
        return self.alpha.alpha


def agreement_report(
    table: RatingTable, level: Level | str, *, binary_categories: tuple[float, float] | None = None
) -> AgreementReport:
    """Every statistic that applies to ``table``.

    ``binary_categories`` declares a yes/no item's two values so AC1 is computed even when one of
    them never occurs; without it AC1 is computed when exactly two values occur.
    """
    pairable = table.pairable()
    icc = None
    if len(table.complete().units) >= MIN_ICC_UNITS and len(table.raters) >= 2:
        try:
            icc = intraclass_correlations(table)
        except InvalidInput:
            icc = None  # every rating identical: there is no ICC to report
    fleiss = None
    counts = pairable.counts()
    sizes = counts.sum(axis=1)
    if len(pairable.units) == len(table.units) and len(sizes) and sizes.min() == sizes.max():
        fleiss = fleiss_kappa(pairable)
    cohen = None
    if len(table.raters) == 2 and len(table.complete().units) > 0:
        cohen = cohen_kappa(table, table.raters[0], table.raters[1])
    categories = table.categories()
    ac1 = None
    if binary_categories is not None:
        ac1 = gwet_ac1(table, binary_categories)
    elif len(categories) == 2:
        ac1 = gwet_ac1(table)
    return AgreementReport(
        alpha=krippendorff_alpha(table, level),
        units=len(pairable.units),
        units_total=len(table.units),
        raters=len(table.raters),
        ratings=table.ratings,
        percent_agreement=percent_agreement(table),
        icc=icc,
        fleiss_kappa=fleiss,
        cohen_kappa=cohen,
        gwet_ac1=ac1,
    )


def agreement_by_item(
    ratings_by_item: Mapping[str, Iterable[Rating]], level: Level | str
) -> tuple[dict[str, AgreementReport], AgreementReport]:
    """A report per item and one overall, pooling (unit, item) pairs as units."""
    per_item: dict[str, AgreementReport] = {}
    pooled: list[Rating] = []
    for item, ratings in ratings_by_item.items():
        rows = list(ratings)
        per_item[item] = agreement_report(rating_table(rows), level)
        pooled.extend(Rating(unit=f"{r.unit}\x1f{item}", rater=r.rater, value=r.value) for r in rows)
    return per_item, agreement_report(rating_table(pooled), level)
