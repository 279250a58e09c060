"""Login throttling decisions: a lock needs the limit of failures within one window and lasts the lock-out."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.login_throttle import FailureScope, ThrottlePolicy, locked_until, retry_after_s

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
POLICY = ThrottlePolicy()
MIN = dt.timedelta(minutes=1)


def _at(*minutes: float) -> list[dt.datetime]:
    return [T0 + m * MIN for m in minutes]


def test_the_limit_of_failures_within_the_window_locks_for_the_lockout() -> None:
    """Five failures in four minutes lock until 15 minutes after the fifth; four do not lock."""
    failures = _at(0, 1, 2, 3, 4)
    assert locked_until(failures[:4], limit=5, now=T0 + 4 * MIN, policy=POLICY) is None
    assert locked_until(failures, limit=5, now=T0 + 4 * MIN, policy=POLICY) == T0 + 19 * MIN
    assert locked_until(failures, limit=5, now=T0 + 18 * MIN, policy=POLICY) == T0 + 19 * MIN
    assert locked_until(failures, limit=5, now=T0 + 19 * MIN, policy=POLICY) is None


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    """Five failures over 15 minutes lock (the window includes its end); over 15.5 minutes they do not."""
    assert locked_until(_at(0, 5, 10, 14, 15), limit=5, now=T0 + 15 * MIN, policy=POLICY) == T0 + 30 * MIN
    assert locked_until(_at(0, 5, 10, 14, 15.5), limit=5, now=T0 + 16 * MIN, policy=POLICY) is None


def test_only_the_newest_failures_count() -> None:
    """Old failures before a quiet spell do not combine with new ones; the order given does not matter."""
    old_then_new = _at(0, 1, 2, 3, 40, 41, 42, 43)
    assert locked_until(old_then_new, limit=5, now=T0 + 43 * MIN, policy=POLICY) is None
    assert locked_until([*reversed(old_then_new), T0 + 44 * MIN], limit=5, now=T0 + 44 * MIN,
                        policy=POLICY) == T0 + 59 * MIN


def test_policy_limits_by_scope_and_horizon() -> None:
    """Users lock after 5, addresses after 100; failures older than window plus lock-out cannot matter."""
    assert POLICY.limit(FailureScope.USER) == 5 and POLICY.limit(FailureScope.ADDRESS) == 100
    assert POLICY.horizon == 30 * MIN
    with pytest.raises(ValueError, match="at least one"):
        ThrottlePolicy(max_failures_per_user=0)
    with pytest.raises(ValueError, match="positive"):
        ThrottlePolicy(lockout=dt.timedelta(0))


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    """Retry-After is the wait in whole seconds, rounded up, never 0."""
    assert retry_after_s(T0 + 15 * MIN, T0) == 900
    assert retry_after_s(T0 + dt.timedelta(milliseconds=1500), T0) == 2
    assert retry_after_s(T0, T0) == 1


@given(offsets_s=st.lists(st.integers(0, 3600), max_size=30), now_s=st.integers(0, 7200),
       limit=st.integers(1, 8))
def test_a_lock_is_always_backed_by_enough_failures(offsets_s: list[int], now_s: int, limit: int) -> None:
    """Whenever a lock is answered, ``limit`` failures lie within one window and it ends after now, within the
    lock-out of the newest failure; with fewer failures there is never a lock."""
    failures = [T0 + dt.timedelta(seconds=s) for s in offsets_s]
    now = T0 + dt.timedelta(seconds=now_s)
    until = locked_until(failures, limit=limit, now=now, policy=POLICY)
    if len(failures) < limit:
        assert until is None
    if until is not None:
        newest = sorted(failures)[-limit:]
        assert newest[-1] - newest[0] <= POLICY.window
        assert now < until == max(failures) + POLICY.lockout
