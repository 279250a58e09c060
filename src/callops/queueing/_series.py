"""Log-space sums of products, for the sums no closed form covers well.

``log_sum_of_products`` sums ``S = sum_{j>=0} prod_{i=1..j} r_i`` for ratios ``r_i < 1`` that keep
falling, row by row, in blocks of terms: each row stops once its newest term is below 1e-18 of its
sum. Erlang B (far overloaded) and the Kummer series of Erlang A (patient callers) use it where
the incomplete-gamma closed forms underflow.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["log_sum_of_products"]

FloatArray = NDArray[np.float64]
LogRatio = Callable[[NDArray[np.intp], FloatArray], FloatArray]

_BLOCK = 256
_NEGLIGIBLE = np.log(1e-18)


def log_sum_of_products(log_ratio: LogRatio, rows: int) -> FloatArray:
    """log of sum_{j>=0} prod_{i=1..j} r_i for each row; ``log_ratio(rows, i)`` gives log r_i (2-D)."""
    log_sum = np.zeros(rows)  # the j = 0 term is 1
    last = np.zeros(rows)  # log of the newest term
    active = np.arange(rows)
    start = 1
    while active.size:
        i = np.arange(start, start + _BLOCK, dtype=np.float64)
        with np.errstate(divide="ignore"):
            logs = last[active, None] + np.cumsum(log_ratio(active, i), axis=1)
        block_max = logs.max(axis=1)
        finite = np.isfinite(block_max)
        block_sum = np.full(active.size, -np.inf)
        block_sum[finite] = block_max[finite] + np.log(
            np.exp(logs[finite] - block_max[finite, None]).sum(axis=1)
        )
        log_sum[active] = np.logaddexp(log_sum[active], block_sum)
        last[active] = logs[:, -1]
        done = ~(logs[:, -1] - log_sum[active] > _NEGLIGIBLE)
        active = active[~done]
        start += _BLOCK
    return log_sum
