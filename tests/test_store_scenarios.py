"""Scenario runs are stored apart from real calls and replaced when saved again."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.records import Call, Direction, Outcome
from callops.store.records import CallFilter, count_calls, insert_calls
from callops.store.scenarios import delete_scenario, get_scenario, list_scenarios, save_scenario

T0 = dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC)


def _calls(n: int, scenario: str | None, source: str = "sim") -> list[Call]:
    return [Call(source=source, source_call_id=f"{scenario}-{i}", direction=Direction.INBOUND,
                 outcome=Outcome.ANSWERED, queue="q", answered_at=T0 + dt.timedelta(seconds=i), scenario=scenario)
            for i in range(n)]


def test_saved_scenario_is_apart_from_real_calls(engine: sa.Engine) -> None:
    """Scenario calls are counted under the scenario only; saving again replaces the run."""
    with engine.begin() as conn:
        insert_calls(conn, _calls(3, None, source="real"))
        saved = save_scenario(conn, "plus5", definition={"agents": 19}, replications=2, seed=7,
                              summary={"service_level": {"mean": 0.9}}, records=_calls(10, "plus5"), now=T0)
        assert saved.calls == 10 and saved.definition == {"agents": 19}
        assert count_calls(conn, CallFilter()) == 3
        assert count_calls(conn, CallFilter(scenario="plus5")) == 10
        save_scenario(conn, "plus5", definition={"agents": 20}, replications=2, seed=8, summary={},
                      records=_calls(4, "plus5"), now=T0)
        assert get_scenario(conn, "plus5").calls == 4 and [s.name for s in list_scenarios(conn)] == ["plus5"]


def test_saved_scenarios_tell_the_span_of_their_calls(engine: sa.Engine) -> None:
    """Each saved scenario carries its call count and first and last call start; newest first; none without calls."""
    later = T0 + dt.timedelta(days=1)
    with engine.begin() as conn:
        insert_calls(conn, _calls(2, None, source="real"))
        save_scenario(conn, "early", definition={}, replications=1, seed=1, summary={}, records=_calls(5, "early"),
                      now=T0)
        save_scenario(conn, "empty", definition={}, replications=1, seed=1, summary={}, records=[], now=later)
        listed = list_scenarios(conn)
    assert [s.name for s in listed] == ["empty", "early"]
    empty, early = listed
    assert (early.calls, early.first_call_at, early.last_call_at) == (5, T0, T0 + dt.timedelta(seconds=4))
    assert (empty.calls, empty.first_call_at, empty.last_call_at) == (0, None, None)


def test_records_must_belong_to_the_scenario(engine: sa.Engine) -> None:
    """A record tagged for another scenario, or a bad name, is refused; unknown names are not found."""
    with engine.begin() as conn:
        with pytest.raises(InvalidInput):
            save_scenario(conn, "a", definition={}, replications=1, seed=1, summary={}, records=_calls(1, "b"),
                          now=T0)
        with pytest.raises(InvalidInput):
            save_scenario(conn, "bad name", definition={}, replications=1, seed=1, summary={}, records=[], now=T0)
        with pytest.raises(NotFound):
            get_scenario(conn, "nope")


def test_delete_removes_only_that_scenario(engine: sa.Engine) -> None:
    """Deleting a scenario returns what it held and removes its calls; real calls and other scenarios stay;
    an unknown name is not found."""
    with engine.begin() as conn:
        insert_calls(conn, _calls(2, None, source="real"))
        save_scenario(conn, "gone", definition={}, replications=1, seed=1, summary={}, records=_calls(3, "gone"),
                      now=T0)
        save_scenario(conn, "kept", definition={}, replications=1, seed=1, summary={}, records=_calls(4, "kept"),
                      now=T0)
        assert delete_scenario(conn, "gone").calls == 3
        assert [s.name for s in list_scenarios(conn)] == ["kept"]
        assert count_calls(conn, CallFilter(scenario="gone")) == 0
        assert (count_calls(conn, CallFilter()), count_calls(conn, CallFilter(scenario="kept"))) == (2, 4)
        with pytest.raises(NotFound, match="'gone'"):
            delete_scenario(conn, "gone")


def test_the_same_run_saved_twice_keeps_both_in_full(engine: sa.Engine) -> None:
    """One simulated run saved as "a" and as "b" (same agents, same start times) keeps every agent interval of
    both: the records' source names their scenario, so their natural keys never meet."""
    from dataclasses import replace

    from callops.simulation import scenario_to_records, single_queue
    from callops.store.schema import agent_intervals

    base = single_queue(calls=40, interval_s=1800, aht_s=180, agents=6, hours=2, patience_s=200)
    stored: dict[str, int] = {}
    with engine.begin() as conn:
        for name in ("a", "b"):
            calls, intervals = scenario_to_records(replace(base, name=name), 9)
            assert {r.source for r in calls} | {r.source for r in intervals} == {f"sim:{name}"}
            save_scenario(conn, name, definition={}, replications=1, seed=9, summary={},
                          records=[*calls, *intervals], now=T0)
            stored[name] = len(intervals)
        counts: dict[str | None, int] = dict(conn.execute(sa.select(agent_intervals.c.scenario, sa.func.count())
                                   .group_by(agent_intervals.c.scenario)).all())
    assert stored["a"] == stored["b"] > 0 and counts == stored
