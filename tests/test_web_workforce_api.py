"""The workforce HTTP API on SQLite and PostgreSQL: calculator numbers equal the CLI's, forecasts, plans, rights."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from web_sign_in import login
from workforce_site import HISTORY, TZ, as_planner, load_history, workforce_site


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with workforce_site(engine) as test_client:
        yield test_client


@pytest.fixture
def planner(client: TestClient) -> TestClient:
    return as_planner(client)


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


ERLANG_CASES: list[tuple[dict[str, float], list[str]]] = [
    ({"calls": 100, "interval_min": 30, "aht_s": 180, "agents": 13, "sl_time_s": 20},
     ["--calls", "100", "--interval", "30m", "--aht", "180", "--agents", "13", "--sl-time", "20"]),
    ({"calls": 100, "interval_min": 30, "aht_s": 180, "agents": 14, "patience_s": 300},
     ["--calls", "100", "--interval", "30m", "--aht", "180", "--agents", "14", "--patience", "300"]),
    ({"calls": 50, "interval_min": 15, "aht_s": 240, "agents": 9, "sl_time_s": 30},
     ["--calls", "50", "--interval", "15m", "--aht", "240", "--agents", "9", "--sl-time", "30"]),
]
STAFFING_CASES: list[tuple[dict[str, float], list[str]]] = [
    ({"calls": 100, "interval_min": 30, "aht_s": 180, "service_level": 0.8, "sl_time_s": 20, "shrinkage": 0.3},
     ["--calls", "100", "--aht", "180", "--sl", "0.8", "--sl-time", "20", "--shrinkage", "0.3"]),
    ({"calls": 100, "aht_s": 180, "service_level": 0.8, "patience_s": 300, "max_abandon": 0.02, "shrinkage": 0.3},
     ["--calls", "100", "--aht", "180", "--sl", "0.8", "--patience", "300", "--max-abandon", "0.02",
      "--shrinkage", "0.3"]),
    ({"calls": 600, "aht_s": 300, "service_level": 0.8, "shrinkage": 0.3, "distressing_share": 0.2,
      "recovery_s": 120},
     ["--calls", "600", "--aht", "300", "--sl", "0.8", "--shrinkage", "0.3", "--distressing-share", "0.2",
      "--recovery", "120"]),
]


def test_calculator_answers_as_the_cli(planner: TestClient) -> None:
    """/erlang and /staffing give the keys and numbers of `callops erlang --json` and `callops staffing --json`."""
    for path, command, cases in (("erlang", "erlang", ERLANG_CASES), ("staffing", "staffing", STAFFING_CASES)):
        for body, args in cases:
            response = planner.post(f"/api/workforce/{path}", json=body)
            assert response.status_code == 200, response.text
            assert response.json() == cli_json(command, *args), (path, body)


def test_known_staffing_values(planner: TestClient) -> None:
    """100 calls/30 min, AHT 180 s, 80/20, 30 % shrinkage: 14 agents, 20 scheduled; recovery costs 9 at 600 calls."""
    out = planner.post("/api/workforce/staffing", json={"calls": 100, "aht_s": 180, "service_level": 0.8,
                                                         "shrinkage": 0.3}).json()
    assert (out["agents"], out["scheduled"]) == (14, 20)
    heavy = planner.post("/api/workforce/staffing", json={"calls": 600, "aht_s": 300, "service_level": 0.8,
                                                           "distressing_share": 0.2, "recovery_s": 120}).json()
    assert (heavy["agents"], heavy["recovery_agents"]) == (117, 9)


BAD_STAFFING: list[tuple[dict[str, float], str]] = [
    ({"calls": 100, "aht_s": 180}, "service_level"),
    ({"calls": 100, "aht_s": 180, "service_level": 0.8, "max_abandon": 0.1}, "max_abandon"),
    ({"calls": 100, "aht_s": 180, "service_level": 0.8, "recovery_s": 60}, "recovery_s"),
    ({"calls": 100, "aht_s": 0, "service_level": 0.8}, "aht_s"),
    ({"calls": 100, "aht_s": 180, "service_level": 1.5}, "service_level"),
]


def test_bad_staffing_input_is_400_naming_the_field(planner: TestClient) -> None:
    """Missing targets, abandon without patience, half a recovery or out-of-range values answer 400 with the field."""
    for body, field in BAD_STAFFING:
        response = planner.post("/api/workforce/staffing", json=body)
        assert response.status_code == 400 and response.json()["field"] == field, body


def test_rights_and_csrf(client: TestClient) -> None:
    """Nobody logged in gets 401, an agent 403, and a cookie request without the CSRF header 403."""
    body = {"calls": 100, "aht_s": 180, "agents": 13}
    assert client.get("/api/workforce/plans").status_code == 401
    token = login(client, "amy")
    assert client.post("/api/workforce/erlang", json=body, headers={"X-CSRF-Token": token}).status_code == 403
    assert client.get("/api/workforce/plans").status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, "pat")
    assert client.post("/api/workforce/erlang", json=body).status_code == 403


def test_forecast_get_and_save(planner: TestClient, engine: sa.Engine) -> None:
    """GET forecasts history a week ahead with the backtest; POST saves versions listed under /forecasts."""
    load_history(engine)
    response = planner.get("/api/workforce/forecast", params={k: v for k, v in HISTORY.items()})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["forecast"][0]["interval_start"].startswith("2026-03-02T09:00:00+08:00")
    assert {r["forecast"] for r in data["forecast"]} == {2.0, 4.0, 6.0}
    assert data["report"]["model"] == "seasonal_naive" and data["report"]["backtest"]["models"]
    assert len(data["history"]) == 28 * 48
    saved = planner.post("/api/workforce/forecast", json=HISTORY | {"name": "wk10", "aht_s": 200})
    assert saved.status_code == 201, saved.text
    assert saved.json()["version"] == 1 and {p["aht_s"] for p in saved.json()["points"]} == {200.0}
    assert [f["name"] for f in planner.get("/api/workforce/forecasts").json()] == ["wk10"]
    assert planner.get("/api/workforce/forecasts/wk10").json()["total_calls"] == saved.json()["total_calls"]
    assert planner.get("/api/workforce/forecasts/nope").status_code == 404


def test_plans_build_list_show_compare(planner: TestClient, engine: sa.Engine) -> None:
    """Plans are built from history or a saved forecast, listed, shown by version and compared per interval."""
    load_history(engine)
    first = planner.post("/api/workforce/plans", json={"name": "march", "history": HISTORY, "shrinkage": 0.6})
    assert first.status_code == 201, first.text
    second = planner.post("/api/workforce/plans", json={"name": "march", "forecast": "march@1", "shrinkage": 0.1,
                                                        "patience_s": 120})
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2 and second.json()["created_by"] == "pat"
    assert [(p["name"], p["version"]) for p in planner.get("/api/workforce/plans").json()] == [("march", 2),
                                                                                              ("march", 1)]
    shown = planner.get("/api/workforce/plans/march", params={"version": 1}).json()
    assert shown["intervals"] == first.json()["intervals"]
    cmp = planner.get("/api/workforce/plans/compare", params={"a": "march@1", "b": "march@2"}).json()
    assert cmp["agent_hours_delta"] < 0 and cmp["peak_delta"] <= 0
    assert planner.get("/api/workforce/plans/nope").status_code == 404
    bad = planner.post("/api/workforce/plans", json={"name": "x"})
    assert bad.status_code == 400 and bad.json()["field"] == "forecast"


def simulate_plan_cli(db_url: str, *args: str) -> Any:
    """`callops simulate --plan ... --json` over the test database, in the site's zone."""
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": TZ})
    result = runner.invoke(cli, ["simulate", "--plan", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_plan_checked_by_simulation_as_the_cli(planner: TestClient, engine: sa.Engine, db_url: str) -> None:
    """POST /plans/{name}/simulate answers exactly `callops simulate --plan NAME@V --json` for the same seed and
    patience; without a version it takes the newest and 10 replications."""
    load_history(engine)
    first = planner.post("/api/workforce/plans", json={"name": "march", "history": HISTORY}).json()
    planner.post("/api/workforce/plans", json={"name": "march", "forecast": "march@1", "patience_s": 120})
    response = planner.post("/api/workforce/plans/march/simulate", json={"version": 1, "replications": 3, "seed": 4})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data == simulate_plan_cli(db_url, "march@1", "--replications", "3", "--seed", "4")
    assert data["plan"] == "march@1" and data["replications"] == 3 and data["target_service_level"] == 0.8
    assert [r["start_at"] for r in data["intervals"]] == [r["interval_start"] for r in first["intervals"]]
    assert data["intervals_short"] == sum(r["short"] for r in data["intervals"])
    assert data["intervals_with_calls"] == sum(r["service_level_sim"] is not None for r in data["intervals"])
    assert data["p_abandon"]["mean"] == 0  # plan 1 has no patience: Erlang C callers never hang up
    impatient = planner.post("/api/workforce/plans/march/simulate",
                             json={"version": 1, "replications": 2, "seed": 4, "patience_s": 20}).json()
    assert impatient == simulate_plan_cli(db_url, "march@1", "--replications", "2", "--seed", "4", "--patience",
                                          "20")
    assert impatient["p_abandon"]["mean"] > 0
    newest = planner.post("/api/workforce/plans/march/simulate", json={}).json()
    assert (newest["plan"], newest["replications"]) == ("march@2", 10)
    assert newest == simulate_plan_cli(db_url, "march", "--replications", "10", "--seed", "1")


def test_plan_simulation_limits_and_rights(client: TestClient, engine: sa.Engine) -> None:
    """Replications outside 2-20 and plans whose calls times replications pass 400,000 answer 400 naming the field
    (before anything runs); an unknown plan 404; an agent 403; a cookie request without the CSRF header 403."""
    from callops.scheduling import StaffingTargets, build_plan
    from callops.store.plans import save_plan

    start = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)
    big = build_plan(name="big", starts=[start + dt.timedelta(minutes=30 * k) for k in range(8)],
                     calls=[25_000.0] * 8, aht_s=[180.0] * 8, targets=StaffingTargets(interval_min=30))
    with engine.begin() as conn:
        save_plan(conn, big, now=start)
    token = login(client, "pat")
    headers = {"X-CSRF-Token": token}
    url = "/api/workforce/plans/big/simulate"
    for body in ({"replications": 1}, {"replications": 21}, {"replications": 3}):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 400 and response.json()["field"] == "replications", (body, response.text)
    assert "600,000 calls" in client.post(url, json={"replications": 3}, headers=headers).json()["message"]
    assert client.post(url, json={"seed": -1}, headers=headers).json()["field"] == "seed"
    assert client.post(url, json={"turbo": True}, headers=headers).status_code == 400
    assert client.post("/api/workforce/plans/nope/simulate", json={}, headers=headers).status_code == 404
    assert client.post(url, json={"version": 9}, headers=headers).status_code == 404
    assert client.post(url, json={}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "amy")
    assert client.post(url, json={}, headers={"X-CSRF-Token": token}).status_code == 403
