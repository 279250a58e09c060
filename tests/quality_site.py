"""The QA site the web tests share: users, a week of calls, a clock the test moves, and the steps up to a drawn
sample (file, freeze, randomness, draw) and a first evaluation. Each test module declares its own ``clock`` and
``client`` fixtures with ``new_clock()`` and ``qa_site(engine, clock)``."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Agent, Call, Direction, Outcome, Role
from callops.store.directory import save_agent, save_team
from callops.store.records import insert_calls
from callops.web import create_app
from web_sign_in import PASSWORD, insert_users

UTC = dt.UTC

START = dt.datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


class Clock:
    """A clock the test sets."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def week_calls() -> list[Call]:
    out = []
    for day in range(5):
        for n, agent in enumerate(("A1", "A1", "A2", "A2", "A2")):
            at = START + dt.timedelta(days=day, hours=3 + n)
            out.append(Call(source="test", source_call_id=f"d{day}n{n}", direction=Direction.INBOUND,
                            outcome=Outcome.ANSWERED, queue="PS", queue_entered_at=at,
                            answered_at=at + dt.timedelta(seconds=5), ended_at=at + dt.timedelta(seconds=300),
                            agent=agent, talk_s=120.0 + n))
    return out


def new_clock() -> Clock:
    """Three days before the calls' week: rules filed now are in time."""
    return Clock(START - dt.timedelta(days=3))


@contextmanager
def qa_site(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    """The app over ``engine`` with the QA users and the week's calls, its QA clock set to ``clock``."""
    rows = [("boss", Role.MANAGER, None), ("lead", Role.TEAM_LEAD, None), ("qa1", Role.QA, None),
            ("amy", Role.AGENT, "A1"), ("bob", Role.AGENT, "A2"), ("root", Role.ADMIN, None),
            ("lead2", Role.TEAM_LEAD, None)]  # lead2 leads no team
    with engine.begin() as conn:
        insert_users(conn, [(name, role, agent, "en") for name, role, agent in rows], tz="UTC")
        insert_calls(conn, week_calls())
        save_team(conn, "floor", lead="lead")  # the lead's rights reach the agents of the teams they lead
        for agent_id, name in (("A1", "Amy"), ("A2", "Bob")):
            save_agent(conn, Agent(agent_id, name, team="floor"))
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="t"))
    app.state.qa_clock = clock
    with TestClient(app) as test_client:
        yield test_client


def bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/login", json={"username": username, "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


RULE = {"rule_id": "week10", "description": "per agent per week, the 2nd call longer than 60 s",
        "period": {"start": "2026-03-02T00:00:00Z", "end": "2026-03-07T00:00:00Z"}, "timezone": "UTC",
        "per": "agent_week", "select": {"pick": "random", "n": 2}, "filters": {"longer_than_s": 60}}

ANSWERS = {"greeting": {"value": True}, "verify": {"value": True}, "listening": {"value": 4},
           "solution": {"value": 5}, "arguing": {"value": 1, "comment": "argued", "time_marks_s": [42.0]}}


def drawn(client: TestClient, clock: Clock) -> dict[str, dict[str, str]]:
    """File, freeze, randomness and draw; returns the auth headers of every user."""
    h = {name: bearer(client, name) for name in ("boss", "lead", "qa1", "amy", "bob")}
    filed = client.post("/api/qa/rules", json=RULE, headers=h["qa1"])
    assert filed.status_code == 201, filed.text
    assert len(filed.json()["seed_commitment"]) == 64 and filed.json()["seed"] is None
    clock.now = dt.datetime(2026, 3, 7, 1, tzinfo=UTC)
    assert client.post("/api/qa/rules/week10/freeze", headers=h["qa1"]).json()["eligible_count"] == 25
    clock.now += dt.timedelta(hours=1)
    first = client.post("/api/qa/rules/week10/public-random", json={"value": "3 6 1 4 2 5"}, headers=h["boss"])
    assert first.json()["status"] == "waiting" and first.json()["rule"]["public_random"] is None
    assert client.post("/api/qa/rules/week10/draw", headers=h["qa1"]).status_code == 409
    second = client.post("/api/qa/rules/week10/public-random", json={"value": "3 6 1 4 2 5"}, headers=h["qa1"])
    assert second.json()["status"] == "confirmed" and second.json()["rule"]["public_random"] == "3 6 1 4 2 5"
    drawn = client.post("/api/qa/rules/week10/draw", headers=h["qa1"])
    assert drawn.status_code == 200, drawn.text
    assert drawn.json()["drawn"] and drawn.json()["seed"]
    return h


def evaluate_first(client: TestClient, h: dict[str, dict[str, str]], agent: str) -> str:
    queue = client.get("/api/qa/queue", headers=h["qa1"]).json()
    item = next(i for i in queue["items"] if i["agent"] == agent)
    made = client.post("/api/qa/evaluations", json={"call_id": item["call_id"], "answers": ANSWERS},
                       headers=h["qa1"])
    assert made.status_code == 201, made.text
    assert made.json()["targeted"] is False
    return str(made.json()["evaluation_key"])


def login_form(client: TestClient, username: str) -> str:
    """Sign in through the login form; the CSRF token of the QA home page."""
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
                    follow_redirects=False)
    assert r.status_code == 303
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/qa").text)
    assert found
    return found.group(1)
