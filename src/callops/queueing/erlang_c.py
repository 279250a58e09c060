"""Erlang C (M/M/N): callers wait as long as it takes; exact, vectorised over intervals.

With N agents, load A = lambda x AHT Erlangs and B = B(N, A) from Erlang B:

    P(wait) = C = N B / (N - A (1 - B))                 (A < N; C = 1 otherwise)
    SL(t)       = 1 - C exp(-(N - A) t / AHT)            answered within t over offered
    ASA         = C AHT / (N - A)                        mean wait of all (= answered) calls
    occupancy   = A / N                                  (1 when A >= N)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from callops.queueing.erlang_b import log_erlang_b
from callops.queueing.metrics import QueueArrays, checked, offered_load

__all__ = ["erlang_c", "erlang_c_load"]

FloatArray = NDArray[np.float64]


def erlang_c(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    sl_time_s: ArrayLike = 20.0,
) -> QueueArrays:
    """Erlang C metrics for each interval (arrays broadcast): calls per interval of ``interval_s`` seconds."""
    load = offered_load(calls, interval_s, aht_s)
    return erlang_c_load(
        agents=checked("agents", agents, integer=True),
        load=load,
        aht_s=aht_s,
        sl_time_s=checked("sl_time_s", sl_time_s),
    )


def erlang_c_load(
    *, agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike, sl_time_s: ArrayLike
) -> QueueArrays:
    """Erlang C metrics from the offered load in Erlangs (inputs already checked)."""
    n, a, aht, t = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (agents, load, aht_s, sl_time_s))
    )
    stable = n > a
    ns, as_ = n[stable], a[stable]
    rho = as_ / ns
    log_b = log_erlang_b(ns, as_)
    p_wait = np.ones(n.shape)
    p_wait[stable] = np.exp(log_b - np.log1p(-rho * -np.expm1(log_b)))
    surplus = np.where(stable, n - a, 1.0)
    service_level = np.where(stable, 1.0 - p_wait * np.exp(-surplus * t / aht), 0.0)
    asa = np.where(stable, p_wait * aht / surplus, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(stable, a / np.where(n > 0, n, 1.0), np.where(a > 0, 1.0, 0.0))
    p_wait = np.where(a > 0, p_wait, 0.0)  # no calls: nobody waits, even with no agent
    service_level = np.where(a > 0, service_level, 1.0)
    asa = np.where(a > 0, asa, 0.0)
    return QueueArrays(
        agents=n.astype(np.int64),
        load=a,
        p_wait=p_wait,
        p_abandon=np.zeros(n.shape),
        service_level=service_level,
        service_level_answered=service_level,
        asa_s=asa,
        mean_wait_s=asa,
        occupancy=occupancy,
    )
