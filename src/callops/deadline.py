"""A wall-clock limit on one piece of heavy work (a simulation, a plan check, a forecast's model search).

The work checks its ``Deadline`` between steps (a replication, a model fit) and stops with ``TimeLimit``
once the time is spent, so one request cannot hold a worker for minutes. Sizes are bounded before the
work starts (see each caller); the deadline is the backstop for what sizes cannot foresee.
"""

from __future__ import annotations

import time

from callops.errors import TimeLimit

__all__ = ["Deadline"]


class Deadline:
    """``seconds`` from now on the monotonic clock; ``check(what)`` raises ``TimeLimit`` once they are spent."""

    __slots__ = ("seconds", "_until")

    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError("a deadline needs a positive number of seconds")
        self.seconds = seconds
        self._until = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() >= self._until

    def check(self, what: str) -> None:
        if self.expired():
            raise TimeLimit(f"{what} ran past its {self.seconds:g}-second limit; ask for less (fewer replications, "
                            f"a shorter range or one named model) or run it from the command line",
                            limit_s=self.seconds)
