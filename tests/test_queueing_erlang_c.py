"""Erlang C: the known values to the digits given, an exact rational check, and the laws."""

from __future__ import annotations

from fractions import Fraction
from math import exp, factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.queueing import erlang_c
from callops.queueing.erlang_c import erlang_c_load


def test_known_values() -> None:
    """100 calls /30 min, AHT 180 s, t = 20 s, N = 11..14: P(wait) and service level to the given digits."""
    m = erlang_c(calls=100, interval_s=1800, aht_s=180, agents=np.array([11, 12, 13, 14]), sl_time_s=20)
    assert [round(float(v), 7) for v in m.p_wait] == [0.6821182, 0.4493882, 0.2852705, 0.1741319]
    assert [round(float(v), 7) for v in m.service_level] == [0.3896138, 0.640158, 0.7955948, 0.88835]


def test_matches_exact_rational_formula() -> None:
    """P(wait) equals the textbook sum formula evaluated in exact fractions; ASA is C AHT / (N - A)."""
    n, load = 13, Fraction(10)
    top = load**n / factorial(n) * Fraction(n) / (n - load)
    exact = top / (sum(load**k / factorial(k) for k in range(n)) + top)
    m = erlang_c(calls=100, interval_s=1800, aht_s=180, agents=n)
    assert float(m.p_wait) == pytest.approx(float(exact), rel=1e-13)
    assert float(m.asa_s) == pytest.approx(float(exact) * 180 / 3, rel=1e-13)
    assert float(m.service_level) == pytest.approx(1 - float(exact) * exp(-3 * 20 / 180), rel=1e-13)
    assert float(m.occupancy) == pytest.approx(10 / 13)


def test_too_few_agents_never_catch_up() -> None:
    """With N <= A every caller waits, service level is 0, ASA is infinite and occupancy 1."""
    m = erlang_c(calls=100, interval_s=1800, aht_s=180, agents=np.array([5, 10]))
    assert m.p_wait.tolist() == [1.0, 1.0]
    assert m.service_level.tolist() == [0.0, 0.0]
    assert np.all(np.isinf(m.asa_s))
    assert m.occupancy.tolist() == [1.0, 1.0]


def test_ten_thousand_agents_and_nine_thousand_erlangs() -> None:
    """10,000 agents offered 9,000 Erlangs give finite, tiny P(wait) and full service level."""
    m = erlang_c_load(agents=10000, load=9000.0, aht_s=180.0, sl_time_s=20.0)
    assert np.isfinite(float(m.p_wait)) and 0 < float(m.p_wait) < 1e-20
    assert float(m.service_level) == 1.0
    near = erlang_c_load(agents=9100, load=9000.0, aht_s=180.0, sl_time_s=20.0)
    assert 0 < float(near.p_wait) < 1 and np.isfinite(float(near.asa_s))


def test_fractional_agents_are_refused() -> None:
    """Agents must be whole: 12.5 is refused naming the field agents."""
    with pytest.raises(InvalidInput, match="agents"):
        erlang_c(calls=100, interval_s=1800, aht_s=180, agents=12.5)


@settings(max_examples=80, deadline=None)
@given(load=st.floats(0.01, 2000), extra=st.integers(1, 300), t=st.floats(0, 300))
def test_wait_falls_as_agents_rise(load: float, extra: int, t: float) -> None:
    """With more agents P(wait) and ASA fall and service level rises; all probabilities lie in [0, 1]."""
    n = int(np.floor(load)) + extra
    m = erlang_c_load(agents=np.array([n, n + 1]), load=load, aht_s=180.0, sl_time_s=t)
    for values in (m.p_wait, m.service_level, m.occupancy):
        assert np.all((values >= 0) & (values <= 1))
    assert m.p_wait[1] <= m.p_wait[0]
    assert m.asa_s[1] <= m.asa_s[0]
    assert m.service_level[1] >= m.service_level[0]
