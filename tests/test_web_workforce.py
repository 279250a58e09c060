"""The workforce pages on SQLite and PostgreSQL: calculator, forecast, plans, plan and comparison, both languages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from web_sign_in import csrf_of, login
from workforce_site import HISTORY, as_planner, load_history, workforce_site


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with workforce_site(engine) as test_client:
        yield test_client


@pytest.fixture
def planner(client: TestClient) -> TestClient:
    return as_planner(client)



def cell(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found, f"no #{element_id} on the page"
    return found.group(1)


def chart_config(html: str, chart_id: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{chart_id}-config">(.*?)</script>', html, re.S)
    assert found, f"no chart {chart_id}"
    config: dict[str, object] = json.loads(found.group(1))
    return config


def test_calculator_answers_on_the_server(planner: TestClient) -> None:
    """The calculator shows 14 agents and 20 scheduled by default, and what 13 agents deliver (79.6 %)."""
    html = planner.get("/workforce").text
    assert (cell(html, "out-agents"), cell(html, "out-scheduled"), cell(html, "out-sl")) == ("14", "20", "88.8%")
    assert cell(html, "out-model") == "Erlang C"
    html = planner.get("/workforce", params={"agents": "13"}).text
    assert cell(html, "whatif-sl") == "79.6%"
    assert 'src="/static/js/workforce.js"' in html and 'data-csrf="' in html


def test_calculator_erlang_a_recovery_and_errors(planner: TestClient) -> None:
    """With patience it is Erlang A; recovery time shows its cost in agents; a bad value shows the message."""
    html = planner.get("/workforce", params={"calls": "600", "aht_s": "300", "patience_s": "", "shrinkage": "0.3",
                                             "distressing_share": "0.2", "recovery_s": "120"}).text
    assert (cell(html, "out-agents"), cell(html, "out-recovery")) == ("117", "9")
    html = planner.get("/workforce", params={"patience_s": "300", "agents": "14"}).text
    assert cell(html, "out-model") == "Erlang A" and cell(html, "whatif-abandon") == "1.4%"
    html = planner.get("/workforce", params={"aht_s": "abc"}).text
    assert cell(html, "calc-error") == "field aht_s: a number, please"


def test_forecast_page_has_chart_band_and_accuracy(planner: TestClient, engine: sa.Engine) -> None:
    """The forecast page draws history, forecast and band, lists the backtest vs seasonal naive, takes a calendar."""
    load_history(engine)
    html = planner.get("/workforce/forecast", params={"queue": "PS", "from": "2026-02-02", "to": "2026-03-01",
                                                      "horizon": "7d"}).text
    config = chart_config(html, "forecast-chart")
    datasets = config["data"]["datasets"]  # type: ignore[index]
    assert [d["fill"] for d in datasets[2:]] == [False, "-1"]
    assert 'id="accuracy-table"' in html and "seasonal_naive" in html
    assert html.count("<tr>") > 7 * 6 and "holidays CN" in cell(html, "fc-summary")
    html = planner.get("/workforce/forecast", params={"queue": "PS", "from": "2026-02-02", "to": "2026-03-01",
                                                      "horizon": "7d", "holidays": "none"}).text
    assert "holidays none" in cell(html, "fc-summary")


def test_forecast_page_without_calls_says_so(planner: TestClient) -> None:
    """With no calls in the store the page says there is nothing to forecast."""
    html = planner.get("/workforce/forecast").text
    assert "No calls in the store" in html


def test_build_plan_from_the_form_and_compare_versions(planner: TestClient, engine: sa.Engine) -> None:
    """The form builds a plan (version 1, then 2); the plan page charts it; the comparison shows deltas."""
    load_history(engine)
    token = csrf_of(planner.get("/workforce/plans").text)
    form = {"csrf_token": token, "name": "march", "queue": "PS", "history_from": "2026-02-02",
            "history_to": "2026-03-01", "horizon": "7d", "interval_min": "30", "service_level": "0.8",
            "sl_time_s": "20", "shrinkage": "0.6", "patience_s": "", "distressing_share": "0", "recovery_s": "0",
            "holidays": "none"}
    response = planner.post("/workforce/plans", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/workforce/plans/march?version=1"
    assert planner.get("/api/workforce/forecasts/march").json()["accuracy"]["holidays"] == "none"
    planner.post("/workforce/plans", data=form | {"shrinkage": "0.1", "patience_s": "120",
                                                  "distressing_share": "0.2", "recovery_s": "90"})
    html = planner.get("/workforce/plans/march").text
    assert "Plan march, version 2" in html and "Erlang A" in html
    labels = [d["label"] for d in chart_config(html, "plan-chart")["data"]["datasets"]]  # type: ignore[index]
    assert labels == ["Agents on the phones", "Scheduled (after shrinkage)", "Service level"]
    assert 'id="compare-previous"' in html
    listing = planner.get("/workforce/plans").text
    assert listing.count('href="/workforce/plans/march?version=') == 2
    cmp = planner.get("/workforce/plans/compare", params={"a": "march@1", "b": "march@2"}).text
    assert "march@1 against march@2" in cmp and 'class="changed"' in cmp


def test_pages_in_chinese_and_rights(client: TestClient) -> None:
    """A planner sees the pages in Chinese after switching; an agent is refused and has no menu entry."""
    token = login(client, "pat")
    client.post("/language", data={"locale": "zh-CN", "csrf_token": token})
    html = client.get("/workforce").text
    assert "人力计算器" in html and "所需坐席" in html and "秒" in cell(html, "out-asa")
    assert 'href="/workforce"' in client.get("/").text
    client.post("/logout", data={"csrf_token": csrf_of(html)})
    login(client, "amy")
    assert client.get("/workforce").status_code == 403
    assert 'href="/workforce"' not in client.get("/").text


def test_plan_checked_by_simulation_on_its_page(planner: TestClient, engine: sa.Engine) -> None:
    """The plan page's form simulates the plan: the service level with its 95 % interval, "N of M intervals below
    target" and a chart of plan, simulation and target per interval, all equal to the API's answer for the same
    seed; bad replications show the error on the page; the page speaks Chinese too."""
    load_history(engine)
    assert planner.post("/api/workforce/plans", json={"name": "march", "history": HISTORY}).status_code == 201
    html = planner.get("/workforce/plans/march").text
    assert 'id="sim-form"' in html and 'id="sim-chart"' not in html
    form = {"csrf_token": csrf_of(html), "version": "1", "replications": "4", "seed": "2"}
    response = planner.post("/workforce/plans/march/simulate", data=form)
    assert response.status_code == 200, response.text
    html = response.text
    api = planner.post("/api/workforce/plans/march/simulate", json={"version": 1, "replications": 4, "seed": 2}).json()
    short, with_calls = api["intervals_short"], api["intervals_with_calls"]
    assert cell(html, "sim-short") == f"{short} of {with_calls} intervals below target"
    sl = api["service_level"]
    assert cell(html, "sim-sl") == f"{100 * sl['mean']:.1f}%"
    assert cell(html, "sim-sl-detail") == (f"Simulated service level, 95 % interval {100 * sl['ci95'][0]:.1f}% – "
                                           f"{100 * sl['ci95'][1]:.1f}%, target 80%")
    config = chart_config(html, "sim-chart")
    plan_sl, sim_sl, target = config["data"]["datasets"]  # type: ignore[index]
    assert [plan_sl["label"], sim_sl["label"], target["label"]] == ["Plan (Erlang)", "Simulation", "Target"]
    assert len(config["data"]["labels"]) == len(target["data"]) > len(api["intervals"])  # type: ignore[index]
    assert set(target["data"]) == {80.0}
    drawn = [v for v in sim_sl["data"] if v is not None]
    expected = [100 * r["service_level_sim"] for r in api["intervals"] if r["service_level_sim"] is not None]
    assert drawn == pytest.approx(expected, abs=0.011)
    assert sim_sl["pointRadius"].count(3) == short
    table = html[html.index('id="sim-short-table"'):]
    assert table[:table.index("</table>")].count("<tr><td>") == short > 0  # seed 2 leaves a few thin intervals
    bad = planner.post("/workforce/plans/march/simulate", data=form | {"replications": "50"})
    assert bad.status_code == 400 and "replications" in cell(bad.text, "sim-error")
    assert 'value="50"' in bad.text and 'id="sim-chart"' not in bad.text
    planner.post("/language", data={"locale": "zh-CN", "csrf_token": form["csrf_token"]})
    html = planner.post("/workforce/plans/march/simulate", data=form).text
    assert cell(html, "sim-short") == f"{with_calls} 个时段中有 {short} 个低于目标" and "仿真检验" in html


def test_agents_cannot_simulate_plans(client: TestClient, engine: sa.Engine) -> None:
    """An agent is refused the plan page's simulation (403), and a planner's form posts only with the CSRF token."""
    load_history(engine)
    token = login(client, "pat")
    built = client.post("/api/workforce/plans", json={"name": "march", "history": HISTORY},
                        headers={"X-CSRF-Token": token})
    assert built.status_code == 201
    assert client.post("/workforce/plans/march/simulate", data={"replications": "2"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "amy")
    refused = client.post("/workforce/plans/march/simulate", data={"csrf_token": token, "replications": "2"})
    assert refused.status_code == 403
