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
from callops.web import create_app
from web_sign_in import insert_users, login

SCENARIOS = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
SINGLE = {"calls": 100, "interval_min": 30, "aht_s": 180, "patience_s": 300, "agents": 14, "hours": 8}


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    """The app over ``engine`` with a planner (English), a manager (Chinese) and an agent."""
    with engine.begin() as conn:
        insert_users(conn, [("pat", Role.PLANNER, None, "en"), ("max", Role.MANAGER, None, "zh-CN"),
                            ("amy", Role.AGENT, None, "en")])
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret"))) as test_client:
        yield test_client


def as_user(client: TestClient, username: str) -> TestClient:
    client.headers["X-CSRF-Token"] = login(client, username)
    return client


def switch_user(client: TestClient, username: str) -> TestClient:
    """Log out whoever is logged in (session and CSRF header), then log in as ``username``."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    return as_user(client, username)


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
    assert "字段 a_calls：请输入数字" in response.text and 'value="abc"' in response.text


def test_page_runs_a_scenario_file_from_the_text_area(client: TestClient) -> None:
    """Scenario YAML pasted into A (IVR, queues, skills, overflow, callbacks) replaces the form and runs."""
    planner = as_user(client, "pat")
    form = {"a_yaml": (SCENARIOS / "bank.yaml").read_text(encoding="utf-8"), "replications": "2", "seed": "3",
            "csrf_token": planner.headers["X-CSRF-Token"]}
    response = planner.post("/simulation", data=form)
    assert response.status_code == 200, response.text
    assert re.search(r"<th class=\"num\">bank</th>", response.text)
    assert 'id="sim-chart-config"' in response.text


# --- saving a run as a scenario ------------------------------------------------------------------

CLI_SINGLE = ["--calls", "100", "--interval", "30m", "--aht", "180", "--patience", "300", "--agents", "14", "--hours",
              "8"]


def stored(engine: sa.Engine, name: str) -> dict[str, Any]:
    """Everything stored for scenario ``name`` but when and by whom: its row, and its calls and agent intervals
    (every column but the id)."""
    from callops.store.scenarios import get_scenario
    from callops.store.schema import agent_intervals, calls

    def rows(table: sa.Table) -> list[tuple[Any, ...]]:
        columns = [c for c in table.c if c.name != "id"]
        return sorted(tuple(r) for r in conn.execute(sa.select(*columns).where(table.c.scenario == name)))

    with engine.connect() as conn:
        saved = get_scenario(conn, name)
        return {"definition": saved.definition, "replications": saved.replications, "seed": saved.seed,
                "summary": strip_name(dict(saved.summary)), "calls": rows(calls),
                "intervals": rows(agent_intervals)}


def test_api_save_stores_what_the_cli_stores(client: TestClient, engine: sa.Engine, db_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`"save"` stores the first scenario's replication seeded by the request's seed: the same calls, agent
    intervals, definition, replications, seed and summary as `callops simulate --save`, made by the user."""
    from callops.store.scenarios import get_scenario

    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    out = CliRunner().invoke(cli, ["simulate", *CLI_SINGLE, "--replications", "3", "--seed", "11", "--save", "run"],
                             catch_exceptions=False)
    assert out.exit_code == 0, out.output
    by_cli = stored(engine, "run")
    with engine.connect() as conn:
        assert get_scenario(conn, "run").created_by is None

    planner = as_user(client, "pat")
    second = SINGLE | {"agents": 15}
    response = planner.post("/api/simulation/run", json={
        "scenarios": [{"single": SINGLE}, {"single": second}], "replications": 3, "seed": 11, "save": "run"})
    assert response.status_code == 200, response.text
    body = response.json()
    by_api = stored(engine, "run")
    assert len(by_api["calls"]) > 1000 and len(by_api["intervals"]) > 100
    assert by_api == by_cli
    assert by_api["summary"] == strip_name(body["results"][0])
    assert by_api["definition"] == {"calls": 100, "interval_s": 1800, "aht_s": 180, "agents": 14, "hours": 8,
                                    "patience_s": 300, "sl_time_s": 20}
    with engine.connect() as conn:
        assert get_scenario(conn, "run").created_by == "pat"
    assert (body["saved"]["name"], body["saved"]["calls"]) == ("run", len(by_api["calls"]))


def test_api_saves_scenario_yaml_with_its_mapping(client: TestClient, engine: sa.Engine) -> None:
    """A YAML scenario is saved with its mapping as the definition (as JSON keeps it), as `callops simulate FILE
    --save` does."""
    import yaml

    text = (SCENARIOS / "bank.yaml").read_text(encoding="utf-8")
    planner = as_user(client, "pat")
    response = planner.post("/api/simulation/run", json={"scenarios": [{"yaml": text}], "replications": 2,
                                                         "seed": 2, "save": "bank-run"})
    assert response.status_code == 200, response.text
    saved = stored(engine, "bank-run")
    mapping = json.loads(json.dumps(yaml.safe_load(text), default=str))
    assert saved["definition"] == mapping and (saved["replications"], saved["seed"]) == (2, 2)
    assert response.json()["saved"]["calls"] == len(saved["calls"]) > 1000


def test_api_lists_and_deletes_saved_scenarios(client: TestClient, engine: sa.Engine) -> None:
    """The list gives each saved scenario's calls and dates; DELETE removes it with its records and a second
    DELETE is 404; a bad name is 400 naming the field and stores nothing."""
    from callops.store.schema import agent_intervals, calls

    planner = as_user(client, "pat")
    bad = planner.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE}], "save": "no spaces"})
    assert bad.status_code == 400 and bad.json()["field"] == "save" and "no spaces" in bad.json()["message"]
    assert planner.get("/api/simulation/scenarios").json() == []
    small = SINGLE | {"hours": 2}
    saved = planner.post("/api/simulation/run", json={"scenarios": [{"single": small}], "replications": 2,
                                                      "seed": 1, "save": "small"}).json()["saved"]
    [row] = planner.get("/api/simulation/scenarios").json()
    assert row == saved and row["calls"] > 100
    assert row["from"] == row["first_call_at"][:10] and row["first_call_at"] <= row["last_call_at"]

    deleted = planner.delete("/api/simulation/scenarios/small")
    assert deleted.status_code == 200 and deleted.json() == row
    assert planner.get("/api/simulation/scenarios").json() == []
    with engine.connect() as conn:
        for table in (calls, agent_intervals):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
    again = planner.delete("/api/simulation/scenarios/small")
    assert again.status_code == 404 and "no scenario 'small'" in again.json()["message"]


def test_agents_may_not_save_list_or_delete(client: TestClient, engine: sa.Engine) -> None:
    """Without run_simulations saving, listing and deleting are 403 and leave the saved scenario alone."""
    planner = as_user(client, "pat")
    assert planner.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE | {"hours": 1}}],
                                                     "save": "kept"}).status_code == 200
    agent = switch_user(client, "amy")
    assert agent.post("/api/simulation/run", json={"scenarios": [{"single": SINGLE}], "save": "x"}).status_code == 403
    assert agent.get("/api/simulation/scenarios").status_code == 403
    assert agent.delete("/api/simulation/scenarios/kept").status_code == 403
    assert stored_names(engine) == ["kept"]


def stored_names(engine: sa.Engine) -> list[str]:
    """The names of the saved scenarios, newest first."""
    from callops.store.scenarios import list_scenarios

    with engine.connect() as conn:
        return [s.name for s in list_scenarios(conn)]


def test_page_saves_scenario_a_and_links_the_reports(client: TestClient, engine: sa.Engine) -> None:
    """"Save scenario A as" stores A (not B) for the user and links the report pages over the run's local dates;
    the builder link shows the simulated data; in Chinese too; a bad name is a 400 naming the field."""
    from zoneinfo import ZoneInfo

    from callops.store.scenarios import get_scenario

    planner = as_user(client, "pat")
    form = {f"{side}_{k}": str(v) for side in ("a", "b") for k, v in SINGLE.items()}
    form |= {"a_hours": "2", "b_hours": "2", "b_agents": "15", "b_enabled": "1", "replications": "2", "seed": "4",
             "save": "from-page", "csrf_token": planner.headers["X-CSRF-Token"]}
    html = planner.post("/simulation", data=form).text
    with engine.connect() as conn:
        saved = get_scenario(conn, "from-page")
    assert saved.created_by == "pat" and saved.definition["agents"] == 14 and saved.seed == 4
    assert saved.first_call_at is not None and saved.last_call_at is not None
    first = saved.first_call_at.astimezone(ZoneInfo("Asia/Shanghai")).date()  # the user's zone
    last = saved.last_call_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert 'id="sim-saved"' in html and f"{saved.calls:,} calls" in html and 'value="from-page"' in html
    builder = f"/reports/builder?scenario=from-page&amp;from={first}&amp;to={last}"
    assert f'href="{builder}"' in html
    assert f'href="/reports/daily?scenario=from-page&amp;date={first}"' in html
    report = planner.get(builder.replace("&amp;", "&"))
    assert report.status_code == 200 and 'id="scenario-banner"' in report.text

    bad = planner.post("/simulation", data=form | {"save": "a/b"})
    assert bad.status_code == 400 and "field save" in bad.text and 'value="a/b"' in bad.text

    manager = switch_user(client, "max")
    chinese = manager.post("/simulation", data=form | {"save": "page-zh",
                                                       "csrf_token": manager.headers["X-CSRF-Token"]})
    assert "已保存场景 page-zh" in chinese.text and "自定义报表" in chinese.text


def test_page_shows_the_outbound_campaign_of_a_blended_scenario(client: TestClient) -> None:
    """A scenario with an outbound campaign gets its table beside the inbound figures: pacing, the abandon rates,
    the worst rolling window against the cap, talk shares and counts, in English and in Chinese; a scenario
    without one gets no such table."""
    text = (SCENARIOS / "blended.yaml").read_text(encoding="utf-8")
    planner = as_user(client, "pat")
    form = {"a_yaml": text, "replications": "2", "seed": "3", "csrf_token": planner.headers["X-CSRF-Token"]}
    html = planner.post("/simulation", data=form).text
    assert 'id="sim-outbound-table"' in html and "spring · callops" in html
    rate = re.search(r'id="sim-ob-max_window"><th>[^<]*</th>\s*<td class="num"><span data-within="(yes|no)">'
                     r'([\d.]+) ?%</span>', html)
    assert rate, "no worst-window cell"
    assert (rate.group(1) == "yes") == (float(rate.group(2)) <= 3.0)  # the cap of the file: 3 %
    dials = re.search(r'id="sim-ob-dials"><th>[^<]*</th>\s*<td class="num">([\d,.]+)</td>', html)
    assert dials and float(dials.group(1).replace(",", "")) > 0
    chinese = switch_user(client, "max").post("/simulation", data=form | {
        "csrf_token": client.headers["X-CSRF-Token"]}).text
    assert "外呼活动（呼入呼出混合坐席）" in chinese and "最差滚动窗口放弃率" in chinese
    plain = client.post("/simulation", data=form | {"a_yaml": (SCENARIOS / "bank.yaml").read_text(encoding="utf-8"),
                                                     "csrf_token": client.headers["X-CSRF-Token"]}).text
    assert 'id="sim-outbound-table"' not in plain
