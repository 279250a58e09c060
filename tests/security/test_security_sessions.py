"""Item 2: sessions and tokens can be revoked (logout, password, role, disable), idle sessions end, all audited."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.store.audit_log import list_entries
from security_site import PASSWORD, MakeApp, api_login, bearer


def _form_login(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def test_a_cookie_copied_before_logout_no_longer_works(client: TestClient) -> None:
    """Logging out ends the session everywhere: the cookie copied before and the bearer token from before
    both answer 401 afterwards."""
    _form_login(client, "boss")
    copied = dict(client.cookies)
    token = api_login(client, "boss")
    assert client.get("/api/me").status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert csrf
    assert client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False).status_code == 303
    client.cookies.clear()
    for name, value in copied.items():
        client.cookies.set(name, value)
    assert client.get("/api/me").status_code == 401
    client.cookies.clear()
    assert client.get("/api/me", headers=bearer(token)).status_code == 401


def test_password_change_revokes_every_other_token(client: TestClient, engine: sa.Engine) -> None:
    """POST /api/me/password with the right current password ends the old tokens, answers a working new one
    and writes an audit row; a wrong current password is 400 naming the field."""
    old = api_login(client, "amy")
    other = api_login(client, "amy")
    wrong = client.post("/api/me/password", headers=bearer(old),
                        json={"current_password": "not-it-at-all", "new_password": "brand-new-pass"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "current_password"
    changed = client.post("/api/me/password", headers=bearer(old),
                          json={"current_password": PASSWORD, "new_password": "brand-new-pass"})
    assert changed.status_code == 200, changed.text
    assert client.get("/api/me", headers=bearer(old)).status_code == 401
    assert client.get("/api/me", headers=bearer(other)).status_code == 401
    assert client.get("/api/me", headers=bearer(changed.json()["token"])).json()["username"] == "amy"
    assert client.post("/api/login", json={"username": "amy", "password": PASSWORD}).status_code == 401
    assert api_login(client, "amy", "brand-new-pass")
    with engine.connect() as conn:
        audit = list_entries(conn, entity="user")
    assert [row.action for row in audit if row.key == "amy"] == ["user.password_changed"]
    assert not any("brand-new-pass" in f"{row.before}{row.after}" for row in audit)


def test_cli_disable_enable_passwd_and_role_revoke_and_audit(client: TestClient, db_url: str,
                                                              engine: sa.Engine) -> None:
    """`callops users disable` ends a live token and refuses sign-in; enable lets them back; passwd resets the
    password; role changes the role and ends the tokens; each writes an audit row naming the change."""
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url})

    def run(*args: str, stdin: str | None = None) -> str:
        result = runner.invoke(cli, ["users", *args], input=stdin, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    token = api_login(client, "bob")
    run("disable", "bob")
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert client.post("/api/login", json={"username": "bob", "password": PASSWORD}).status_code == 401
    run("enable", "bob")
    token = api_login(client, "bob")
    run("passwd", "bob", stdin="reset-by-admin\nreset-by-admin\n")
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    token = api_login(client, "bob", "reset-by-admin")
    assert "agent -> qa" in run("role", "bob", "--role", "qa")
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/me", headers=bearer(api_login(client, "bob", "reset-by-admin"))).json()["role"] == "qa"
    with engine.connect() as conn:
        rows = list(reversed(list_entries(conn, entity="user", key="bob")))
    assert [r.action for r in rows] == ["user.disabled", "user.enabled", "user.password_reset", "user.role_changed"]
    assert rows[0].changes() == [("active", True, False)]
    assert rows[-1].changes() == [("role", "agent", "qa")]
    assert all(r.actor.startswith("cli") for r in rows)
    missing = runner.invoke(cli, ["users", "disable", "nobody"])
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output


class _Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_an_idle_cookie_session_ends(make_app: MakeApp) -> None:
    """A cookie session used within the idle timeout keeps going (each request renews it); one left idle longer
    is over."""
    from callops.config import Settings
    from callops.web import create_app

    clock = _Clock()
    base: Settings = make_app().state.web.settings
    app = create_app(Settings(database_url=base.database_url, secret_key=base.secret_key, idle_timeout_min=30),
                     clock=clock)
    with TestClient(app) as client:
        _form_login(client, "lead")
        for _ in range(3):
            clock.now += dt.timedelta(minutes=25)
            assert client.get("/api/me").status_code == 200
        clock.now += dt.timedelta(minutes=31)
        assert client.get("/api/me").status_code == 401
