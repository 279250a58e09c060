"""The password form names the field it refuses, in the user's language (English and zh-CN); a password is never
sent back into the page; a request missing a field is answered on the form, not with a bare error page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Role
from callops.web import create_app
from web_sign_in import PASSWORD, insert_users, login


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("lead", Role.TEAM_LEAD, None, "zh-CN")])
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="t"))
    with TestClient(app) as test_client:
        yield test_client


def _messages(page: str) -> dict[str, str]:
    found = re.findall(r'id="(err-[a-z_]+|password-error)"[^>]*>([^<]*)<', page)
    return {key: html.unescape(text) for key, text in found}


@pytest.mark.parametrize(
    ("user", "mismatch", "wrong", "short"),
    [
        (
            "boss",
            "The two new passwords differ.",
            "The current password is wrong.",
            "The new password needs 8 to 200 characters.",
        ),
        ("lead", "两次输入的新密码不一致。", "当前密码错误。", "新密码需要 8 至 200 个字符。"),
    ],
)
def test_each_refusal_sits_beside_its_field(
    client: TestClient, user: str, mismatch: str, wrong: str, short: str
) -> None:
    token = login(client, user)
    new = "a-new-password-9"
    r = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": PASSWORD, "new_password": new, "confirm_password": new + "x"},
    )
    assert r.status_code == 400 and _messages(r.text)["err-confirm_password"] == mismatch
    assert new not in r.text and PASSWORD not in r.text  # passwords are not echoed back
    r = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": "not-it", "new_password": new, "confirm_password": new},
    )
    assert r.status_code == 400 and _messages(r.text)["err-current_password"] == wrong
    r = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert r.status_code == 400 and _messages(r.text)["err-new_password"] == short
    r = client.post("/account/password", data={"csrf_token": token})  # no fields at all: still the form
    assert r.status_code == 400 and 'id="password-submit"' in r.text and "err-current_password" in _messages(r.text)
    login(client, user)  # nothing changed: the old password still signs in
