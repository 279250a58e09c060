"""The fewest agents for a target: known answers, exact minimum against a linear scan, shrinkage, recovery."""

from __future__ import annotations

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.queueing import ServiceTargets, effective_aht, minimum_agents, scheduled_agents
from callops.queueing.erlang_a import erlang_a_load
from callops.queueing.erlang_c import erlang_c_load
from callops.queueing.metrics import QueueArrays


def meets(m: QueueArrays, targets: ServiceTargets, *, erlang_c: bool) -> bool:
    """The targets checked one by one on a single interval's metrics."""
    ok = not erlang_c or int(m.agents) > float(m.load)
    if targets.service_level is not None:
        ok = ok and float(m.service_level) >= targets.service_level
    if targets.asa_s is not None:
        ok = ok and float(m.asa_s) <= targets.asa_s
    if targets.max_abandon is not None:
        ok = ok and float(m.p_abandon) <= targets.max_abandon
    if targets.max_occupancy is not None:
        ok = ok and float(m.occupancy) <= targets.max_occupancy
    return ok


def scan(load: float, aht: float, targets: ServiceTargets, patience: float | None) -> int:
    """The first N = 1, 2, ... meeting the targets, evaluated one at a time."""
    n = 1
    while True:
        if patience is None:
            m = erlang_c_load(agents=n, load=load, aht_s=aht, sl_time_s=targets.sl_time_s)
        else:
            m = erlang_a_load(
                agents=n, load=load, aht_s=aht, patience_s=patience, sl_time_s=targets.sl_time_s
            )
        if meets(m, targets, erlang_c=patience is None):
            return n
        n += 1


def test_eighty_twenty_needs_fourteen_and_twenty_scheduled() -> None:
    """100 calls per 30 min, AHT 180 s, 80 % in 20 s: 14 agents, 20 scheduled with 30 % shrinkage."""
    agents = minimum_agents(calls=100, interval_s=1800, aht_s=180, targets=ServiceTargets(0.8, 20))
    assert int(agents) == 14
    assert int(scheduled_agents(agents, 0.3)) == 20


TARGETS = [
    ServiceTargets(0.8, 20),
    ServiceTargets(0.9, 10, max_occupancy=0.85),
    ServiceTargets(None, 20, asa_s=15),
    ServiceTargets(0.95, 30, asa_s=5, max_occupancy=0.9),
]


@pytest.mark.parametrize("targets", TARGETS)
def test_erlang_c_batch_equals_linear_scan(targets: ServiceTargets) -> None:
    """For many random intervals at once, the answer equals the first N that a one-by-one scan accepts."""
    rng = np.random.default_rng(7)
    calls = rng.uniform(1, 600, size=40)
    aht = rng.uniform(60, 600, size=40)
    got = minimum_agents(calls=calls, interval_s=1800, aht_s=aht, targets=targets)
    assert got.tolist() == [scan(c * h / 1800, h, targets, None) for c, h in zip(calls, aht, strict=True)]


@pytest.mark.parametrize(
    "targets",
    [
        ServiceTargets(0.8, 20),
        ServiceTargets(None, 20, max_abandon=0.03),
        ServiceTargets(0.7, 20, asa_s=10),
        ServiceTargets(None, 20, max_occupancy=0.8),
    ],
)
def test_erlang_a_batch_equals_linear_scan(targets: ServiceTargets) -> None:
    """With abandonment too, the vectorised search returns exactly the scan's minimum, overload allowed."""
    rng = np.random.default_rng(11)
    calls = rng.uniform(1, 400, size=25)
    aht = rng.uniform(60, 400, size=25)
    patience = rng.uniform(10, 900, size=25)
    got = minimum_agents(calls=calls, interval_s=1800, aht_s=aht, targets=targets, patience_s=patience)
    expected = [scan(c * h / 1800, h, targets, p) for c, h, p in zip(calls, aht, patience, strict=True)]
    assert got.tolist() == expected


def test_erlang_a_needs_fewer_agents_when_callers_hang_up() -> None:
    """Patience 300 s: the 80/20 example needs 13 agents, since abandoning callers stop loading the queue."""
    targets = ServiceTargets(0.8, 20)
    assert int(minimum_agents(calls=100, interval_s=1800, aht_s=180, targets=targets, patience_s=300)) == 13


def test_big_centres_and_empty_intervals() -> None:
    """9,000 Erlangs staff just above the load in one call; an interval without calls needs nobody."""
    agents = minimum_agents(calls=[0, 90000], interval_s=1800, aht_s=180, targets=ServiceTargets(0.8, 20))
    assert agents[0] == 0
    assert 9000 < agents[1] < 9100
    check = erlang_c_load(agents=agents[1] - np.array([0, 1]), load=9000.0, aht_s=180.0, sl_time_s=20.0)
    assert check.service_level[0] >= 0.8 > check.service_level[1]


def test_abandon_target_needs_patience() -> None:
    """An abandon-rate target without a patience is refused: Erlang C callers never hang up."""
    with pytest.raises(InvalidInput, match="max_abandon"):
        minimum_agents(
            calls=100, interval_s=1800, aht_s=180, targets=ServiceTargets(0.8, 20, max_abandon=0.05)
        )


def test_targets_are_checked() -> None:
    """A service-level target of 1.2 is refused naming the field."""
    with pytest.raises(InvalidInput, match="service_level"):
        ServiceTargets(1.2, 20)


def test_shrinkage_rounds_up_but_not_on_float_noise() -> None:
    """14 / 0.7 is 20 scheduled (not 21 from rounding noise); 15 / 0.7 is 22; shrinkage 1 is refused."""
    assert scheduled_agents(np.array([14, 15, 0]), 0.3).tolist() == [20, 22, 0]
    with pytest.raises(InvalidInput, match="shrinkage"):
        scheduled_agents(3, 1.0)


def test_recovery_lengthens_the_handle_time() -> None:
    """A fifth of calls followed by 90 s of recovery adds 18 s to a 180 s handle time."""
    assert float(effective_aht(180, distressing_share=0.2, recovery_s=90)) == pytest.approx(198)
    with pytest.raises(InvalidInput, match="distressing_share"):
        effective_aht(180, distressing_share=1.5, recovery_s=90)


def test_occupancy_bound_exactly_on_an_integer() -> None:
    """21 Erlangs at most 70 % busy need 30 agents, though 21 / 0.7 is 30.000000000000004 in floats."""
    targets = ServiceTargets(None, 20, max_occupancy=0.7)
    assert int(minimum_agents(calls=210, interval_s=1800, aht_s=180, targets=targets)) == 30


def test_targets_and_recovery_rules_live_in_the_domain() -> None:
    """At least one target; a distressing share and a recovery time come together (both or neither)."""
    with pytest.raises(InvalidInput, match="at least one target") as caught:
        ServiceTargets(None, 20)
    assert caught.value.field == "service_level"
    for share, recovery in ((0.2, 0.0), (0.0, 90.0)):
        with pytest.raises(InvalidInput, match="give both") as caught:
            effective_aht(180, distressing_share=share, recovery_s=recovery)
        assert caught.value.field == "recovery_s"
    assert float(effective_aht(180, distressing_share=0.0, recovery_s=0.0)) == 180
