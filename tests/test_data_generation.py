"""The data generation per UTC day (callops.store.data_generation) on SQLite and PostgreSQL: every writer of calls
and agent states marks exactly the days it touched, so the generation of a span changes with a write inside it and
with a write of every day, and never with a write elsewhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from callops.ingest import import_files
from callops.metrics.zones import DAY_MS
from callops.records import AgentInterval, AgentState, Call, Direction, Outcome
from callops.store.data_generation import MAX_DAYS, data_generation, days_of, raise_generation, span_generation
from callops.store.kpi_aggregates import rebuild
from callops.store.records import FORM_ACW_SOURCE, insert_calls, insert_intervals
from callops.store.scenarios import delete_scenario, save_scenario

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC
MARCH_2 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _day(at: dt.datetime) -> tuple[int, int]:
    """The span of ``at``'s UTC day."""
    lo = int(at.timestamp() * 1000) // DAY_MS * DAY_MS
    return lo, lo + DAY_MS


def _span(engine: sa.Engine, span: tuple[int, int]) -> tuple[int, int]:
    with engine.connect() as conn:
        found = span_generation(conn, *span)
    assert found is not None
    return found


def _call(at: dt.datetime, n: int = 0, *, scenario: str | None = None) -> Call:
    return Call(source="t", source_call_id=f"c{n}-{at.isoformat()}", direction=Direction.INBOUND,
                outcome=Outcome.ANSWERED, queue="q", queue_entered_at=at, answered_at=at + dt.timedelta(seconds=3),
                ended_at=at + dt.timedelta(minutes=2), agent="a1", talk_s=117.0, scenario=scenario)


def test_days_of_covers_the_days_a_range_overlaps() -> None:
    assert list(days_of(0, DAY_MS)) == [0]
    assert list(days_of(DAY_MS - 1, DAY_MS + 1)) == [0, 1]
    assert list(days_of(5 * DAY_MS, 5 * DAY_MS)) == [5]  # an instant
    assert list(days_of(DAY_MS, 3 * DAY_MS)) == [1, 2]


def test_a_write_changes_the_spans_it_touched_and_no_other(engine: sa.Engine) -> None:
    inside, before, after = (10 * DAY_MS, 11 * DAY_MS), (0, 5 * DAY_MS), (12 * DAY_MS, 20 * DAY_MS)
    first = {s: _span(engine, s) for s in (inside, before, after)}
    with engine.begin() as conn:
        raise_generation(conn, [10])
    assert _span(engine, inside) > first[inside]
    assert _span(engine, before) == first[before] and _span(engine, after) == first[after]
    assert _span(engine, (0, 30 * DAY_MS)) > first[before]  # a span holding day 10 among others
    marked = _span(engine, inside)
    with engine.begin() as conn:
        raise_generation(conn)  # every day
    assert all(_span(engine, s) > marked for s in (inside, before, after))
    with engine.connect() as conn:
        assert _span(engine, before)[0] == data_generation(conn)  # the whole generation is the raised one
    everything = _span(engine, before)
    with engine.begin() as conn:
        raise_generation(conn, range(100, 100 + MAX_DAYS + 1))  # too many days: counts as every day
    assert _span(engine, before) > everything


def test_each_writer_marks_the_days_it_touched(engine: sa.Engine) -> None:
    elsewhere = _day(MARCH_2 - dt.timedelta(days=20))
    untouched = _span(engine, elsewhere)

    def changes(span: tuple[int, int], write: object) -> bool:
        before = _span(engine, span)
        with engine.begin() as conn:
            write(conn)  # type: ignore[operator]  # each case's write
        return _span(engine, span) > before

    day = _day(MARCH_2)
    assert changes(day, lambda conn: insert_calls(conn, [_call(MARCH_2)]))  # refresh of the touched buckets
    at = MARCH_2 + dt.timedelta(days=1)
    assert changes(_day(at), lambda conn: insert_intervals(conn, [
        AgentInterval("t", "a1", AgentState.ON_CALL, at, at + dt.timedelta(hours=1))]))
    # the desk's after-call work, then the phone system's interval over the same seconds: the first is deleted
    acw = MARCH_2 + dt.timedelta(days=2)
    with engine.begin() as conn:
        insert_intervals(conn, [AgentInterval(FORM_ACW_SOURCE, "a2", AgentState.AFTER_CALL_WORK, acw,
                                              acw + dt.timedelta(minutes=2))])
    assert changes(_day(acw), lambda conn: insert_intervals(conn, [
        AgentInterval("pbx", "a2", AgentState.AFTER_CALL_WORK, acw, acw + dt.timedelta(minutes=3))]))
    with engine.connect() as conn:
        kinds = conn.execute(sa.text("SELECT source FROM agent_intervals WHERE agent = 'a2'")).scalars().all()
    assert kinds == ["pbx"]
    assert _span(engine, elsewhere) == untouched

    bank = _day(dt.datetime(1999, 1, 5, 12, tzinfo=UTC))  # the columnar import path (increments): 5 Jan 1999
    before = _span(engine, bank)
    import_files(engine, [FIXTURES / "anonymous_bank" / "calls.txt"], fmt="anonymous-bank", tz="UTC")
    assert _span(engine, bank) > before and _span(engine, elsewhere) == untouched

    with engine.begin() as conn:
        save_scenario(conn, "storm", definition={}, replications=1, seed=1, summary={},
                      records=[_call(MARCH_2, n, scenario="storm") for n in range(3)], now=MARCH_2)
    assert _span(engine, elsewhere) == untouched  # a scenario's calls mark their own days
    before = _span(engine, day)
    assert not changes(elsewhere, lambda conn: delete_scenario(conn, "storm"))  # and so does their deletion
    assert _span(engine, day) > before
    assert changes(elsewhere, rebuild)  # every day
