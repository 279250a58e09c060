"""The live floor the web tests share: a queue with calls answered, abandoned and waiting at NOW (``FLOOR``),
the app over it with a manager, two team leads, a planner and an agent (the ``client`` fixture), and signing in."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.live.events import LiveEvent, LiveEventKind
from callops.records import Agent, Role
from callops.store.directory import save_agent, save_team
from callops.store.live_events import append_events
from callops.web import create_app
from web_sign_in import insert_users, login

__all__ = ["TZ", "NOW", "SRC", "K", "FLOOR", "event_ago", "client", "as_user"]

TZ = "Asia/Shanghai"
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=zoneinfo.ZoneInfo(TZ)).astimezone(dt.UTC)
K = LiveEventKind  # short for the floor's table
SRC = "asterisk:/var/log/asterisk/queue_log"


def event_ago(kind: LiveEventKind, seconds_ago: float, **kw: Any) -> LiveEvent:
    """An event of the floor's source ``seconds_ago`` before NOW."""
    return LiveEvent(kind, NOW - dt.timedelta(seconds=seconds_ago), SRC, **kw)


FLOOR = [
    event_ago(K.AGENT_STATE, 3600, agent="A1", queue="sales", state="ready", data={"queues": "sales"}),
    event_ago(K.AGENT_STATE, 3600, agent="A2", queue="sales", state="ready", data={"queues": "sales"}),
    event_ago(K.CALL_OFFERED, 300, call_id="c1@sales", queue="sales"),
    event_ago(K.CALL_ANSWERED, 290, call_id="c1@sales", queue="sales", agent="A1"),  # 10 s wait: within 20 s
    event_ago(K.CALL_OFFERED, 200, call_id="c2@sales", queue="sales"),
    event_ago(K.CALL_ABANDONED, 160, call_id="c2@sales", queue="sales"),  # 40 s wait
    event_ago(K.CALL_OFFERED, 30, call_id="c3@sales", queue="sales"),  # still waiting, 30 s
    event_ago(K.CALL_OFFERED, 86_400, call_id="old@sales", queue="sales"),  # yesterday: not today's count
    event_ago(K.CALL_ABANDONED, 86_390, call_id="old@sales", queue="sales"),
]


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    """The app (clock at NOW) over FLOOR: boss, lead (team floor: A1, A9), pat, amy (A9), lead2 (no team)."""
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("lead", Role.TEAM_LEAD, None, "en"),
                            ("pat", Role.PLANNER, None, "en"), ("amy", Role.AGENT, "A9", "en"),
                            ("lead2", Role.TEAM_LEAD, None, "en")], tz=TZ)
        save_team(conn, "floor", lead="lead")  # lead's team: A1 and A9; lead2 leads none
        for agent in ("A1", "A9"):
            save_agent(conn, Agent(agent, agent, team="floor"))
        append_events(conn, FLOOR)
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, secret_key="test-secret", site_tz=TZ), clock=lambda: NOW)
    with TestClient(app) as test_client:
        yield test_client


def as_user(client: TestClient, name: str) -> TestClient:
    """The client signed in as ``name``, sending the session's CSRF token on every call."""
    client.headers["X-CSRF-Token"] = login(client, name)
    return client
