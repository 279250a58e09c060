"""The simulation page and API on SQLite and PostgreSQL: same numbers as the CLI, scenario YAML, limits, rights."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.records import Role
from callops.store.schema import users
from callops.web import create_app
from test_web_app import login, password_hash

SCENARIOS = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
SINGLE = {"calls": 100, "interval_min": 30, "aht_s": 180, "patience_s": 300, "agents": 14, "hours": 8}


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    """The app over ``engine`` with a planner (English), a manager (Chinese) and an agent."""
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": role.value,
                                       "agent_id": None, "locale": locale, "tz": "Asia/Shanghai", "active": True}
                                      for name, role, locale in (("pat", Role.PLANNER, "en"),
                                                                 ("max", Role.MANAGER, "zh-CN"),
                                                                 ("amy", Role.AGENT, "en"))])
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret"))) as test_client:
        yield test_client


def as_user(client: TestClient, username: str) -> TestClient:
    client.headers["X-CSRF-Token"] = login(client, username)
    return client


def strip_name(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "scenario"}


def test_api_single_queue_equals_the_cli(client: TestClient) -> None:
    """The API's single queue gives the numbers of `callops simulate --json` for the same seed, byte for byte."""
    planner = as_user(client, "pat")
    response = planner.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE}], "replications": 4,
                                                         "seed": 11})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["replications"] == 4 and body["results"][0]["scenario"] == "A"
    out = CliRunner().invoke(cli, ["simulate", "--calls", "100", "--interval", "30m", "--aht", "180", "--patience",
                                   "300", "--agents", "14", "--hours", "8", "--replications", "4", "--seed", "11",
                                   "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert strip_name(body["results"][0]) == strip_name(json.loads(out.output))
    sl = body["results"][0]["service_level"]
    assert sl["ci95"][0] <= sl["mean"] <= sl["ci95"][1] and 0.8 < sl["mean"] < 1.0


def test_api_compares_two_scenario_files(client: TestClient) -> None:
    """Two YAML scenarios (IVR, queues, skills, overflow, callbacks) run side by side; five more agents help."""
    planner = as_user(client, "pat")
    scenarios = [{"yaml": (SCENARIOS / name).read_text(encoding="utf-8")} for name in ("bank.yaml",
                                                                                        "bank-plus-5.yaml")]
    response = planner.post("/api/simulation/run", json={"scenarios": scenarios, "replications": 3, "seed": 1})
    assert response.status_code == 200, response.text
    a, b = response.json()["results"]
    assert (a["scenario"], b["scenario"]) == ("bank", "bank-plus-5")
    assert b["service_level"]["mean"] > a["service_level"]["mean"]
    assert b["p_abandon"]["mean"] < a["p_abandon"]["mean"]


def test_api_limits_and_errors(client: TestClient) -> None:
    """Too many replications, hours or calls, both kinds at once and bad YAML are 400 naming the place."""
    planner = as_user(client, "pat")
    too_many = planner.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE}], "replications": 50})
    assert too_many.status_code == 400 and "replications" in too_many.json()["message"]
    too_long = planner.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE | {"hours": 48}}]})
    assert too_long.status_code == 400 and "hours" in too_long.json()["message"]
    both = planner.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE, "yaml": "name: x"}]})
    assert both.status_code == 400 and "exactly one" in both.json()["message"]
    huge = planner.post("/api/simulation/run", json={
        "scenarios": [{"single": SINGLE | {"calls": 9000, "hours": 24, "agents": 2000}}], "replications": 20})
    assert huge.status_code == 400 and "at most" in huge.json()["message"]
    bad = planner.post("/api/simulation/run", json={"scenarios": [{"yaml": "queues: [\n"}]})
    assert bad.status_code == 400 and "YAML" in bad.json()["message"] and bad.json()["file"] == "scenario A"


def test_agents_may_not_simulate(client: TestClient) -> None:
    """Without the run_simulations right the API answers 403 and the page is refused."""
    agent = as_user(client, "amy")
    assert agent.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE}]}).status_code == 403
    assert agent.get("/simulation").status_code == 403


def test_page_runs_and_compares_with_a_chart(client: TestClient) -> None:
    """The form runs A (14 agents) against B (15 agents): a table with both and a bar chart with two series."""
    planner = as_user(client, "pat")
    html = planner.get("/simulation").text
    assert 'id="sim-form"' in html and 'name="a_yaml"' in html and "Simulation" in html
    form = {f"{side}_{k}": str(v) for side in ("a", "b") for k, v in SINGLE.items()}
    form |= {"b_agents": "15", "b_enabled": "1", "b_name": "plus one", "replications": "3", "seed": "5",
             "csrf_token": planner.headers["X-CSRF-Token"]}
    html = planner.post("/simulation", data=form).text
    found = re.search(r'<script type="application/json" id="sim-chart-config">(.*?)</script>', html, re.S)
    assert found, "no chart"
    datasets = json.loads(found.group(1))["data"]["datasets"]
    assert [d["label"] for d in datasets] == ["A", "plus one"]
    assert datasets[1]["data"][0] > datasets[0]["data"][0]  # service level improves with one more agent
    assert html.count('id="sim-row-') == 5 and "95 % confidence interval" in html


def test_page_in_chinese_and_errors_shown(client: TestClient) -> None:
    """A zh-CN user sees the page in Chinese; a bad number comes back as a message with the form kept."""
    manager = as_user(client, "max")
    html = manager.get("/simulation").text
    assert "仿真" in html and "重复次数" in html
    response = manager.post("/simulation", data={"a_calls": "abc", "a_aht_s": "180", "a_agents": "14",
                                                 "csrf_token": manager.headers["X-CSRF-Token"]})
    assert response.status_code == 400
    assert "not a number" in response.text and 'value="abc"' in response.text


def test_page_runs_a_scenario_file_from_the_text_area(client: TestClient) -> None:
    """Scenario YAML pasted into A (IVR, queues, skills, overflow, callbacks) replaces the form and runs."""
    planner = as_user(client, "pat")
    form = {"a_yaml": (SCENARIOS / "bank.yaml").read_text(encoding="utf-8"), "replications": "2", "seed": "3",
            "csrf_token": planner.headers["X-CSRF-Token"]}
    response = planner.post("/simulation", data=form)
    assert response.status_code == 200, response.text
    assert re.search(r"<th class=\"num\">bank</th>", response.text)
    assert 'id="sim-chart-config"' in response.text
