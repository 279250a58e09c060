"""Desk forms say why a value is refused in the viewer's language: a number that is not a phone number and a
ticket move its state cannot make read in Chinese for a zh-CN user, beside their fields, with what was typed kept."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desk_site import NOW, desk_site
from quality_site import Clock
from web_sign_in import PASSWORD


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with desk_site(engine, Clock(NOW)) as test_client:
        yield test_client


def _error(page: str, element: str) -> str:
    found = re.search(rf'id="{element}"[^>]*>([^<]*)<', page)
    assert found, element
    return html.unescape(found.group(1))


@pytest.mark.parametrize(
    ("locale", "phone", "move"),
    [
        ("en", "“12345” is neither a Chinese mobile", "a ticket in state resolved cannot move to new"),
        ("zh-CN", "“12345”既不是手机号", "工单当前的状态不能转到所选状态"),
    ],
)
def test_desk_refusals_in_the_viewers_language(client: TestClient, locale: str, phone: str, move: str) -> None:
    token = str(client.post("/api/login", json={"username": "amy", "password": PASSWORD}).json()["csrf_token"])
    if locale != "en":
        client.post("/language", data={"locale": locale, "csrf_token": token, "next": "/desk"})
    bad = client.post(
        "/desk/contact",
        data={"csrf_token": token, "phone": "12345", "category": "complaint", "notes": "账单错误", "outcome": "open"},
    )
    assert bad.status_code == 400 and _error(bad.text, "err-phone").startswith(phone) and "账单错误" in bad.text
    saved = client.post(
        "/desk/contact",
        data={
            "csrf_token": token,
            "phone": "13800138000",
            "category": "complaint",
            "notes": "账单错误",
            "outcome": "open",
            "callback_at": "2026-03-03T10:00",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    path = saved.headers["location"]
    assert client.post(path, data={"csrf_token": token, "state": "resolved"}, follow_redirects=False).status_code == 303
    refused = client.post(path, data={"csrf_token": token, "state": "new", "note": "keep me"})
    assert refused.status_code == 400 and _error(refused.text, "err-state").startswith(move)
    assert "keep me" in refused.text
