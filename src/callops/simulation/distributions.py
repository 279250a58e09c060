"""Random durations drawn in numpy batches: exponential, lognormal, empirical, constant (and uniform 0-1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain

import numpy as np

from callops.errors import InvalidInput

__all__ = ["Distribution", "Stream"]

_KINDS = ("exponential", "lognormal", "empirical", "constant", "uniform")


@dataclass(frozen=True, slots=True)
class Distribution:
    """A duration distribution in seconds; ``sd_s`` for lognormal, ``values_s`` for empirical."""

    kind: str
    mean_s: float = 0.0
    sd_s: float = 0.0
    values_s: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise InvalidInput(f"unknown distribution {self.kind!r}; use one of {', '.join(_KINDS)}", field="dist")
        if self.kind == "empirical" and not self.values_s:
            raise InvalidInput("an empirical distribution needs values_s", field="values_s")
        if self.kind != "empirical" and self.mean_s < 0:
            raise InvalidInput("mean_s must not be negative", field="mean_s")

    @property
    def mean(self) -> float:
        """The distribution's mean in seconds (uniform: 0.5)."""
        if self.kind == "empirical":
            return float(np.mean(self.values_s))
        return 0.5 if self.kind == "uniform" else self.mean_s

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws."""
        if self.kind == "exponential":
            return rng.exponential(self.mean_s, size)
        if self.kind == "uniform":
            return rng.random(size)
        if self.kind == "constant":
            return np.full(size, self.mean_s)
        if self.kind == "empirical":
            return rng.choice(np.asarray(self.values_s, dtype=float), size)
        variance = np.log1p((self.sd_s / self.mean_s) ** 2)
        return rng.lognormal(np.log(self.mean_s) - variance / 2, np.sqrt(variance), size)


class Stream:
    """Draws from one distribution, refilled 4,096 at a time (no numpy call per event).

    ``next()`` returns the next draw; it is a C-level iterator step over the batches, each batch drawn
    when the one before runs out.
    """

    __slots__ = ("dist", "rng", "next")

    def __init__(self, dist: Distribution, rng: np.random.Generator) -> None:
        self.dist = dist
        self.rng = rng
        self.next: Callable[[], float] = chain.from_iterable(iter(self._batch, None)).__next__

    def _batch(self) -> list[float]:
        batch: list[float] = self.dist.sample(self.rng, 4096).tolist()
        return batch
