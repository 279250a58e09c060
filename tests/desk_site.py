"""The service desk's test site: users (manager, a team lead with two agents, an agent of another team, QA),
their teams, and the app over a test database with a clock the test sets."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Role
from callops.store.schema import agents, teams
from callops.web import create_app
from quality_site import Clock
from web_sign_in import PASSWORD, insert_users

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai

USERS = [("boss", Role.MANAGER, None), ("lead", Role.TEAM_LEAD, None), ("amy", Role.AGENT, "A1"),
         ("bob", Role.AGENT, "A2"), ("cid", Role.AGENT, "C1"), ("qa1", Role.QA, None)]


@contextmanager
def desk_site(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    """The app over ``engine`` with the desk users; team T1 (lead ``lead``) has A1 and A2, team T2 has C1."""
    with engine.begin() as conn:
        conn.execute(teams.insert(), [{"name": "T1", "lead": "lead"}, {"name": "T2", "lead": None}])
        conn.execute(agents.insert(), [{"agent_id": a, "name": a, "team": t, "active": True}
                                       for a, t in (("A1", "T1"), ("A2", "T1"), ("C1", "T2"))])
        insert_users(conn, [(name, role, agent, "en") for name, role, agent in USERS])
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="t"),
                     clock=clock)
    with TestClient(app) as test_client:
        yield test_client


def api_login(client: TestClient, username: str) -> str:
    """Sign ``client`` in through the API's session login; returns the session's CSRF token."""
    return str(client.post("/api/login", json={"username": username, "password": PASSWORD}).json()["csrf_token"])


def bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/login", json={"username": username, "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}
