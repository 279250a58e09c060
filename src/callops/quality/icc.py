"""Intraclass correlation on complete data (n targets x k raters), from two-way ANOVA mean squares.

Mean squares (McGraw & Wong 1996; Shrout & Fleiss 1979):
    MSR = k * sum_i (mean_i. - mean..)^2 / (n - 1)                 between targets (calls)
    MSC = n * sum_j (mean_.j - mean..)^2 / (k - 1)                 between raters
    MSE = sum_ij (x_ij - mean_i. - mean_.j + mean..)^2 / ((n-1)(k-1))   residual
    MSW = sum_ij (x_ij - mean_i.)^2 / (n (k - 1))                  within targets (one-way)

    ICC(1)   = (MSR - MSW) / (MSR + (k-1) MSW)          ICC(1,k) = (MSR - MSW) / MSR
    ICC(A,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)
    ICC(A,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)
    ICC(C,1) = (MSR - MSE) / (MSR + (k-1) MSE)          ICC(C,k) = (MSR - MSE) / MSR

ICC(A,1) below ICC(C,1) means the raters rank calls alike but sit at different levels (severity).
Confidence intervals are the F-based ones of McGraw & Wong (Satterthwaite for ICC(A,1)); the
average-measure bounds are the single-measure bounds through Spearman-Brown. A value that is
undefined for the data (e.g. the average of raters who always disagree) is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from callops.errors import InvalidInput
from callops.quality.ratings import FloatMatrix, RatingTable

__all__ = ["IccEstimate", "IccResult", "intraclass_correlations"]


@dataclass(frozen=True, slots=True)
class IccEstimate:
    value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, slots=True)
class IccResult:
    targets: int  # n
    raters: int  # k
    msr: float
    msc: float
    mse: float
    msw: float
    icc1: IccEstimate  # one-way random, single rater
    icc_a1: IccEstimate  # two-way, absolute agreement, single rater
    icc_c1: IccEstimate  # two-way, consistency, single rater
    icc1k: IccEstimate  # the same three for the average of k raters
    icc_ak: IccEstimate
    icc_ck: IccEstimate


def _spearman_brown(rho: float, k: int) -> float:
    """The reliability of the mean of k raters; NaN where undefined (rho = -1 / (k - 1))."""
    denominator = 1.0 + (k - 1) * rho
    return math.nan if denominator == 0 else k * rho / denominator


def _f_interval(f_obs: float, df1: float, df2: float, k: int, alpha: float) -> tuple[float, float]:
    f_low = f_obs / float(stats.f.ppf(1 - alpha / 2, df1, df2))
    f_high = f_obs * float(stats.f.ppf(1 - alpha / 2, df2, df1))
    return (f_low - 1) / (f_low + k - 1), (f_high - 1) / (f_high + k - 1)


def _absolute_interval(
    rho: float, n: int, k: int, ms: tuple[float, float, float], alpha: float
) -> tuple[float, float]:
    msr, msc, mse = ms
    a = k * rho / (n * (1 - rho))
    b = 1 + k * rho * (n - 1) / (n * (1 - rho))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_star = float(stats.f.ppf(1 - alpha / 2, n - 1, v))
    f_2star = float(stats.f.ppf(1 - alpha / 2, v, n - 1))
    low = n * (msr - f_star * mse) / (f_star * (k * msc + (k * n - k - n) * mse) + n * msr)
    high = n * (f_2star * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_2star * msr)
    return low, high


def _mean_squares(x: FloatMatrix) -> tuple[float, float, float, float]:
    n, k = x.shape
    grand = x.mean()
    rows = x.mean(axis=1)
    cols = x.mean(axis=0)
    msr = k * float(((rows - grand) ** 2).sum()) / (n - 1)
    msc = n * float(((cols - grand) ** 2).sum()) / (k - 1)
    resid = x - rows[:, None] - cols[None, :] + grand
    mse = float((resid**2).sum()) / ((n - 1) * (k - 1))
    msw = float(((x - rows[:, None]) ** 2).sum()) / (n * (k - 1))
    return msr, msc, mse, msw


def intraclass_correlations(table: RatingTable, *, confidence: float = 0.95) -> IccResult:
    """The six ICCs of ``table``'s complete units (units missing any rater are left out).

    Raises InvalidInput when fewer than two complete units or two raters remain, or when every
    value is the same (no variance to share out).
    """
    x = table.complete().values
    n, k = x.shape
    if n < 2 or k < 2:
        raise InvalidInput(
            f"ICC needs at least 2 units rated by all {k} raters and 2 raters; found {n} units"
        )
    msr, msc, mse, msw = _mean_squares(x)
    if msr == 0.0 and mse == 0.0 and msw == 0.0:
        raise InvalidInput("ICC is undefined: every rating is the same")
    alpha = 1.0 - confidence
    icc1 = (msr - msw) / (msr + (k - 1) * msw)
    icc_c1 = (msr - mse) / (msr + (k - 1) * mse)
    icc_a1 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    lo1, hi1 = _f_interval(msr / msw, n - 1, n * (k - 1), k, alpha) if msw > 0 else (icc1, icc1)
    loc, hic = _f_interval(msr / mse, n - 1, (n - 1) * (k - 1), k, alpha) if mse > 0 else (icc_c1, icc_c1)
    if mse > 0 and icc_a1 < 1:
        loa, hia = _absolute_interval(icc_a1, n, k, (msr, msc, mse), alpha)
    else:
        loa, hia = icc_a1, icc_a1

    def single(v: float, lo: float, hi: float) -> IccEstimate:
        return IccEstimate(float(v), float(lo), float(hi))

    def average(v: float, lo: float, hi: float) -> IccEstimate:
        return IccEstimate(*(float(_spearman_brown(t, k)) for t in (v, lo, hi)))

    return IccResult(
        targets=n,
        raters=k,
        msr=msr,
        msc=msc,
        mse=mse,
        msw=msw,
        icc1=single(icc1, lo1, hi1),
        icc_a1=single(icc_a1, loa, hia),
        icc_c1=single(icc_c1, loc, hic),
        icc1k=average(icc1, lo1, hi1),
        icc_ak=average(icc_a1, loa, hia),
        icc_ck=average(icc_c1, loc, hic),
    )
