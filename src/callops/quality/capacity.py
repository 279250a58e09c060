"""QA capacity: a QA reviews 45-60 recordings a day (seed 002); how many QAs a plan needs, what a team covers.

qas_needed   = ceil(reviews_per_day / reviews_per_qa_per_day)
coverable    = qas * reviews_per_qa_per_day
coverage     = min(1, coverable / reviews_per_day)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from callops.errors import InvalidInput

__all__ = ["DEFAULT_QA_DAILY", "QA_DAILY_RANGE", "CapacityPlan", "plan_capacity"]

DEFAULT_QA_DAILY = 50
QA_DAILY_RANGE = (45, 60)


@dataclass(frozen=True, slots=True)
class CapacityPlan:
    reviews_per_day: float
    qa_daily: float
    qas_needed: int
    qas_needed_range: tuple[int, int]  # at the slow and fast ends of QA_DAILY_RANGE
    qas: int | None  # the team asked about
    coverable_per_day: float | None
    coverage: float | None  # share of the plan the team can review
    shortfall_per_day: float | None


def plan_capacity(
    reviews_per_day: float, *, qa_daily: float = DEFAULT_QA_DAILY, qas: int | None = None
) -> CapacityPlan:
    """QAs needed for ``reviews_per_day`` recordings, and, given ``qas``, what they cover."""
    if reviews_per_day < 0:
        raise InvalidInput("must not be negative", field="calls_per_day")
    if qa_daily <= 0:
        raise InvalidInput("must be positive", field="qa_daily")
    if qas is not None and qas < 0:
        raise InvalidInput("must not be negative", field="qas")
    slow, fast = QA_DAILY_RANGE
    coverable = None if qas is None else qas * qa_daily
    coverage = None
    if coverable is not None:
        coverage = 1.0 if reviews_per_day == 0 else min(1.0, coverable / reviews_per_day)
    return CapacityPlan(
        reviews_per_day=reviews_per_day,
        qa_daily=qa_daily,
        qas_needed=math.ceil(reviews_per_day / qa_daily),
        qas_needed_range=(math.ceil(reviews_per_day / fast), math.ceil(reviews_per_day / slow)),
        qas=qas,
        coverable_per_day=coverable,
        coverage=coverage,
        shortfall_per_day=None if coverable is None else max(0.0, reviews_per_day - coverable),
    )
