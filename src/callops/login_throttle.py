"""Login throttling, decided without I/O: given the times of recent failed sign-ins, may the next one proceed?

Failures are counted per user name (from any address) and per client address (for any name). When ``limit``
of them fall within one ``window``, that name or address is locked for ``lockout`` from the last of them.
Attempts during a lock are refused before any password is checked and are not counted, so a lock ends on
time; the next failures after it start a new count.

    policy = ThrottlePolicy()                      # 5 per user, 100 per address, 15 min window, 15 min lock
    until = locked_until(times, limit=policy.max_failures_per_user, now=now, policy=policy)
    if until is not None: refuse, with Retry-After: retry_after_s(until, now)
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FailureScope", "ThrottlePolicy", "locked_until", "retry_after_s"]


class FailureScope(enum.StrEnum):
    """What a failure is counted against."""

    USER = "user"  # the user name as typed, whether or not such a user exists
    ADDRESS = "address"  # the client address (an IPv6 client's /64 network)


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """Limits on failed sign-ins.

    The address limit is far higher than the user limit because a contact-center floor of hundreds of agents
    often reaches the server through one NAT address: agents mistyping at shift start, or a burst of guesses
    from one machine on the floor, must not lock the whole floor (and its manager) out. Guessing one account
    is held at 5 tries per window by the user limit whatever the address; the address limit caps spraying
    many names from one address.
    """

    max_failures_per_user: int = 5
    max_failures_per_address: int = 100
    window: dt.timedelta = dt.timedelta(minutes=15)
    lockout: dt.timedelta = dt.timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.max_failures_per_user < 1 or self.max_failures_per_address < 1:
            raise ValueError("a throttle limit allows at least one failure")
        if self.window <= dt.timedelta(0) or self.lockout <= dt.timedelta(0):
            raise ValueError("the throttle window and lock-out must be positive")

    def limit(self, scope: FailureScope) -> int:
        """The number of failures within one window that locks a key of ``scope``."""
        return self.max_failures_per_user if scope is FailureScope.USER else self.max_failures_per_address

    @property
    def horizon(self) -> dt.timedelta:
        """How far back failures can matter: a lock started by failures spread over one window, then the lock."""
        return self.window + self.lockout


def locked_until(failures_at: Iterable[dt.datetime], *, limit: int, now: dt.datetime,
                 policy: ThrottlePolicy) -> dt.datetime | None:
    """The end of the lock in force at ``now``, or None when the next attempt may proceed.

    Locked when the newest ``limit`` failures lie within one window and ``now`` is before the newest of
    them plus the lock-out.
    """
    newest = sorted(failures_at)[-limit:]
    if len(newest) < limit or newest[-1] - newest[0] > policy.window:
        return None
    until = newest[-1] + policy.lockout
    return until if now < until else None


def retry_after_s(until: dt.datetime, now: dt.datetime) -> int:
    """Whole seconds until ``until`` (at least 1), for a ``Retry-After`` header."""
    return max(1, math.ceil((until - now).total_seconds()))
