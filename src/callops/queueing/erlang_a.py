"""Erlang A (Palm, M/M/N+M): callers hang up after an exponential patience; exact, vectorised.

Rates per second: arrivals lambda, service mu = 1/AHT, abandonment theta = 1/patience. With
x = N mu / theta, y = lambda / theta, E = B(N, lambda/mu) and the Kummer series

    A(x, y) = sum_{j>=0} y^j / prod_{k=1..j} (x + k)  =  x e^y y^-x gamma(x, y)   (lower incomplete gamma)

an arriving caller finds j callers waiting (and all N agents busy) with probability
p_{N+j} = P(wait) (y^j / prod_{k<=j} (x + k)) / A(x, y), and

    P(wait)      = A E / (1 + (A - 1) E)
    P(abandon)   = P(wait) (y - x + x / A) / y
    mean wait    = P(abandon) / theta                            all callers, abandoned ones included
    occupancy    = lambda (1 - P(abandon)) / (N mu)
    P(answered after t) = P(wait) x/(x+1) A(x+1, y e^-theta t) / A(x, y)
                          x exp(y (1 - e^-theta t) - (N mu + theta) t)
    SL(t)        = 1 - P(abandon) - P(answered after t)          answered within t over offered
    ASA          = sum_j p_{N+j} x/(x+j+1) sum_{k=1..j+1} 1/(theta (x+k))  / (1 - P(abandon))

SL(t) is evaluated as P(no wait) + P(answered after a wait) (1 - P(answered after t) / P(answered
after a wait)), which subtracts no nearly equal numbers. The ASA of answered calls has no closed
form; it is the birth-death series above (a caller with k ahead moves up at rate N mu + k theta and
gives up at rate theta), summed in log space around its peak. Everything else is closed form through
scipy's regularized incomplete gamma, with the Kummer series summed directly where that underflows
(very patient callers).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, expit, gammainc, gammaln

from callops.queueing._series import log_sum_of_products
from callops.queueing.erlang_b import log_erlang_b
from callops.queueing.metrics import QueueArrays, checked, offered_load

__all__ = ["erlang_a", "erlang_a_load", "log_kummer"]

FloatArray = NDArray[np.float64]

_UNDERFLOW = 1e-280
_BLOCK = 256


def erlang_a(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    patience_s: ArrayLike,
    sl_time_s: ArrayLike = 20.0,
) -> QueueArrays:
    """Erlang A metrics for each interval (arrays broadcast); mean patience ``patience_s`` seconds."""
    load = offered_load(calls, interval_s, aht_s)
    return erlang_a_load(
        agents=checked("agents", agents, integer=True),
        load=load,
        aht_s=aht_s,
        patience_s=checked("patience_s", patience_s, positive=True),
        sl_time_s=checked("sl_time_s", sl_time_s),
    )


def log_kummer(x: ArrayLike, y: ArrayLike) -> FloatArray:
    """log A(x, y) = log sum_{j>=0} y^j / prod_{k=1..j} (x + k), for x > 0 and y >= 0."""
    xs, ys = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    out = np.zeros(xs.shape)
    loaded = ys > 0
    xl, yl = xs[loaded], ys[loaded]
    lower = gammainc(xl, yl)
    closed = lower > _UNDERFLOW
    values = np.empty(xl.shape)
    xc, yc = xl[closed], yl[closed]
    values[closed] = gammaln(xc + 1.0) + yc - xc * np.log(yc) + np.log(lower[closed])
    far_x, far_y = xl[~closed], yl[~closed]
    if far_x.size:

        def log_ratio(rows: NDArray[np.intp], i: FloatArray) -> FloatArray:
            return np.asarray(np.log(far_y[rows, None] / (far_x[rows, None] + i[None, :])), dtype=np.float64)

        values[~closed] = log_sum_of_products(log_ratio, far_x.size)
    out[loaded] = values
    return out


def erlang_a_load(
    *,
    agents: ArrayLike,
    load: ArrayLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    sl_time_s: ArrayLike,
    with_asa: bool = True,
) -> QueueArrays:
    """Erlang A metrics from the offered load in Erlangs (inputs already checked).

    ``with_asa=False`` skips the series for the ASA of answered calls (``asa_s`` is then NaN).
    """
    n, a, aht, patience, t = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (agents, load, aht_s, patience_s, sl_time_s))
    )
    idle = a <= 0
    unstaffed = (n <= 0) & ~idle
    p_wait = np.where(idle, 0.0, 1.0)
    p_abandon = np.where(idle, 0.0, 1.0)
    service_level = np.where(idle, 1.0, 0.0)
    asa = np.where(idle, 0.0, np.inf)
    mean_wait = np.where(idle, 0.0, patience)
    occupancy = np.zeros(n.shape)
    served = ~idle & ~unstaffed
    if np.any(served):
        m = _served_metrics(n[served], a[served], aht[served], patience[served], t[served], with_asa=with_asa)
        for target, values in zip(
            (p_wait, p_abandon, service_level, asa, mean_wait, occupancy), m, strict=True
        ):
            target[served] = values
    answered = 1.0 - p_abandon
    with np.errstate(divide="ignore", invalid="ignore"):
        service_level_answered = np.where(answered > 0, service_level / answered, 0.0)
    return QueueArrays(
        agents=n.astype(np.int64),
        load=a,
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=service_level,
        service_level_answered=np.minimum(service_level_answered, 1.0),
        asa_s=asa,
        mean_wait_s=mean_wait,
        occupancy=occupancy,
    )


def _served_metrics(
    n: FloatArray, a: FloatArray, aht: FloatArray, patience: FloatArray, t: FloatArray, *, with_asa: bool
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """p_wait, p_abandon, service level, ASA, mean wait, occupancy for N >= 1 agents and load > 0."""
    scale = patience / aht
    x, y = n * scale, a * scale
    log_a = log_kummer(x, y)
    log_e = log_erlang_b(n, a)
    with np.errstate(divide="ignore"):  # B rounds to 1 far overloaded: every caller waits
        log_odds_wait = log_a + log_e - np.log1p(-np.exp(log_e))  # log P(wait) / P(no wait)
    p_wait, p_no_wait = expit(log_odds_wait), expit(-log_odds_wait)
    p_abandon = np.clip(p_wait * ((a - n) * scale + x * np.exp(-log_a)) / y, 0.0, 1.0)
    # answered within t = no wait + answered after a wait of at most t; the latter is
    # P(answered, V > 0) (1 - P(answered, V > t) / P(answered, V > 0)), free of cancellation.
    decay = t / patience
    log_answered_after_wait = (
        -np.logaddexp(0.0, -log_odds_wait) + np.log(x / (x + 1.0)) + log_kummer(x + 1.0, y) - log_a
    )
    log_still_waiting = (
        log_kummer(x + 1.0, y * np.exp(-decay))
        - log_kummer(x + 1.0, y)
        - y * np.expm1(-decay)
        - (n / aht + 1.0 / patience) * t
    )
    answered_soon = np.exp(log_answered_after_wait) * -np.expm1(np.minimum(log_still_waiting, 0.0))
    service_level = np.clip(p_no_wait + answered_soon, 0.0, 1.0)
    answered = 1.0 - p_abandon
    if with_asa:
        with np.errstate(divide="ignore", invalid="ignore"):
            asa = np.where(answered > 0, p_wait * patience * _answered_wait_factor(x, y) / answered, np.inf)
    else:
        asa = np.full(n.shape, np.nan)
    occupancy = np.minimum(a / n * answered, 1.0)  # rounding can pass 1 when nearly every call abandons
    return p_wait, p_abandon, service_level, asa, p_abandon * patience, occupancy


def _answered_wait_factor(x: FloatArray, y: FloatArray) -> FloatArray:
    """sum_j w_j g_j / sum_j w_j with w_j = y^j / prod_{k<=j} (x+k) and g_j = x/(x+j+1) sum_{k<=j+1} 1/(x+k).

    g_j / theta is the mean wait, counted only when answered, of a caller who finds j waiting.
    The weights peak at j = y - x (or 0) and fall like a normal curve of width about sqrt(y), so
    each row sums the window peak -+ (10 sqrt(y) + 40) in blocks; outside it they are below e^-50
    of the peak. A common factor of the weights cancels, so each row starts its window at log w = 0.
    """
    peak = np.maximum(y - x, 0.0)
    reach = 10.0 * np.sqrt(y) + 40.0
    first = np.floor(np.maximum(peak - reach, 0.0))
    end = peak + reach
    shift = np.full(x.shape, -np.inf)  # running max of log w_j
    total = np.zeros(x.shape)  # sum of w_j e^-shift
    weighted = np.zeros(x.shape)  # sum of w_j g_j e^-shift
    log_w_last = np.zeros(x.shape)  # log w of the previous term (the first term gets 0)
    harmonic = np.where(first > 0, digamma(x + first + 1.0) - digamma(x + 1.0), 0.0)  # sum_{k<=j} 1/(x+k)
    offset = np.arange(_BLOCK, dtype=np.float64)
    block = 0
    active = np.arange(x.size)
    while active.size:
        xa, ya = x[active, None], y[active, None]
        j = first[active, None] + block * _BLOCK + offset[None, :]
        steps = np.log(ya) - np.log(xa + j)
        if block == 0:
            steps[:, 0] = 0.0
        log_w = log_w_last[active, None] + np.cumsum(steps, axis=1)
        log_w = np.where(j < end[active, None], log_w, -np.inf)
        h = harmonic[active, None] + np.cumsum(1.0 / (xa + j + 1.0), axis=1)
        g = xa / (xa + j + 1.0) * h
        new_shift = np.maximum(shift[active], log_w.max(axis=1))
        rescale = np.exp(shift[active] - new_shift)
        weights = np.exp(log_w - new_shift[:, None])
        total[active] = total[active] * rescale + weights.sum(axis=1)
        weighted[active] = weighted[active] * rescale + (weights * g).sum(axis=1)
        shift[active] = new_shift
        log_w_last[active] = log_w[:, -1]
        harmonic[active] = h[:, -1]
        block += 1
        active = active[end[active] > first[active] + block * _BLOCK]
    return np.asarray(weighted / total, dtype=np.float64)
