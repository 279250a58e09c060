"""The gap to the caller's next contact kept with each call (``calls.next_contact_gap_ms``): equal, after every write,
to the gap found afresh over all stored calls, however the calls arrive (out of order, in both write paths,
repeated, across scenarios, ties in start, around the 90-day horizon); filled by migration 0031; and FCR read
from it equal to FCR by the window function, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

from callops.cli import cli
from callops.metrics import Grain, KpiOptions, KpiRequest
from callops.records import Call, Direction, Outcome
from callops.store.contact_gaps import GAP_HORIZON_MS
from callops.store.engine import _alembic_config, upgrade
from callops.store.kpi_query import kpi_report
from callops.store.record_batches import drop_stored, insert_prepared, prepare_calls, row_of_call
from callops.store.records import insert_calls
from callops.store.scenarios import save_scenario

T0 = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
CALLERS = [*(f"1380000{n:04d}" for n in range(8)), "+44 20 7946 0000", None]


def _calls(seed: int, n: int, *, scenario: str | None = None, source: str = "gaps") -> list[Call]:
    """``n`` calls of a few callers over ~200 days (gaps under and over the horizon), every ninth one the same
    caller as the call before at the same instant (a tie, ordered by id), both directions, some without a caller
    number."""
    rnd = random.Random(seed)
    out: list[Call] = []
    at, caller, direction = T0, CALLERS[0], Direction.INBOUND
    for i in range(n):
        if i % 9 != 1:
            at = T0 + dt.timedelta(minutes=rnd.choice([0, 0, 5, 60 * 24, 60 * 24 * 95]) + rnd.randrange(0, 300_000))
            caller = rnd.choice(CALLERS)
            direction = rnd.choice([Direction.INBOUND, Direction.INBOUND, Direction.OUTBOUND])
        answered = rnd.random() < 0.7
        out.append(Call(source=source, source_call_id=f"{seed}-{i}", scenario=scenario, direction=direction,
                        outcome=Outcome.ANSWERED if answered else Outcome.ABANDONED, queue=rnd.choice(["a", "b"]),
                        caller_number=caller, queue_entered_at=at,
                        answered_at=at + dt.timedelta(seconds=rnd.randrange(1, 90)) if answered else None,
                        ended_at=at + dt.timedelta(minutes=4), agent=rnd.choice(["A1", "A2"]) if answered else None,
                        talk_s=200.0 if answered else 0.0))
    return out


def _kept_and_fresh(engine: sa.Engine) -> tuple[dict[int, int | None], dict[int, int | None]]:
    """Each call's kept gap, and its gap found here from all stored calls (the definition, in Python)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, scenario, caller_number, direction, started_at, next_contact_gap_ms "
                                    "FROM calls")).all()
    kept = {r.id: r.next_contact_gap_ms for r in rows}
    parts: dict[tuple[object, ...], list[tuple[int, int]]] = defaultdict(list)
    fresh: dict[int, int | None] = {r.id: None for r in rows}
    for r in rows:
        if r.caller_number is not None:
            parts[(r.scenario, r.caller_number, r.direction)].append((int(r.started_at), r.id))
    for calls in parts.values():
        calls.sort()
        for (start, call_id), (following, _) in zip(calls, calls[1:], strict=False):
            fresh[call_id] = following - start if following - start <= GAP_HORIZON_MS else None
    return kept, fresh


def test_kept_gaps_follow_every_write(engine: sa.Engine) -> None:
    """Batches arriving out of time order through both write paths, a repeated batch and a scenario: after each
    write every kept gap equals the gap found afresh, and some are past the horizon (NULL) or zero (ties)."""
    batches = [_calls(seed, 60) for seed in range(5)]
    batches.insert(2, batches[0][:20])  # a repeat: nothing new, nothing changed
    for number, batch in enumerate(batches):
        with engine.begin() as conn:
            if number % 2:
                insert_calls(conn, batch)
            else:
                prepared = prepare_calls([row_of_call(c) for c in batch])
                drop_stored(conn, prepared)
                insert_prepared(conn, prepared, import_id=number + 1)
        kept, fresh = _kept_and_fresh(engine)
        assert kept == fresh, f"after batch {number}"
    with engine.begin() as conn:
        save_scenario(conn, "what-if", definition={"kind": "test"}, replications=1, seed=9, summary={},
                      records=_calls(9, 40, scenario="what-if", source="sim"), now=T0)
    kept, fresh = _kept_and_fresh(engine)
    assert kept == fresh
    values = [v for v in fresh.values() if v is not None]
    assert 0 in values and len(values) < len(fresh)  # ties, and calls with no next contact within 90 days


def test_fcr_from_kept_gaps_equals_the_window(engine: sa.Engine) -> None:
    """FCR (several windows, by queue and day) from the kept gaps (the pre-aggregate read model) equals the window
    function's (the calls read model); a window past the horizon and a team lead's scope take the window too."""
    with engine.begin() as conn:
        insert_calls(conn, _calls(11, 300))
    seen: set[float | None] = set()
    for days in (1, 7, 30, 90, 120):
        request = KpiRequest(start=dt.date(2026, 3, 1), end=dt.date(2026, 9, 30), grain=Grain.MONTH, tz="Asia/Shanghai",
                             dims=("queue",), kpis=("fcr", "fcr_base"), options=KpiOptions(fcr_days=days))
        fast = kpi_report(engine, request)
        assert fast == kpi_report(engine, request, read_model="calls")
        seen.update(r.kpis["fcr"] for r in fast)
    assert len(seen - {None, 0.0, 1.0}) > 5
    scoped = KpiRequest(start=dt.date(2026, 3, 1), end=dt.date(2026, 9, 30), grain=Grain.TOTAL, tz="UTC",
                        kpis=("fcr",), agents=frozenset({"A1"}))
    assert kpi_report(engine, scoped) == kpi_report(engine, scoped, read_model="calls")


def test_migration_0031_fills_the_gaps(engine: sa.Engine) -> None:
    """Calls stored before 0031 get their gaps when it runs; below it the column is gone."""
    with engine.begin() as conn:
        insert_calls(conn, _calls(21, 120))
    config = _alembic_config(engine)
    try:
        command.downgrade(config, "0030")
        assert "next_contact_gap_ms" not in {c["name"] for c in sa.inspect(engine).get_columns("calls")}
    finally:
        upgrade(engine)
    kept, fresh = _kept_and_fresh(engine)
    assert kept == fresh and any(v is not None for v in kept.values())


def test_cli_rebuild_mends_gaps_changed_outside(engine: sa.Engine, db_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls changed behind callops's back (gaps wiped, one set on a call without a caller):
    `callops db rebuild-aggregates` puts every gap back and says how many it changed."""
    with engine.begin() as conn:
        insert_calls(conn, _calls(31, 150))
    kept, _ = _kept_and_fresh(engine)
    with engine.begin() as conn:
        wiped = conn.execute(sa.text("UPDATE calls SET next_contact_gap_ms = NULL "
                                     "WHERE next_contact_gap_ms IS NOT NULL")).rowcount
        conn.execute(sa.text("UPDATE calls SET next_contact_gap_ms = 5 WHERE caller_number IS NULL"))
        stray = conn.execute(sa.text("SELECT count(*) FROM calls WHERE caller_number IS NULL")).scalar_one()
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["db", "rebuild-aggregates"], catch_exceptions=False)
    assert result.exit_code == 0 and wiped > 0 and stray > 0
    assert f"calls.next_contact_gap_ms: {wiped + stray:,} changed" in result.output
    assert _kept_and_fresh(engine)[0] == kept
