"""Real-month replay: fit the Sunday-Thursday days of January 1999 of the Anonymous Bank data (Technion, Guedj &
Mandelbaum), replay them and compare simulated with actual service level, ASA and abandon rate per hour; and the
capacity calibration on synthetic input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from anonymous_bank_month import BUSY_HOURS, load_month, replay
from callops.errors import InvalidInput
from callops.queueing import erlang_a
from callops.records import Outcome
from callops.routing import QueueConfig
from callops.simulation import (
    AgentGroup,
    Distribution,
    QueueBehaviour,
    Scenario,
    calibrate_agents,
    fit_day,
    mean_absolute_errors,
    simulate,
    waited_share_by_hour,
)

REPLICATIONS = 10


@pytest.fixture(scope="module")
def month(shared_data: Path) -> dict[str, Any]:
    return load_month(shared_data / "anonymous-bank-1999" / "calls_1999-01.txt.gz")


def test_calibrated_capacity_predicts_other_days(month: dict[str, np.ndarray]) -> None:
    """Fitted on days 1-15 and replayed with the arrivals of days 16-31, the calibrated capacity is off by less
    than half as much as the distinct-servers count on service level and by at least a third less on ASA and
    abandon rate, and ranks the hours' abandon rates like the real ones; the servers count is optimistic in
    every busy hour."""
    servers = replay(month, "out-of-sample", "servers", replications=REPLICATIONS)
    calibrated = replay(month, "out-of-sample", "calibrated", replications=REPLICATIONS)
    busy = list(BUSY_HOURS)
    assert np.all(servers.simulated.service_level[busy] >= servers.actual.service_level[busy])
    off = mean_absolute_errors(servers.actual, servers.simulated, BUSY_HOURS)
    cal = mean_absolute_errors(calibrated.actual, calibrated.simulated, BUSY_HOURS)
    assert off["service_level"] > 0.3, off
    assert cal["service_level"] < 0.22, cal
    assert cal["service_level"] < 0.5 * off["service_level"], (cal, off)
    assert cal["asa_s"] < 0.65 * off["asa_s"] and cal["p_abandon"] < 0.65 * off["p_abandon"], (cal, off)
    rho = spearmanr(calibrated.actual.p_abandon[busy], calibrated.simulated.p_abandon[busy]).statistic
    assert rho > 0.4, rho


def test_calibrated_capacity_fits_its_own_days(month: dict[str, np.ndarray]) -> None:
    """Fitted and replayed on the same days, the calibrated replay is within 0.12 of the real service level,
    20 s of the real ASA and 0.06 of the real abandon rate per busy hour on average."""
    same = replay(month, "in-sample", "calibrated", replications=REPLICATIONS)
    errors = mean_absolute_errors(same.actual, same.simulated, BUSY_HOURS)
    assert errors["service_level"] < 0.12 and errors["asa_s"] < 20 and errors["p_abandon"] < 0.06, errors


def test_scaled_capacity_follows_a_busier_half(month: dict[str, np.ndarray]) -> None:
    """Days 1-15 were busier than days 16-31 and the bank staffed them up: a head count fitted on 16-31 and
    kept fixed under-staffs 1-15, while the square-root scaled one halves the abandon-rate error."""
    fixed = replay(month, "out-of-sample, reversed", "calibrated", replications=REPLICATIONS)
    scaled = replay(month, "out-of-sample, reversed", "scaled", replications=REPLICATIONS)
    assert sum(scaled.agents[h] for h in BUSY_HOURS) > sum(fixed.agents[h] for h in BUSY_HOURS)
    fixed_errors = mean_absolute_errors(fixed.actual, fixed.simulated, BUSY_HOURS)
    scaled_errors = mean_absolute_errors(scaled.actual, scaled.simulated, BUSY_HOURS)
    assert scaled_errors["service_level"] < 0.8 * fixed_errors["service_level"], (scaled_errors, fixed_errors)
    assert scaled_errors["p_abandon"] < 0.5 * fixed_errors["p_abandon"], (scaled_errors, fixed_errors)


AHT_S, PATIENCE_S = 180.0, 300.0


def test_calibration_recovers_the_agents_behind_erlang_a() -> None:
    """Given the Erlang A P(wait) of known head counts, the calibration returns those counts; a target nearer
    the next count up or down moves to it."""
    agents = np.array([1, 2, 3, 5, 8, 13, 21, 50, 120])
    aht = np.linspace(120.0, 300.0, len(agents))
    calls = np.round((agents - 0.5 * np.sqrt(agents)) * 3600 / aht)  # a load half a square root below the count

    def p_wait(n: np.ndarray) -> np.ndarray:
        return erlang_a(calls=calls, interval_s=3600, aht_s=aht, agents=n, patience_s=PATIENCE_S).p_wait

    exact, fewer, more = p_wait(agents), p_wait(np.maximum(agents - 1, 1)), p_wait(agents + 1)
    assert np.all((exact > 0.05) & (exact < 0.95)), exact
    assert np.array_equal(calibrate_agents(arrivals_per_hour=calls, aht_s=aht, patience_s=PATIENCE_S,
                                           p_wait=exact), agents)
    nearer_more = exact + 0.6 * (more - exact)
    assert np.array_equal(calibrate_agents(arrivals_per_hour=calls, aht_s=aht, patience_s=PATIENCE_S,
                                           p_wait=nearer_more), agents + 1)
    nearer_fewer = exact + 0.6 * (fewer - exact)
    assert np.array_equal(calibrate_agents(arrivals_per_hour=calls, aht_s=aht, patience_s=PATIENCE_S,
                                           p_wait=nearer_fewer)[1:], agents[1:] - 1)


def test_calibration_edges() -> None:
    """No arrivals gives one agent, a target below reach gives the cap, and bad input is refused."""
    got = calibrate_agents(arrivals_per_hour=[0.0, 100.0], aht_s=AHT_S, patience_s=PATIENCE_S, p_wait=[0.5, 0.0],
                           max_agents=40)
    assert got.tolist() == [1, 40]
    for bad in ({"p_wait": 1.5}, {"aht_s": 0.0}, {"patience_s": -1.0}, {"max_agents": 0}):
        kwargs = {"arrivals_per_hour": 10.0, "aht_s": AHT_S, "patience_s": PATIENCE_S, "p_wait": 0.5} | bad
        with pytest.raises(InvalidInput):
            calibrate_agents(**kwargs)


def test_waited_share_keeps_away_from_none_and_all() -> None:
    """The share of calls that waited per hour counts half a call when none or all of them waited."""
    hour = np.array([9] * 4 + [10] * 4 + [11] * 4)
    wait_s = np.array([0, 0, 0, 0, 5, 9, 1, 30, 0, 3, 0, 8], dtype=float)
    share = waited_share_by_hour(hour=hour, wait_s=wait_s)
    assert share[[9, 10, 11]].tolist() == [0.125, 0.875, 0.5]
    assert share[0] == 0.0


def simulated_days(counts: tuple[int, ...], arrivals: tuple[float, ...], days: int) -> dict[str, Any]:
    """Call arrays of ``days`` simulated days of one M/M/N+M queue with these agents and arrivals per hour."""
    queue = QueueBehaviour(config=QueueConfig("q", "q"), arrivals_per_interval=arrivals,
                           handle=Distribution("exponential", AHT_S),
                           patience=Distribution("exponential", PATIENCE_S))
    scenario = Scenario(name="known", interval_s=3600.0, intervals=24, queues=(queue,),
                        groups=(AgentGroup("a", {"q": 1}, counts),))
    rows = []
    for d, seed in enumerate(np.random.SeedSequence(5).spawn(days)):
        for call in simulate(scenario, seed, record=True).calls:
            if call.outcome not in (Outcome.ANSWERED, Outcome.ABANDONED):
                continue
            assert call.queue_entered_at is not None and call.ended_at is not None
            left = call.answered_at if call.answered_at is not None else call.ended_at
            rows.append((d, call.queue_entered_at.hour, call.answered_at is not None,
                         (left - call.queue_entered_at).total_seconds(), call.talk_s, call.agent or ""))
    day, hour, answered, wait_s, service_s, server = (np.array(c) for c in zip(*rows, strict=True))
    return {"day": day, "hour": hour, "answered": answered, "wait_s": wait_s, "service_s": service_s,
            "server": server}


def test_fit_recovers_the_staffing_of_simulated_days() -> None:
    """Calls simulated with known agents per hour: the calibrated fit gets each busy hour's count within one,
    the servers count sees every agent, and the scaled fit adds agents for doubled arrivals."""
    counts = (1,) * 8 + (3, 5, 8, 8, 6, 4) + (1,) * 10
    arrivals = (0.0,) * 8 + (40.0, 80.0, 140.0, 140.0, 100.0, 60.0) + (0.0,) * 10
    calls = simulated_days(counts, arrivals, days=15)
    fitted = fit_day(**calls)
    busy = range(8, 14)
    assert all(abs(fitted.groups[0].counts[h] - counts[h]) <= 1 for h in busy), fitted.groups[0].counts
    assert fitted.queues[0].patience is not None
    assert 0.7 * PATIENCE_S < fitted.queues[0].patience.mean_s < 1.3 * PATIENCE_S
    servers = fit_day(**calls, capacity="servers")
    assert all(servers.groups[0].counts[h] == counts[h] for h in busy), servers.groups[0].counts
    assert fit_day(**calls, capacity="scaled").groups[0].counts == fitted.groups[0].counts
    doubled = fit_day(**calls, capacity="scaled", arrivals_per_hour=2 * np.array(arrivals))
    assert all(doubled.groups[0].counts[h] > fitted.groups[0].counts[h] for h in busy), doubled.groups[0].counts


def test_each_hour_is_a_queue_with_its_own_service_times() -> None:
    """The fitted day has one queue per hour with arrivals, holding that hour's served calls' service times."""
    day = np.array([1, 1, 1, 2])
    hour = np.array([9, 9, 10, 10])
    scenario = fit_day(day=day, hour=hour, answered=np.array([True, True, True, False]),
                       wait_s=np.array([0.0, 10.0, 0.0, 40.0]), service_s=np.array([60.0, 100.0, 300.0, 0.0]),
                       server=np.array(["A", "B", "A", ""]))
    by_name = {q.config.name: q for q in scenario.queues}
    assert sorted(by_name) == ["bank-09", "bank-10"]
    assert by_name["bank-09"].handle.values_s == (60.0, 100.0)
    assert by_name["bank-10"].handle.values_s == (300.0,)
    assert by_name["bank-10"].arrivals_per_interval[10] == 1.0 and sum(by_name["bank-10"].arrivals_per_interval) == 1
    assert by_name["bank-09"].patience is not None and by_name["bank-09"].patience.mean_s == 50.0


@pytest.mark.parametrize("bad", [{"hour": np.array([-1])}, {"hour": np.array([24])}, {"capacity": "busy"},
                                 {"arrivals_per_hour": np.ones(23)}])
def test_fit_refuses_bad_input(bad: dict[str, Any]) -> None:
    """Hours outside 0-23, an unknown capacity and arrivals that are not 24 values are refused."""
    calls: dict[str, Any] = {"day": np.array([1]), "hour": np.array([9]), "answered": np.array([True]),
                                "wait_s": np.array([0.0]), "service_s": np.array([60.0]), "server": np.array(["A"])}
    with pytest.raises(InvalidInput):
        fit_day(**(calls | bad))


def test_calibration_needs_some_waiting() -> None:
    """Without a single wait there is no patience to fit: the calibrated fit refuses and names the way out."""
    calls: dict[str, Any] = {"day": np.array([1, 1]), "hour": np.array([9, 9]), "answered": np.array([True, True]),
             "wait_s": np.zeros(2), "service_s": np.array([60.0, 90.0]), "server": np.array(["A", "B"])}
    with pytest.raises(InvalidInput, match="capacity='servers'"):
        fit_day(**calls)
    assert fit_day(**calls, capacity="servers").groups[0].counts[9] == 2
