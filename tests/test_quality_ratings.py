"""Rating tables: units x raters with missing ratings."""

from __future__ import annotations

import math

import pytest

from callops.errors import InvalidInput
from callops.quality import Rating, rating_table


def test_table_places_each_rating_and_leaves_missing_as_nan() -> None:
    """Units and raters keep first-seen order; an unrated cell is NaN."""
    t = rating_table([Rating("c1", "qa1", 3), Rating("c1", "qa2", 4), Rating("c2", "qa2", 5)])
    assert t.units == ("c1", "c2") and t.raters == ("qa1", "qa2")
    assert t.values[0].tolist() == [3.0, 4.0]
    assert math.isnan(t.values[1, 0]) and t.values[1, 1] == 5.0
    assert t.ratings == 3


def test_pairable_and_complete_filter_units() -> None:
    """pairable() keeps units with two ratings or more; complete() keeps units every rater rated."""
    t = rating_table(
        [
            Rating("a", "x", 1),
            Rating("a", "y", 1),
            Rating("a", "z", 2),
            Rating("b", "x", 1),
            Rating("b", "y", 2),
            Rating("c", "x", 3),
        ]
    )
    assert t.pairable().units == ("a", "b")
    assert t.complete().units == ("a",)


def test_counts_per_category() -> None:
    """counts() gives how many raters chose each category per unit."""
    t = rating_table([Rating("a", "x", 1), Rating("a", "y", 1), Rating("a", "z", 2)])
    assert t.categories() == (1.0, 2.0)
    assert t.counts().tolist() == [[2.0, 1.0]]


def test_a_rater_rating_a_unit_twice_is_refused() -> None:
    """Two values from one rater for one unit are ambiguous and refused."""
    with pytest.raises(InvalidInput, match="twice"):
        rating_table([Rating("a", "x", 1), Rating("a", "x", 2)])


def test_non_finite_values_are_refused() -> None:
    """NaN is how a table marks missing, so a NaN rating is refused at the door."""
    with pytest.raises(InvalidInput):
        rating_table([Rating("a", "x", float("nan"))])
