"""QA capacity: QAs needed for a sampling plan and what a team covers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.quality import plan_capacity


def test_qas_needed_and_coverage() -> None:
    """420 reviews a day at 50 per QA needs 9 QAs (7-10 across 60..45 a day); 6 QAs cover 300, 5/7 of it."""
    plan = plan_capacity(420, qa_daily=50, qas=6)
    assert plan.qas_needed == 9 and plan.qas_needed_range == (7, 10)
    assert plan.coverable_per_day == 300 and plan.coverage == pytest.approx(300 / 420)
    assert plan.shortfall_per_day == 120


@given(st.integers(0, 10_000), st.integers(1, 120))
def test_needed_qas_always_cover_the_plan(reviews: int, daily: int) -> None:
    """The QAs needed cover the plan fully, and one fewer would not."""
    plan = plan_capacity(reviews, qa_daily=daily)
    assert plan_capacity(reviews, qa_daily=daily, qas=plan.qas_needed).coverage == 1.0
    if plan.qas_needed > 0:
        fewer = plan_capacity(reviews, qa_daily=daily, qas=plan.qas_needed - 1).coverage
        assert fewer is not None and fewer < 1.0


def test_bad_numbers_are_refused() -> None:
    """A zero daily rate or a negative plan is refused, naming the field."""
    with pytest.raises(InvalidInput, match="qa_daily"):
        plan_capacity(10, qa_daily=0)
    with pytest.raises(InvalidInput, match="calls_per_day"):
        plan_capacity(-1)
