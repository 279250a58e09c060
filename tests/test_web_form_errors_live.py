"""The live agent-state forms answer a refused change on the page: the lead's form on the wallboard beside its field
with what was typed kept, the agent's own buttons above them, in the viewer's language (English and zh-CN)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Agent, Role
from callops.store.directory import save_agent, save_team
from callops.store.live_events import append_events
from callops.store.schema import live_events, users
from callops.web import create_app
from live_floor_site import FLOOR, NOW, TZ
from web_sign_in import login, password_hash


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        conn.execute(
            users.insert(),
            [
                {
                    "username": name,
                    "password_hash": password_hash(),
                    "role": role.value,
                    "agent_id": agent,
                    "locale": "en",
                    "tz": TZ,
                    "active": True,
                }
                for name, role, agent in (("lead", Role.TEAM_LEAD, None), ("amy", Role.AGENT, "A9"))
            ],
        )
        save_team(conn, "floor", lead="lead")
        for agent in ("A1", "A9"):
            save_agent(conn, Agent(agent, agent, team="floor"))
        append_events(conn, FLOOR)
    app = create_app(
        Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="t", site_tz=TZ),
        clock=lambda: NOW,
    )
    with TestClient(app) as test_client:
        yield test_client


def _messages(page: str) -> dict[str, str]:
    found = re.findall(r'id="(err-[a-z_]+|form-error|live-agent-error|live-set-result)"[^>]*>([^<]*)<', page)
    return {key: html.unescape(text) for key, text in found}


def _as(client: TestClient, name: str, locale: str) -> str:
    token = login(client, name)
    if locale != "en":
        client.post("/language", data={"locale": locale, "csrf_token": token, "next": "/live"})
    return token


def _events(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(live_events)).scalar_one())


@pytest.mark.parametrize(
    ("locale", "reason_error", "phone_error", "saved"),
    [
        ("en", "say why the agent is away", "this state is set by the phone system, not by a person", "Saved"),
        ("zh-CN", "请说明坐席离开的原因", "此状态由电话系统设置，不能手动选择", "已保存"),
    ],
)
def test_lead_form_on_the_wallboard(
    client: TestClient, engine: sa.Engine, locale: str, reason_error: str, phone_error: str, saved: str
) -> None:
    """Away without a reason, a state only the phone system sets, and no agent are each named beside their field
    (400) with the agent, state and reason typed still in the form; nothing is logged; a good change saves."""
    token = _as(client, "lead", locale)
    before = _events(engine)
    r = client.post("/live/state", data={"csrf_token": token, "agent": "A1", "state": "away", "reason": " "})
    assert r.status_code == 400 and _messages(r.text)["err-reason"] == reason_error
    assert 'id="live-set-agent" required maxlength="80" value="A1"' in r.text
    assert '<option value="away" selected>' in r.text
    r = client.post("/live/state", data={"csrf_token": token, "agent": "A1", "state": "on_call", "reason": "busy"})
    assert r.status_code == 400 and _messages(r.text)["err-state"] == phone_error and 'value="busy"' in r.text
    r = client.post("/live/state", data={"csrf_token": token, "agent": " ", "state": "ready"})
    assert r.status_code == 400 and "err-agent" in _messages(r.text)
    r = client.post("/live/state", data={"csrf_token": token, "agent": "A1", "state": "sleeping"})
    assert r.status_code == 400 and "err-state" in _messages(r.text)
    assert _events(engine) == before
    ok = client.post(
        "/live/state",
        data={"csrf_token": token, "agent": "A1", "state": "away", "reason": "Meeting"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/live?saved=1"
    assert _messages(client.get(ok.headers["location"]).text)["live-set-result"] == saved
    assert _events(engine) == before + 1


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("en", "an agent cannot go from logged_out to after_call_work directly"),
        ("zh-CN", "坐席不能从当前状态直接转到所选状态"),
    ],
)
def test_agent_buttons_answer_on_the_page(client: TestClient, locale: str, message: str) -> None:
    """A press the state machine refuses answers 400 on the agent's page in their language (not a redirect carrying
    English text in the address)."""
    token = _as(client, "amy", locale)
    r = client.post("/live/agent", data={"csrf_token": token, "state": "after_call_work"}, follow_redirects=False)
    assert r.status_code == 400 and _messages(r.text)["live-agent-error"] == message
    assert 'id="press-ready"' in r.text
    r = client.post("/live/agent", data={"csrf_token": token, "state": "away", "reason": "x" * 81})
    assert r.status_code == 400 and "err-reason" in _messages(r.text)
