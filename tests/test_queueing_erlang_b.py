"""Erlang B in log space: exact against the classic recursion, finite far out, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.queueing import erlang_b, log_erlang_b


def recursion(n: int, load: float) -> float:
    """The textbook recursion B(k) = A B(k-1) / (k + A B(k-1)), one agent at a time."""
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


@pytest.mark.parametrize(
    ("n", "load"),
    [(1, 1.0), (14, 10.0), (5, 50.0), (100, 90.0), (10, 9000.0), (7000, 9000.0), (10000, 9000.0)],
)
def test_matches_the_recursion(n: int, load: float) -> None:
    """The closed form (and, far overloaded, the series) equals the recursion to 1e-10 relative."""
    assert float(erlang_b(n, load)) == pytest.approx(recursion(n, load), rel=1e-10)


def test_edges() -> None:
    """No agent blocks every call; no load blocks nothing; zero agents with zero load counts as blocked."""
    assert erlang_b([0, 0, 3], [5.0, 0.0, 0.0]).tolist() == [1.0, 1.0, 0.0]


def test_vectorised_over_intervals() -> None:
    """Arrays of agents and loads broadcast, one value per pair."""
    values = erlang_b(np.array([[1], [2]]), np.array([1.0, 2.0, 3.0]))
    assert values.shape == (2, 3)
    assert float(values[1, 2]) == pytest.approx(recursion(2, 3.0), rel=1e-12)


def test_far_out_is_finite_in_log_space() -> None:
    """10,000 agents offered 100 Erlangs: B underflows to 0 but its logarithm stays finite."""
    assert np.isfinite(float(log_erlang_b(10000, 100.0)))
    assert float(log_erlang_b(10000, 100.0)) < -10000


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 400), load=st.floats(0.01, 600))
def test_is_a_probability_falling_with_agents(n: int, load: float) -> None:
    """B is in [0, 1] and one more agent never blocks more calls."""
    b = erlang_b(np.array([n, n + 1]), load)
    assert np.all((b >= 0) & (b <= 1))
    assert b[1] <= b[0]
