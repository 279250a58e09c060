"""Reporting a saved simulation scenario: its own calls and agent intervals, never mixed with real data, through
the KPI queries (database and DuckDB over Parquet), ``callops report --scenario``, ``callops scenarios list``,
the report pages and the API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.errors import NotFound
from callops.metrics import Grain, KpiRequest
from callops.records import AgentInterval, AgentState, Call, Direction, Outcome, Role
from callops.simulation import Scenario, scenario_to_records, single_queue
from callops.store.kpi_query import ParquetSource, Source, agent_report, kpi_report
from callops.store.parquet_export import export_parquet
from callops.store.records import insert_calls
from callops.store.scenarios import save_scenario
from callops.web import create_app
from kpi_hand_day import inbound
from web_sign_in import insert_users, login

NAME = "small-run"
SEED = 3
REAL_AT = dt.datetime(2026, 1, 5, 0, 30, tzinfo=dt.UTC)  # inside the simulated run's first hour
HANDLING = {AgentState.ON_CALL, AgentState.HOLD, AgentState.AFTER_CALL_WORK, AgentState.OUTBOUND}


def small_scenario() -> Scenario:
    """The single queue of ``callops simulate --calls 40 --interval 30m --aht 240 --agents 5 --hours 2
    --patience 120``, named NAME."""
    made = single_queue(calls=40, interval_s=1800, aht_s=240, agents=5, hours=2, patience_s=120)
    return dataclasses.replace(made, name=NAME)


def expected(calls: list[Call], intervals: list[AgentInterval]) -> dict[str, float]:
    """Offered, answered and abandoned counted from the records, and occupancy from the intervals."""
    inbound_calls = [c for c in calls if c.direction is Direction.INBOUND]
    seconds = {s: sum((i.end_at - i.start_at).total_seconds() for i in intervals if i.state is s) for s in AgentState}
    handling = sum(seconds[s] for s in HANDLING)
    return {"offered": sum(c.outcome.offered for c in inbound_calls),
            "answered": sum(c.outcome.answered for c in inbound_calls),
            "abandoned": sum(c.outcome is Outcome.ABANDONED for c in inbound_calls),
            "occupancy": handling / (handling + seconds[AgentState.READY])}


def span(calls: list[Call]) -> tuple[dt.date, dt.date]:
    """The UTC dates of the first and last call start."""
    starts = [c.started_at for c in calls if c.started_at is not None]
    return min(starts).date(), max(starts).date()


REAL = [inbound(Outcome.ANSWERED, 10, at=REAL_AT, agent="r1", talk_s=100),
        inbound(Outcome.ANSWERED, 30, at=REAL_AT, agent="r1", talk_s=60),
        inbound(Outcome.ANSWERED, 5, at=REAL_AT, agent="r2", talk_s=90),
        inbound(Outcome.ABANDONED, 40, at=REAL_AT), inbound(Outcome.ABANDONED, 8, at=REAL_AT)]


@pytest.fixture
def saved(engine: sa.Engine) -> tuple[list[Call], list[AgentInterval]]:
    """Five real calls, and the small scenario saved beside them on the same day; returns the scenario's records."""
    calls, intervals = scenario_to_records(small_scenario(), SEED)
    with engine.begin() as conn:
        insert_calls(conn, REAL)
        save_scenario(conn, NAME, definition={"calls": 40, "agents": 5}, replications=1, seed=SEED, summary={},
                      records=[*calls, *intervals], now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    return calls, intervals


def _sources(engine: sa.Engine, tmp_path: Path) -> list[Source]:
    export_parquet(engine, tmp_path / "pq")
    return [engine, ParquetSource(tmp_path / "pq")]


def test_scenario_report_counts_its_records_only(engine: sa.Engine, saved: tuple[list[Call], list[AgentInterval]],
                                                 tmp_path: Path) -> None:
    """The scenario's report counts exactly its offered, answered and abandoned calls and takes occupancy from its
    intervals; the real-data report over the same day sees only the five real calls; on the database and DuckDB."""
    calls, intervals = saved
    want = expected(calls, intervals)
    first, last = span(calls)
    assert want["offered"] > 50 and want["abandoned"] > 0 and 0 < want["occupancy"] < 1
    keys = ("offered", "answered", "abandoned")
    for source in _sources(engine, tmp_path):
        [sim] = kpi_report(source, KpiRequest(start=first, end=last, grain=Grain.TOTAL, tz="UTC", kpis=keys,
                                              scenario=NAME))
        [real] = kpi_report(source, KpiRequest(start=first, end=last, grain=Grain.TOTAL, tz="UTC", kpis=keys))
        name = type(source).__name__
        assert {k: sim.kpis[k] for k in (*keys, "occupancy")} == pytest.approx(want), name
        assert {k: real.kpis[k] for k in keys} == {"offered": 5, "answered": 3, "abandoned": 2}, name
        assert "occupancy" not in real.kpis, name  # no real agent intervals: the scenario's are not borrowed
        agents = agent_report(source, start=first, end=last, tz="UTC", scenario=NAME)
        assert sum(float(str(r["answered"])) for r in agents) == want["answered"], name
        assert {r["agent"] for r in agents} == {c.agent for c in calls if c.agent is not None}, name
        assert {r["agent"] for r in agent_report(source, start=first, end=last, tz="UTC")} == {"r1", "r2"}, name


def test_unknown_scenario_is_not_found(engine: sa.Engine, saved: tuple[list[Call], list[AgentInterval]],
                                       tmp_path: Path) -> None:
    """A name never saved is refused, naming it, on the database and on Parquet."""
    day = dt.date(2026, 1, 5)
    for source in _sources(engine, tmp_path):
        with pytest.raises(NotFound, match="'nope'"):
            kpi_report(source, KpiRequest(start=day, end=day, grain=Grain.DAY, tz="UTC", scenario="nope"))
        with pytest.raises(NotFound, match="'nope'"):
            agent_report(source, start=day, end=day, tz="UTC", scenario="nope")


def test_cli_saves_lists_and_reports_a_scenario(db_url: str, engine: sa.Engine,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`simulate --save`, then `scenarios list` gives its calls and dates and `report kpi --scenario` its counts;
    an unknown name exits 1 naming it."""
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    with engine.begin() as conn:
        insert_calls(conn, REAL)
    runner = CliRunner()
    flags = ["--calls", "40", "--interval", "30m", "--aht", "240", "--agents", "5", "--hours", "2", "--patience",
             "120"]
    saved = runner.invoke(cli, ["simulate", *flags, "--seed", str(SEED), "--replications", "1", "--save", NAME,
                                "--json"])
    assert saved.exit_code == 0, saved.output
    calls, intervals = scenario_to_records(small_scenario(), SEED)
    want = expected(calls, intervals)
    first, last = span(calls)

    listed = runner.invoke(cli, ["scenarios", "list", "--tz", "UTC", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["name"], row["calls"], row["from"], row["to"]) == (NAME, len(calls), str(first), str(last))

    base = ["report", "kpi", "--from", row["from"], "--to", row["to"], "--tz", "UTC", "--grain", "total",
            "--kpis", "offered,answered,abandoned", "--format", "json"]
    report = runner.invoke(cli, [*base, "--scenario", NAME])
    assert report.exit_code == 0, report.output
    [sim] = json.loads(report.output)
    assert {k: sim[k] for k in want} == pytest.approx(want)
    [real] = json.loads(runner.invoke(cli, base).output)
    assert real["offered"] == 5
    agents = runner.invoke(cli, ["report", "agents", "--from", row["from"], "--to", row["to"], "--tz", "UTC",
                                 "--format", "json", "--scenario", NAME])
    assert sum(r["answered"] for r in json.loads(agents.output)) == want["answered"]

    unknown = runner.invoke(cli, [*base, "--scenario", "nope"])
    assert unknown.exit_code == 1 and "no scenario 'nope'" in unknown.output


# --- web -----------------------------------------------------------------------------------------


@pytest.fixture
def client(engine: sa.Engine, saved: tuple[list[Call], list[AgentInterval]]) -> Iterator[TestClient]:
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("amy", Role.AGENT, "r1", "en")], tz="UTC")
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret", site_tz="UTC"))) as test_client:
        yield test_client


def _cell(page: str, kpi: str) -> str:
    """The first number cell of the dashboard row of ``kpi``."""
    match = re.search(rf'<tr data-kpi="{kpi}"><th>[^<]*</th>\s*<td class="num">([^<]*)</td>', page)
    assert match is not None, kpi
    return match.group(1)


def test_pages_report_the_chosen_data(client: TestClient, saved: tuple[list[Call], list[AgentInterval]]) -> None:
    """Real calls by default, no banner; with ?scenario= the dashboard, builder, scorecards and daily report show
    the banner and the scenario's numbers; the Data selector lists it; in Chinese too."""
    calls, intervals = saved
    want = expected(calls, intervals)
    first, last = span(calls)
    assert first == last  # the dashboard's "today" is the whole run
    token = login(client, "boss")
    real = client.get("/reports")
    assert real.status_code == 200 and 'id="scenario-banner"' not in real.text
    assert f'<option value="{NAME}">Simulation: {NAME}' in real.text
    assert _cell(real.text, "offered") == "5"

    sim = client.get(f"/reports?scenario={NAME}")
    assert sim.status_code == 200 and 'id="scenario-banner"' in sim.text and "not real calls" in sim.text
    assert f'<option value="{NAME}" selected>' in sim.text and f'href="/reports/daily?scenario={NAME}"' in sim.text
    assert (_cell(sim.text, "offered"), _cell(sim.text, "answered")) == (str(want["offered"]), str(want["answered"]))

    query = f"from={first}&to={last}&grain=total&kpis=offered,abandoned&scenario={NAME}"
    builder = client.get(f"/reports/builder?{query}")
    assert 'id="scenario-banner"' in builder.text
    assert re.search(rf'<td class="num">{want["offered"]}</td><td class="num">{want["abandoned"]}</td>', builder.text)
    csv = client.get(f"/reports/export?format=csv&{query}")
    header, row = (line.split(",") for line in csv.content.decode("utf-8-sig").splitlines())
    occupancy = dict(zip(header, row, strict=True))["Occupancy"]  # of its intervals, as a percentage
    assert float(occupancy.rstrip("%")) == pytest.approx(want["occupancy"] * 100, abs=0.05)
    assert row[:3] == ["total", str(want["offered"]), str(want["abandoned"])]
    assert NAME in csv.headers["content-disposition"]
    for path in ("/reports/agents", "/reports/daily"):
        page = client.get(f"{path}?scenario={NAME}")
        assert page.status_code == 200 and 'id="scenario-banner"' in page.text, path
    client.post("/language", data={"locale": "zh-CN", "next": "/reports", "csrf_token": token})
    assert "模拟数据" in client.get(f"/reports/daily?scenario={NAME}").text


def test_api_takes_a_scenario(client: TestClient, saved: tuple[list[Call], list[AgentInterval]]) -> None:
    """The KPI and agents APIs report the scenario; an unknown name is 404 naming it; agents still get 403."""
    calls, intervals = saved
    want = expected(calls, intervals)
    first, last = span(calls)
    query = f"from={first}&to={last}&grain=total&kpis=offered,answered,abandoned"
    login(client, "amy")
    assert client.get(f"/api/reports/kpi?{query}&scenario={NAME}").status_code == 403
    assert client.get(f"/reports?scenario={NAME}").status_code == 403
    client.cookies.clear()
    login(client, "boss")
    [sim] = client.get(f"/api/reports/kpi?{query}&scenario={NAME}").json()
    assert {k: sim[k] for k in ("offered", "answered", "abandoned")} == {k: want[k] for k in
                                                                          ("offered", "answered", "abandoned")}
    [real] = client.get(f"/api/reports/kpi?{query}").json()
    assert real["offered"] == 5
    agents = client.get(f"/api/reports/agents?from={first}&to={last}&scenario={NAME}").json()
    assert sum(r["answered"] for r in agents) == want["answered"]
    for url in (f"/api/reports/kpi?{query}&scenario=nope", "/reports?scenario=nope"):
        missing = client.get(url)
        assert missing.status_code == 404 and "nope" in missing.text, url


def test_latest_day_follows_the_scenario_elsewhere_real_calls(client: TestClient, engine: sa.Engine) -> None:
    """The dashboard's "today" is the chosen data's latest day: a scenario saved on a later day moves it only when
    chosen; the home chart and the agents API, which take no scenario, count real calls only."""
    later = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    records = [dataclasses.replace(inbound(Outcome.ANSWERED, 5, at=later, agent="s1"), scenario="later-run")
               for _ in range(3)]
    with engine.begin() as conn:
        save_scenario(conn, "later-run", definition={}, replications=1, seed=SEED, summary={}, records=records,
                      now=dt.datetime(2026, 3, 11, tzinfo=dt.UTC))
    login(client, "boss")
    assert "latest day with data: 05 Jan 2026." in client.get("/reports").text
    assert "latest day with data: 10 Mar 2026." in client.get("/reports?scenario=later-run").text
    home = client.get("/").text
    config = re.search(r'<script type="application/json" id="calls-per-day-config">(.*?)</script>', home, re.S)
    assert config is not None
    assert sum(json.loads(config.group(1))["data"]["datasets"][0]["data"]) == len(REAL)
    calls = {a["agent_id"]: a["calls"] for a in client.get("/api/agents").json()}
    assert calls == {"r1": 2, "r2": 1}
