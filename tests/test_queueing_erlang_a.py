"""Erlang A (M/M/N+M): known values, an independent birth-death formulation, limits and laws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from callops.errors import InvalidInput
from callops.queueing import erlang_a, erlang_c, log_kummer
from callops.queueing.erlang_a import erlang_a_load


def chain_metrics(
    n: int, load: float, aht: float, patience: float, t: float, extra: int = 400
) -> tuple[float, ...]:
    """Independent Erlang A: the truncated birth-death chain as a linear system, the tagged caller by expm.

    Returns P(wait), P(abandon), answered within t over offered, ASA of answered calls, mean wait of all.
    """
    lam, mu, theta = load / aht, 1.0 / aht, 1.0 / patience
    k = n + extra
    gen = np.zeros((k + 1, k + 1))
    for s in range(k + 1):
        if s < k:
            gen[s, s + 1] = lam
        if s > 0:
            gen[s, s - 1] = min(s, n) * mu + max(s - n, 0) * theta
        gen[s, s] = -gen[s].sum()
    system = gen.T.copy()
    system[-1, :] = 1.0
    rhs = np.zeros(k + 1)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    p_wait = pi[n:].sum()
    p_abandon = theta * sum((s - n) * pi[s] for s in range(n, k + 1)) / lam
    m = extra + 1  # the tagged caller has j = 0..extra ahead; absorbing states: served (m), abandoned (m + 1)
    g = np.zeros((m + 2, m + 2))
    for j in range(m):
        advance = n * mu + j * theta
        g[j, m if j == 0 else j - 1] = advance
        g[j, m + 1] = theta
        g[j, j] = -(advance + theta)
    served_by_t = expm(g * t)[:m, m]
    transient = -g[:m, :m]
    to_service = np.zeros(m)
    to_service[0] = n * mu
    served = np.linalg.solve(transient, to_service)
    wait_if_served = np.linalg.solve(transient, served)
    wait_any = np.linalg.solve(transient, np.ones(m))
    service_level = pi[:n].sum() + pi[n:] @ served_by_t
    asa = pi[n:] @ wait_if_served / (1 - p_abandon)
    return tuple(float(v) for v in (p_wait, p_abandon, service_level, asa, pi[n:] @ wait_any))


def test_known_values_patience_300() -> None:
    """Patience 300 s, 100 calls/30 min, 14 agents: P(wait) 0.14526, abandon 0.013984, SL 0.916792."""
    m = erlang_a(calls=100, interval_s=1800, aht_s=180, agents=14, patience_s=300, sl_time_s=20)
    assert round(float(m.p_wait), 5) == 0.14526
    assert round(float(m.p_abandon), 6) == 0.013984
    assert round(float(m.service_level), 6) == 0.916792


CASES = [
    (14, 10.0, 180.0, 300.0, 20.0),
    (5, 10.0, 180.0, 300.0, 20.0),
    (1, 10.0, 180.0, 300.0, 20.0),
    (30, 25.0, 240.0, 60.0, 30.0),
    (20, 25.0, 300.0, 900.0, 60.0),
    (50, 40.0, 180.0, 30.0, 10.0),
    (3, 1.0, 100.0, 5000.0, 0.0),
]


@pytest.mark.parametrize(("n", "load", "aht", "patience", "t"), CASES)
def test_matches_the_birth_death_chain(n: int, load: float, aht: float, patience: float, t: float) -> None:
    """Closed forms and the ASA series agree with the solved chain to 1e-8, overloaded cases included."""
    p_wait, p_abandon, service_level, asa, mean_wait = chain_metrics(n, load, aht, patience, t)
    m = erlang_a_load(agents=n, load=load, aht_s=aht, patience_s=patience, sl_time_s=t)
    assert float(m.p_wait) == pytest.approx(p_wait, abs=1e-9)
    assert float(m.p_abandon) == pytest.approx(p_abandon, abs=1e-9)
    assert float(m.service_level) == pytest.approx(service_level, abs=1e-9)
    assert float(m.asa_s) == pytest.approx(asa, rel=1e-8)
    assert float(m.mean_wait_s) == pytest.approx(mean_wait, rel=1e-8)
    assert float(m.service_level_answered) == pytest.approx(service_level / (1 - p_abandon), abs=1e-9)


def test_asa_far_past_the_peak() -> None:
    """Patient callers, twice overloaded: the ASA series summed near its peak (j ~ 500) matches the chain."""
    _, p_abandon, _, asa, mean_wait = chain_metrics(1, 2.0, 100.0, 50000.0, 20.0, extra=1200)
    m = erlang_a_load(agents=1, load=2.0, aht_s=100.0, patience_s=50000.0, sl_time_s=20.0)
    assert float(m.p_abandon) == pytest.approx(p_abandon, abs=1e-9)
    assert float(m.asa_s) == pytest.approx(asa, rel=1e-9)
    assert float(m.mean_wait_s) == pytest.approx(mean_wait, rel=1e-9)


def test_whole_intervals_in_one_call() -> None:
    """Arrays of calls, handle times and agents give one result per interval, equal to one-at-a-time calls."""
    calls = np.array([50.0, 100.0, 400.0])
    aht = np.array([200.0, 180.0, 240.0])
    agents = np.array([7, 14, 60])
    batch = erlang_a(calls=calls, interval_s=1800, aht_s=aht, agents=agents, patience_s=120)
    for i in range(3):
        one = erlang_a(calls=calls[i], interval_s=1800, aht_s=aht[i], agents=agents[i], patience_s=120)
        assert float(batch.service_level[i]) == float(one.service_level)
        assert float(batch.asa_s[i]) == float(one.asa_s)


def test_patient_callers_approach_erlang_c() -> None:
    """With a patience of ten million seconds Erlang A gives Erlang C's P(wait), service level and ASA."""
    a = erlang_a(calls=100, interval_s=1800, aht_s=180, agents=13, patience_s=1e7)
    c = erlang_c(calls=100, interval_s=1800, aht_s=180, agents=13)
    assert float(a.p_wait) == pytest.approx(float(c.p_wait), abs=1e-5)
    assert float(a.service_level) == pytest.approx(float(c.service_level), abs=1e-5)
    assert float(a.asa_s) == pytest.approx(float(c.asa_s), rel=1e-4)


def test_ten_thousand_agents_stay_finite() -> None:
    """10,000 agents and 9,000 Erlangs, under- and over-staffed, give finite probabilities in [0, 1]."""
    m = erlang_a_load(
        agents=np.array([10, 8000, 9000, 10000]),
        load=9000.0,
        aht_s=180.0,
        patience_s=np.array([300, 300, 1e6, 60]),
        sl_time_s=20.0,
    )
    for values in (m.p_wait, m.p_abandon, m.service_level, m.occupancy, m.asa_s):
        assert np.all(np.isfinite(values))
    assert np.all((m.p_abandon >= 0) & (m.p_abandon <= 1))
    assert float(m.p_abandon[0]) == pytest.approx(
        1 - 10 / 9000, rel=1e-3
    )  # 10 agents serve 10 Erlangs of 9000


def test_log_kummer_matches_its_series() -> None:
    """log A(x, y) equals the summed series, where the closed form applies and where it underflows."""
    for x, y in [(23.3, 16.7), (15000.0, 15000.0), (1e6, 5e5), (5.0, 400.0)]:
        total, term, j = 1.0, 1.0, 0
        scale = 0.0
        while True:
            j += 1
            term *= y / (x + j)
            total += term
            if term < 1e-18 * total and y < x + j:
                break
            if total > 1e250:
                scale += np.log(total)
                term /= total
                total = 1.0
        assert float(log_kummer(x, y)) == pytest.approx(scale + np.log(total), rel=1e-11, abs=1e-11)


def test_no_calls_means_no_wait() -> None:
    """An interval without calls has no waiting, no abandonment and full service level."""
    m = erlang_a(calls=0, interval_s=1800, aht_s=180, agents=3, patience_s=60)
    assert (float(m.p_wait), float(m.p_abandon), float(m.service_level), float(m.occupancy)) == (0, 0, 1, 0)


def test_non_positive_patience_is_refused() -> None:
    """A patience of 0 seconds is refused naming the field patience_s."""
    with pytest.raises(InvalidInput, match="patience_s"):
        erlang_a(calls=10, interval_s=1800, aht_s=180, agents=3, patience_s=0)


@settings(max_examples=60, deadline=None)
@given(
    load=st.floats(0.1, 300),
    agents=st.integers(1, 350),
    patience=st.floats(5, 5000),
    t=st.floats(0, 120),
)
def test_laws(load: float, agents: int, patience: float, t: float) -> None:
    """Probabilities stay in [0, 1]; one more agent never raises abandonment, ASA or lowers service level."""
    m = erlang_a_load(
        agents=np.array([agents, agents + 1]), load=load, aht_s=180.0, patience_s=patience, sl_time_s=t
    )
    for values in (m.p_wait, m.p_abandon, m.service_level, m.service_level_answered, m.occupancy):
        assert np.all((values >= 0) & (values <= 1))
    # 1e-10: far overloaded, a service level near 0 is good to about 1e-12 absolute, not relative
    assert m.p_abandon[1] <= m.p_abandon[0] + 1e-10
    assert m.service_level[1] >= m.service_level[0] - 1e-10
    assert m.asa_s[1] <= m.asa_s[0] * (1 + 1e-9)
    assert m.occupancy[1] <= m.occupancy[0] + 1e-10
