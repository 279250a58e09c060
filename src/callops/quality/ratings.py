"""Reliability data: which rater gave which value to which unit, as a units x raters matrix.

Every agreement statistic in this package reads a :class:`RatingTable`; missing ratings are NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from callops.errors import InvalidInput

__all__ = ["Rating", "RatingTable", "rating_table"]

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Rating:
    """One value given by one rater to one unit (a call, or a call's scorecard item)."""

    unit: str
    rater: str
    value: float


@dataclass(frozen=True, slots=True, eq=False)
class RatingTable:
    """``values[u, r]`` is rater ``raters[r]``'s value for unit ``units[u]``; NaN where missing."""

    units: tuple[str, ...]
    raters: tuple[str, ...]
    values: FloatMatrix

    @property
    def ratings(self) -> int:
        """How many values are present."""
        return int(np.count_nonzero(~np.isnan(self.values)))

    def pairable(self) -> RatingTable:
        """Only the units with at least two ratings (the others carry no information on agreement)."""
        return self._keep(np.count_nonzero(~np.isnan(self.values), axis=1) >= 2)

    def complete(self) -> RatingTable:
        """Only the units every rater rated (what ICC needs)."""
        return self._keep(np.count_nonzero(np.isnan(self.values), axis=1) == 0)

    def _keep(self, keep: npt.NDArray[np.bool_]) -> RatingTable:
        flags: list[bool] = [bool(k) for k in keep]
        return RatingTable(
            units=tuple(u for u, k in zip(self.units, flags, strict=True) if k),
            raters=self.raters,
            values=self.values[keep],
        )

    def categories(self) -> tuple[float, ...]:
        """The distinct values present, ascending."""
        present = self.values[~np.isnan(self.values)]
        return tuple(float(v) for v in np.unique(present))

    def counts(self, categories: tuple[float, ...] | None = None) -> FloatMatrix:
        """``counts[u, c]``: how many raters gave unit ``u`` the value ``categories[c]``."""
        cats = self.categories() if categories is None else categories
        out = np.zeros((len(self.units), len(cats)), dtype=np.float64)
        for c, value in enumerate(cats):
            out[:, c] = np.count_nonzero(self.values == value, axis=1)
        return out


def rating_table(ratings: Iterable[Rating]) -> RatingTable:
    """Collect ratings into a table; units and raters keep the order they first appear in.

    A rater rating the same unit twice is refused (which value would count?).
    """
    unit_index: dict[str, int] = {}
    rater_index: dict[str, int] = {}
    unit_of: list[int] = []
    rater_of: list[int] = []
    values: list[float] = []
    for rating in ratings:
        value = float(rating.value)
        if not math.isfinite(value):
            raise InvalidInput(f"rating of unit {rating.unit!r} by {rating.rater!r} is not a finite number")
        unit_of.append(unit_index.setdefault(rating.unit, len(unit_index)))
        rater_of.append(rater_index.setdefault(rating.rater, len(rater_index)))
        values.append(value)
    u = np.asarray(unit_of, dtype=np.int64)
    r = np.asarray(rater_of, dtype=np.int64)
    cell = u * max(len(rater_index), 1) + r
    unique, first, counts = np.unique(cell, return_index=True, return_counts=True)
    if len(unique) != len(cell):
        twice = int(first[np.argmax(counts > 1)])
        units, raters = list(unit_index), list(rater_index)
        raise InvalidInput(f"rater {raters[rater_of[twice]]!r} rated unit {units[unit_of[twice]]!r} twice")
    matrix = np.full((len(unit_index), len(rater_index)), np.nan, dtype=np.float64)
    matrix[u, r] = np.asarray(values, dtype=np.float64)
    return RatingTable(units=tuple(unit_index), raters=tuple(rater_index), values=matrix)
