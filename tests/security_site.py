"""Shared pieces of the security suite (tests/security): users of every role, a few calls, sign-in helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callops.records import Call, Direction, Outcome, Role
from callops.store.records import insert_calls
from web_sign_in import PASSWORD as PASSWORD  # the security tests sign in with it
from web_sign_in import insert_users

SECRET = "test-secret-for-the-security-suite-0123456789"
ROLES = {"admin": (Role.ADMIN, None), "boss": (Role.MANAGER, None), "lead": (Role.TEAM_LEAD, None),
         "qa": (Role.QA, None), "amy": (Role.AGENT, "A1"), "bob": (Role.AGENT, "A2")}


def _call(n: int, at: dt.datetime, agent: str, queue: str = "PS") -> Call:
    return Call(source="test", source_call_id=f"c{n}", direction=Direction.INBOUND, outcome=Outcome.ANSWERED,
                queue=queue, call_type="retail", caller_number=f"1381234{n:04d}", queue_entered_at=at,
                answered_at=at + dt.timedelta(seconds=12), ended_at=at + dt.timedelta(seconds=200), agent=agent,
                talk_s=180.0)


def seed(engine: sa.Engine) -> str:
    with engine.begin() as conn:
        insert_users(conn, [(name, role, agent, "en") for name, (role, agent) in ROLES.items()])
        start = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
        insert_calls(conn, [_call(n, start + dt.timedelta(hours=n), "A1" if n % 2 else "A2") for n in range(1, 9)])
    return engine.url.render_as_string(hide_password=False)


MakeApp = Callable[..., FastAPI]



def api_login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API; the bearer token."""
    response = client.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
