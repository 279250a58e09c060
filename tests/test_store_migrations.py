"""The migrations build exactly the schema of ``callops.store.schema``, on SQLite and PostgreSQL; 0006 indexes
agent intervals by scenario and start (as 0001 did calls) and 0007 adds the login failures table, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from callops.store import current_revision
from callops.store.engine import _alembic_config, upgrade
from callops.store.schema import is_fulltext_object, metadata

SCENARIO_INDEX = "ix_agent_intervals_scenario_start_at"


def _indexes(engine: sa.Engine, table: str) -> dict[str, list[str | None]]:
    return {ix["name"] or "": list(ix["column_names"]) for ix in sa.inspect(engine).get_indexes(table)}


def _head(engine: sa.Engine) -> str | None:
    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def test_schema_matches_the_migrations(engine: sa.Engine) -> None:
    """A database upgraded to head is at the newest revision, and autogenerate finds nothing left to migrate
    (the scripts' full-text index, which differs per database, apart: test_desk_fulltext checks it)."""
    head = _head(engine)
    assert head is not None and current_revision(engine) == head
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _not_fulltext})
        assert compare_metadata(context, metadata) == []


def _not_fulltext(name: str | None, type_: str, parent_names: object) -> bool:
    return not is_fulltext_object(name)


def test_agent_intervals_are_indexed_by_scenario_like_calls(engine: sa.Engine) -> None:
    """Head has an index on agent_intervals (scenario, start_at) beside the one on calls (scenario, started_at)."""
    assert _indexes(engine, "agent_intervals")[SCENARIO_INDEX] == ["scenario", "start_at"]
    assert _indexes(engine, "calls")["ix_calls_scenario_started_at"] == ["scenario", "started_at"]


def test_0006_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Down to 0005 drops only the scenario index of agent intervals; upgrading to head brings it back."""
    before = _indexes(engine, "agent_intervals")
    try:
        command.downgrade(_alembic_config(engine), "0005")
        assert current_revision(engine) == "0005"
        down = _indexes(engine, "agent_intervals")
        assert SCENARIO_INDEX not in down and {**down, SCENARIO_INDEX: before[SCENARIO_INDEX]} == before
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine) and _indexes(engine, "agent_intervals") == before


def _below(revision: str, engine: sa.Engine) -> str:
    down = ScriptDirectory.from_config(_alembic_config(engine)).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


def test_0007_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Down to 0006 drops only the login failures table with its indexes; upgrading to head brings them back."""
    before = _indexes(engine, "login_failures")
    assert before["ix_login_failures_scope_key_failed_at"] == ["scope", "key", "failed_at"]
    try:
        command.downgrade(_alembic_config(engine), "0007")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), "0006")
        assert current_revision(engine) == "0006"
        assert set(sa.inspect(engine).get_table_names()) == tables - {"login_failures"}
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine) and _indexes(engine, "login_failures") == before


def test_0011_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0011 only the live event log and the feed positions are gone; upgrading to head brings them back."""
    before = _indexes(engine, "live_events")
    assert before["ix_live_events_agent_at"] == ["agent", "at"]
    try:
        command.downgrade(_alembic_config(engine), "0011")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), _below("0011", engine))
        assert set(sa.inspect(engine).get_table_names()) == tables - {"live_events", "live_feeds"}
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine) and _indexes(engine, "live_events") == before


def test_0016_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0016 the sites and the audit log are gone and queues lose their targets and site; upgrading to head
    brings them back, the audit log refusing changes again."""
    columns = {c["name"] for c in sa.inspect(engine).get_columns("queues")}
    assert {"sl_target_pct", "abandon_target_pct", "site"} <= columns
    try:
        command.downgrade(_alembic_config(engine), "0016")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), _below("0016", engine))
        assert set(sa.inspect(engine).get_table_names()) == tables - {"sites", "audit_log"}
        down = {c["name"] for c in sa.inspect(engine).get_columns("queues")}
        assert down == columns - {"sl_target_pct", "abandon_target_pct", "site"}
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine)
    assert {c["name"] for c in sa.inspect(engine).get_columns("queues")} == columns
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_log (at, actor, entity, entity_key, action) "
                             "VALUES (0, 'x', 'site', 'a', 'site.saved')"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log"))


def test_0019_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0019 only the import jobs table is gone; upgrading to head brings it back with its index."""
    assert _indexes(engine, "import_jobs")["ix_import_jobs_created_at"] == ["created_at"]
    try:
        command.downgrade(_alembic_config(engine), "0019")
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), _below("0019", engine))
        assert set(sa.inspect(engine).get_table_names()) == tables - {"import_jobs"}
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine) and "import_jobs" in sa.inspect(engine).get_table_names()


def test_0020_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0020 only the roster inputs, rule sets, jobs and requests are gone; upgrading to head brings them
    back with the requests' indexes."""
    before = _indexes(engine, "roster_requests")
    assert before["ix_roster_requests_roster_id_status"] == ["roster_id", "status"]
    try:
        command.downgrade(_alembic_config(engine), "0020")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), _below("0020", engine))
        assert set(sa.inspect(engine).get_table_names()) == tables - {
            "roster_inputs", "roster_rule_sets", "roster_jobs", "roster_requests"}
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine) and _indexes(engine, "roster_requests") == before


def test_0018_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0018 only the saved reports table is gone; upgrading to head brings it back with its unique key."""
    try:
        command.downgrade(_alembic_config(engine), "0018")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        assert "saved_reports" in tables
        command.downgrade(_alembic_config(engine), _below("0018", engine))
        assert set(sa.inspect(engine).get_table_names()) == tables - {"saved_reports"}
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine)
    uniques = sa.inspect(engine).get_unique_constraints("saved_reports")
    assert [u["column_names"] for u in uniques] == [["owner", "name"]]


def test_0015_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0015 the service desk's tables and the calls-by-caller index are gone; upgrading brings them back."""
    desk = {"customers", "customer_phones", "tickets", "ticket_events", "callbacks"}
    before = _indexes(engine, "tickets")
    assert before["ix_tickets_state_category_opened_at"] == ["state", "category", "opened_at"]
    assert _indexes(engine, "calls")["ix_calls_caller_number_started_at"] == ["caller_number", "started_at"]
    try:
        command.downgrade(_alembic_config(engine), "0015")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), _below("0015", engine))
        assert set(sa.inspect(engine).get_table_names()) == tables - desk
        assert "ix_calls_caller_number_started_at" not in _indexes(engine, "calls")
        assert "ix_live_events_call_id_at" not in _indexes(engine, "live_events")
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine) and _indexes(engine, "tickets") == before


def test_0017_downgrades_and_upgrades_and_fills_the_aggregates(engine: sa.Engine) -> None:
    """Below 0017 the KPI pre-aggregate tables are gone; upgrading brings them back filled from the stored calls."""
    from callops.metrics import Grain, KpiRequest
    from callops.records import Call, Direction, Outcome
    from callops.store.kpi_query import kpi_report
    from callops.store.records import insert_calls

    at = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)
    with engine.begin() as conn:
        insert_calls(conn, [Call(source="m", source_call_id=str(i), direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue="q", queue_entered_at=at,
                                 answered_at=at + dt.timedelta(seconds=i), ended_at=at + dt.timedelta(minutes=5))
                            for i in range(30)])
    aggregates = {"kpi_buckets", "kpi_buckets_queue", "kpi_wait_bins", "kpi_wait_bins_queue"}
    try:
        command.downgrade(_alembic_config(engine), "0017")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), _below("0017", engine))
        assert set(sa.inspect(engine).get_table_names()) == tables - aggregates
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sum(answered) FROM kpi_buckets_queue")).scalar_one() == 30
    request = KpiRequest(start=at.date(), end=at.date(), grain=Grain.DAY, tz="UTC")
    assert kpi_report(engine, request) == kpi_report(engine, request, read_model="calls")


def test_0026_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0026 the preview cards have no ``reoffered_because`` and keep their other columns and index; upgrading
    to head brings the column back, empty."""
    def columns() -> set[str]:
        return {c["name"] for c in sa.inspect(engine).get_columns("dial_previews")}

    before = columns()
    assert "reoffered_because" in before
    try:
        command.downgrade(_alembic_config(engine), "0026")  # later migrations are not this test's
        command.downgrade(_alembic_config(engine), _below("0026", engine))
        assert columns() == before - {"reoffered_because"}
        assert _indexes(engine, "dial_previews")["ix_dial_previews_agent_decision"] == ["agent", "decision"]
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine) and columns() == before


def test_0028_downgrades_and_upgrades_and_fills_the_hour_level(engine: sa.Engine) -> None:
    """Below 0028 only the hour level's two tables are gone; upgrading brings them back filled (from the
    15-minute queue level), and a day report (UTC: whole hours) reads them and gives what the calls table gives."""
    from callops.metrics import Grain, KpiRequest
    from callops.records import Call, Direction, Outcome
    from callops.store.kpi_query import kpi_report
    from callops.store.records import insert_calls

    at = dt.datetime(2026, 5, 4, 8, 50, tzinfo=dt.UTC)
    with engine.begin() as conn:
        insert_calls(conn, [Call(source="m", source_call_id=str(i), direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue="q", queue_entered_at=at + dt.timedelta(minutes=i),
                                 answered_at=at + dt.timedelta(minutes=i, seconds=i),
                                 ended_at=at + dt.timedelta(minutes=i + 5)) for i in range(30)])
    hour_level = {"kpi_buckets_queue_hour", "kpi_wait_bins_queue_hour"}
    day_level = {"kpi_buckets_day", "kpi_wait_bins_day"}  # 0030, above it
    try:
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), "0027")
        assert set(sa.inspect(engine).get_table_names()) == tables - hour_level - day_level - {"data_generation_days"}
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine)
    with engine.connect() as conn:
        per_hour = conn.execute(sa.text("SELECT bucket_at, answered FROM kpi_buckets_queue_hour ORDER BY 1")).all()
    hour_ms = 3_600_000
    first = int(at.timestamp() * 1000) // hour_ms * hour_ms
    assert [tuple(r) for r in per_hour] == [(first, 10), (first + hour_ms, 20)]  # 08:50-08:59, 09:00-09:19
    request = KpiRequest(start=at.date(), end=at.date(), grain=Grain.DAY, tz="UTC")
    assert kpi_report(engine, request) == kpi_report(engine, request, read_model="calls")


def test_0029_downgrades_and_upgrades_the_days_generation(engine: sa.Engine) -> None:
    """Below 0029 the day table and the whole column are gone; upgrading brings them back with the whole
    generation at the current one (every report kept before reads afresh)."""
    from callops.store.data_generation import data_generation, raise_generation, span_generation

    with engine.begin() as conn:
        raise_generation(conn, [20_000])
    try:
        command.downgrade(_alembic_config(engine), "0028")
        assert "data_generation_days" not in sa.inspect(engine).get_table_names()
        assert "whole" not in {c["name"] for c in sa.inspect(engine).get_columns("data_generation")}
    finally:
        upgrade(engine)
    with engine.connect() as conn:
        now = data_generation(conn)
        assert now is not None and span_generation(conn, 0, 86_400_000) == (now, 0)


def test_0030_downgrades_and_upgrades_and_fills_the_day_level(engine: sa.Engine) -> None:
    """Below 0030 only the day level's two tables are gone; upgrading brings them back filled (from the
    15-minute queue level, by call type too), and a month in Shanghai (whole UTC days from the day level, the
    8 hours before its first UTC midnight from the hour level) gives what the calls table gives."""
    from callops.metrics import Grain, KpiRequest
    from callops.records import Call, Direction, Outcome
    from callops.store.kpi_query import kpi_report
    from callops.store.records import insert_calls

    at = dt.datetime(2026, 4, 30, 20, 0, tzinfo=dt.UTC)  # May 1, 04:00 in Shanghai
    with engine.begin() as conn:
        insert_calls(conn, [Call(source="m", source_call_id=str(i), direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue="q", call_type=("sale", "care")[i % 2],
                                 queue_entered_at=at + dt.timedelta(hours=3 * i),
                                 answered_at=at + dt.timedelta(hours=3 * i, seconds=i),
                                 ended_at=at + dt.timedelta(hours=3 * i, minutes=5)) for i in range(40)])
    day_level = {"kpi_buckets_day", "kpi_wait_bins_day"}
    try:
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), "0029")
        assert set(sa.inspect(engine).get_table_names()) == tables - day_level
    finally:
        upgrade(engine)
    assert current_revision(engine) == _head(engine)
    with engine.connect() as conn:
        per_day = conn.execute(sa.text("SELECT bucket_at, call_type, answered FROM kpi_buckets_day "
                                       "WHERE call_type = 'sale' ORDER BY 1")).all()
    day_ms = 86_400_000
    first = int(at.timestamp() * 1000) // day_ms * day_ms
    # calls every 3 hours from 20:00 UTC, sales every 6: 20:00 on Apr 30, then 02:00, 08:00, 14:00, 20:00 a day
    assert [tuple(r) for r in per_day][:3] == [(first, "sale", 1), (first + day_ms, "sale", 4),
                                              (first + 2 * day_ms, "sale", 4)]
    for dims in (("queue",), ("call_type",)):
        request = KpiRequest(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31), grain=Grain.MONTH,
                             tz="Asia/Shanghai", dims=dims)
        fast = kpi_report(engine, request)
        assert fast == kpi_report(engine, request, read_model="calls")
        assert sum(r.kpis["answered"] or 0 for r in fast) == 40
