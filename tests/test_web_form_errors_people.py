"""The team page's coaching form answers a bad value beside its field, in the viewer's language (English and
zh-CN), with everything typed kept and nothing stored."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Role
from callops.store.directory import save_team
from callops.store.people_coaching import list_sessions
from callops.web import create_app
from web_sign_in import insert_users, login

FORM = {
    "agent": "a1",
    "held_on": "2024-04-03",
    "kind": "recognition",
    "topic": "Complaints",
    "call_ids": "",
    "actions": "Take the recovery minute",
    "follow_up_on": "2024-04-17",
}


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        save_team(conn, "t1")
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("chief", Role.MANAGER, None, "zh-CN")])
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="t"))
    with TestClient(app) as test_client:
        yield test_client


def _messages(page: str) -> dict[str, str]:
    found = re.findall(r'id="(err-[a-z_]+|form-error)"[^>]*>([^<]*)<', page)
    return {key: html.unescape(text) for key, text in found}


@pytest.mark.parametrize(
    ("user", "date_error", "calls_error"),
    [
        ("boss", "a date as YYYY-MM-DD, please", "linked calls are call ids separated by spaces or commas"),
        ("chief", "请输入日期，格式 YYYY-MM-DD", "关联电话请填写电话编号，用空格或逗号分隔"),
    ],
)
def test_coaching_form_keeps_what_was_typed(
    client: TestClient, engine: sa.Engine, user: str, date_error: str, calls_error: str
) -> None:
    token = login(client, user)
    r = client.post("/people/team/coaching", data=FORM | {"csrf_token": token, "held_on": "someday"})
    assert r.status_code == 400 and _messages(r.text)["err-held_on"] == date_error
    assert 'value="Take the recovery minute"' in r.text and 'value="someday"' in r.text
    assert '<option value="recognition" selected>' in r.text
    r = client.post("/people/team/coaching", data=FORM | {"csrf_token": token, "call_ids": "12, x7"})
    assert r.status_code == 400 and _messages(r.text)["err-call_ids"] == calls_error and 'value="12, x7"' in r.text
    r = client.post("/people/team/coaching", data=FORM | {"csrf_token": token, "call_ids": str(2**70)})
    assert r.status_code == 400 and "err-call_ids" in _messages(r.text)
    r = client.post("/people/team/coaching", data=FORM | {"csrf_token": token, "topic": "  "})
    assert r.status_code == 400 and "err-topic" in _messages(r.text)
    with engine.connect() as conn:
        assert list_sessions(conn) == []
    unknown = client.post("/people/team/coaching", data=FORM | {"csrf_token": token})  # a1 has no people record
    assert unknown.status_code == 400 and "err-agent" in _messages(unknown.text) and 'value="a1"' in unknown.text
