"""The replay page and API on SQLite and PostgreSQL with the demo month: the CLI's numbers, the user's zone,
limits and errors naming the field, rights."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.demo import DEMO_TZ
from callops.records import Role
from callops.store.history import queue_histories, queued_calls
from callops.store.schema import users
from callops.web import create_app
from web_sign_in import login, password_hash

QUERY = {"queue": "PS", "from": "1999-01-03", "to": "1999-01-14", "weekdays": "7,1,2,3,4", "replications": "2",
         "seed": "3"}
CLI_ARGS = ["replay", "--queue", "PS", "--from", "1999-01-03", "--to", "1999-01-14", "--weekdays", "7,1,2,3,4",
            "--replications", "2", "--seed", "3", "--json"]
SUN_TO_THU = frozenset({7, 1, 2, 3, 4})


@pytest.fixture(scope="module")
def site_engine(demo_engine: sa.Engine) -> sa.Engine:
    """The demo month (built once per module and backend) with a planner in the demo's zone (English), one in
    Shanghai, a manager (Chinese) and an agent."""
    with demo_engine.begin() as conn:
        conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": role.value,
                                       "agent_id": None, "locale": locale, "tz": tz, "active": True}
                                      for name, role, locale, tz in (("pat", Role.PLANNER, "en", DEMO_TZ),
                                                                     ("sue", Role.PLANNER, "en", "Asia/Shanghai"),
                                                                     ("max", Role.MANAGER, "zh-CN", DEMO_TZ),
                                                                     ("amy", Role.AGENT, "en", DEMO_TZ))])
    return demo_engine


@pytest.fixture
def engine(site_engine: sa.Engine) -> sa.Engine:
    """This module's tests read the shared demo database (instead of an empty one each)."""
    return site_engine


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret", site_tz=DEMO_TZ))) as test_client:
        yield test_client


def as_user(client: TestClient, username: str) -> TestClient:
    """Log out whoever is logged in (session and CSRF header), then log in as ``username``."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    client.headers["X-CSRF-Token"] = login(client, username)
    return client


def page_query(**changes: str) -> list[tuple[str, str | int | float | bool | None]]:
    """The page's form as the browser sends it: one ``weekdays`` parameter per ticked box."""
    query = QUERY | changes
    pairs: list[tuple[str, str | int | float | bool | None]] = [(k, v) for k, v in query.items() if k != "weekdays"]
    return pairs + [("weekdays", d) for d in query["weekdays"].split(",") if d]


def chart_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="replay-chart-config">(.*?)</script>', html, re.S)
    assert found, "no chart"
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def test_api_and_page_give_the_cli_numbers(client: TestClient, engine: sa.Engine, db_url: str) -> None:
    """For the same seed the API answers exactly the JSON of `callops replay --json`, and the page shows its days,
    calls, patience and mean absolute errors, one table row and one chart point per compared hour."""
    out = CliRunner(env={"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": DEMO_TZ}).invoke(cli, CLI_ARGS,
                                                                                        catch_exceptions=False)
    assert out.exit_code == 0, out.output
    expected = json.loads(out.output)
    planner = as_user(client, "pat")
    response = planner.get("/api/simulation/replay", params=QUERY)
    assert response.status_code == 200, response.text
    assert response.json() == expected
    assert expected["days"] == 8 and expected["calls"] > 5000 and len(expected["hours"]) >= 12

    html = planner.get("/simulation/replay", params=page_query()).text
    summary = re.search(r'id="replay-summary" data-days="(\d+)" data-calls="(\d+)" data-patience="([\d.]+)"', html)
    assert summary and summary.groups() == (str(expected["days"]), str(expected["calls"]),
                                            str(expected["patience_s"]))
    for key, value in expected["mean_absolute_error"].items():
        assert f'id="mae-{key}" data-value="{value}"' in html
    hours = [h["hour"] for h in expected["hours"]]
    assert re.findall(r'<tr data-hour="(\d+)">', html) == [str(h) for h in hours]
    chart = chart_of(html)
    assert chart["data"]["labels"] == [f"{h:02d}:00" for h in hours]
    sl_actual, sl_sim, ab_actual, ab_sim = (d["data"] for d in chart["data"]["datasets"])
    assert sl_actual == [round(100 * h["service_level_actual"], 2) for h in expected["hours"]]
    assert sl_sim == [round(100 * h["service_level_sim"], 2) for h in expected["hours"]]
    assert ab_actual == [round(100 * h["p_abandon_actual"], 2) for h in expected["hours"]]
    assert ab_sim == [round(100 * h["p_abandon_sim"], 2) for h in expected["hours"]]
    assert [d.get("yAxisID") for d in chart["data"]["datasets"]] == [None, None, "y2", "y2"]


def test_days_are_the_users_local_days(client: TestClient, engine: sa.Engine) -> None:
    """A planner in Shanghai replays Shanghai's days: the calls counted are those of her local dates, which differ
    from the demo zone's, and the form's default range ends on her local day of the last call."""
    sue = as_user(client, "sue")
    body = sue.get("/api/simulation/replay", params=QUERY).json()
    with engine.connect() as conn:
        shanghai = queued_calls(conn, start=dt.date(1999, 1, 3), end=dt.date(1999, 1, 14), tz="Asia/Shanghai",
                                queue="PS", weekdays=SUN_TO_THU)
        jerusalem = queued_calls(conn, start=dt.date(1999, 1, 3), end=dt.date(1999, 1, 14), tz=DEMO_TZ, queue="PS",
                                 weekdays=SUN_TO_THU)
        [ps] = [q for q in queue_histories(conn) if q.queue == "PS"]
    assert body["calls"] == len(shanghai.day) != len(jerusalem.day)
    last = ps.last_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert last != ps.last_at.astimezone(ZoneInfo(DEMO_TZ)).date()
    html = sue.get("/simulation/replay").text  # the form starts with the last 28 local days of PS
    assert f'id="replay-from" value="{last - dt.timedelta(days=27)}"' in html
    assert f'id="replay-to" value="{last}"' in html and "Asia/Shanghai" in html


BAD = [
    ({"queue": "NOPE"}, "queue", "no calls entered queue NOPE"),
    ({"from": "1999-13-01"}, "from", "not a date"),
    ({"to": ""}, "to", "give the first and the last day"),
    ({"from": "1999-01-14", "to": "1999-01-03"}, "to", "before it starts"),
    ({"from": "1998-10-01", "to": "1999-01-14"}, "to", "at most 92"),
    ({"replications": "21"}, "replications", "between 2 and 20"),
    ({"replications": "1"}, "replications", "between 2 and 20"),
    ({"seed": "x"}, "seed", "not a whole number"),
    ({"weekdays": "8"}, "weekdays", "1 (Monday) to 7 (Sunday)"),
    ({"capacity": "everyone"}, "capacity", "not one of calibrated"),
]


def test_errors_name_the_field(client: TestClient) -> None:
    """Each bad value (no calls, bad or reversed dates, over 92 days, replications outside 2-20, a bad seed, weekday
    or capacity) is a 400 naming its field, as JSON from the API and as a message on the page with the form kept."""
    planner = as_user(client, "pat")
    for changes, field, words in BAD:
        response = planner.get("/api/simulation/replay", params=QUERY | changes)
        assert response.status_code == 400, (changes, response.text)
        assert response.json()["field"] == field and words in response.json()["message"]
        page = planner.get("/simulation/replay", params=page_query(**changes))
        assert page.status_code == 400, changes
        error = re.search(r'id="replay-error">(.*?)</p>', page.text, re.S)
        assert error and f"field {field}" in error.group(1) and words in error.group(1).replace("&#39;", "'")
        assert 'id="replay-results"' not in page.text and 'id="replay-form"' in page.text
    kept = planner.get("/simulation/replay", params=page_query(seed="x")).text
    assert 'id="replay-seed" value="x"' in kept and '<option value="PS" selected>' in kept


def test_page_form_tabs_and_chinese(client: TestClient, engine: sa.Engine) -> None:
    """The form lists the queues of the stored calls (the biggest chosen), every weekday ticked; both simulation
    pages show the two tabs; a zh-CN user gets the page and its results in Chinese."""
    planner = as_user(client, "pat")
    html = planner.get("/simulation/replay").text
    with engine.connect() as conn:
        names = [q.queue for q in queue_histories(conn)]
    assert re.findall(r'<option value="([A-Z]+)"', html) == names and "PS" in names
    assert '<option value="PS" selected>' in html and 'id="replay-results"' not in html
    assert len(re.findall(r'name="weekdays" value="\d" id="replay-weekday-\d" checked', html)) == 7
    assert "sim.replay" not in html, "a label without its translation"
    assert 'id="tab-replay" class="active"' in html and 'href="/simulation"' in html
    scenarios = planner.get("/simulation").text
    assert 'id="tab-scenarios" class="active"' in scenarios and 'href="/simulation/replay"' in scenarios

    ran = planner.get("/simulation/replay", params=page_query(weekdays="7,1")).text
    ticked = re.findall(r'value="(\d)" id="replay-weekday-\d" checked', ran)
    assert sorted(ticked) == ["1", "7"] and "Actual against simulated: PS" in ran

    manager = as_user(client, "max")
    chinese = manager.get("/simulation/replay", params=page_query()).text
    assert "历史回放" in chinese and "实际与仿真对比：PS" in chinese
    assert "sim.replay" not in chinese and "周日" in chinese and "按等待过的通话校准" in chinese
    assert [d["label"] for d in chart_of(chinese)["data"]["datasets"]][0] == "服务水平（实际）"


def test_agents_are_refused(client: TestClient) -> None:
    """Without the run_simulations right the API and the page answer 403."""
    agent = as_user(client, "amy")
    assert agent.get("/api/simulation/replay", params=QUERY).status_code == 403
    assert agent.get("/simulation/replay", params=page_query()).status_code == 403
    assert agent.get("/simulation/replay").status_code == 403
