"""Login throttling over HTTP (page and API) on SQLite and PostgreSQL, with the app's clock set by the test."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import httpx2
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.login_throttle import FailureScope, ThrottlePolicy
from callops.records import Role
from callops.store.login_failures import recent_failures, record_failure
from callops.web import create_app
from callops.web.login_guard import Attempt, LoginGuard, LoginThrottled
from web_sign_in import PASSWORD, insert_users

WRONG = "wrong-pass"
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
HERE, THERE, PROXY = "198.51.100.1", "198.51.100.2", "10.0.0.2"

MakeClient = Callable[..., TestClient]


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def make_client(engine: sa.Engine, clock: Clock) -> Iterator[MakeClient]:
    """Clients of one app over ``engine`` (users boss and amy), each from its own address."""
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("amy", Role.AGENT, "A1", "en")])
    url = engine.url.render_as_string(hide_password=False)
    apps = {}
    with ExitStack() as stack:

        def make(address: str, *, trusted_proxies: tuple[str, ...] = ()) -> TestClient:
            if trusted_proxies not in apps:
                settings = Settings(database_url=url, secret_key="test-secret", trusted_proxies=trusted_proxies)
                apps[trusted_proxies] = create_app(settings, clock=clock)
            return stack.enter_context(TestClient(apps[trusted_proxies], client=(address, 50000)))

        yield make


def form_login(client: TestClient, username: str, password: str, **headers: str) -> httpx2.Response:
    """Sign in through the page's form (with its CSRF token); the response is not followed."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token.group(1)},
                       headers=headers, follow_redirects=False)


def api_login(client: TestClient, username: str, password: str) -> httpx2.Response:
    return client.post("/api/login", json={"username": username, "password": password})


def lock(client: TestClient, username: str) -> None:
    """Five wrong passwords: each answered 401, as before throttling."""
    for _ in range(5):
        assert form_login(client, username, WRONG).status_code == 401


def test_five_wrong_passwords_lock_the_user_name_from_any_address(make_client: MakeClient, clock: Clock) -> None:
    """After 5 failures the right password is refused with 429 and Retry-After, on the page and the API,
    from this address and any other, and no session starts."""
    here, there = make_client(HERE), make_client(THERE)
    lock(here, "boss")
    page = form_login(here, "boss", PASSWORD)
    assert page.status_code == 429 and page.headers["retry-after"] == "900"
    assert 'id="login-locked"' in page.text and 'id="login-error"' not in page.text
    assert "15 分钟后再试" in page.text  # nobody signed in: the page is in zh-CN
    assert here.get("/api/me").status_code == 401
    clock.advance(minutes=10)
    api = api_login(there, "boss", PASSWORD)
    assert api.status_code == 429 and api.headers["retry-after"] == "300"
    assert api.json()["error"] == "too_many_attempts" and "300 s" in api.json()["message"]
    assert "token" not in api.json()


def test_the_lock_page_is_translated(make_client: MakeClient) -> None:
    """After switching to English the lock message is English, with the minutes left."""
    here = make_client(HERE)
    lock(here, "boss")
    token = re.search(r'name="csrf_token" value="([^"]+)"', here.get("/login").text)
    assert token is not None
    here.post("/language", data={"locale": "en", "csrf_token": token.group(1)})
    page = form_login(here, "boss", PASSWORD)
    assert page.status_code == 429 and "Too many failed sign-ins" in page.text and "15 min" in page.text


def test_other_users_still_sign_in(make_client: MakeClient) -> None:
    """A locked user name does not stop another user, from another address or from the same one."""
    here, there = make_client(HERE), make_client(THERE)
    lock(here, "boss")
    assert form_login(there, "amy", PASSWORD).status_code == 303
    assert api_login(make_client(HERE), "amy", PASSWORD).status_code == 200


def test_the_lock_ends_after_the_lockout(make_client: MakeClient, clock: Clock) -> None:
    """Refused attempts do not prolong the lock: one second before its end Retry-After is 1, then the user signs in."""
    here = make_client(HERE)
    lock(here, "boss")
    clock.advance(minutes=14, seconds=59)
    refused = form_login(here, "boss", PASSWORD)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    clock.advance(seconds=1)
    assert form_login(here, "boss", PASSWORD).status_code == 303
    assert here.get("/api/me").json()["username"] == "boss"


def test_failures_spread_beyond_the_window_do_not_lock(make_client: MakeClient, clock: Clock) -> None:
    """Five failures over more than 15 minutes leave the user free to sign in."""
    here = make_client(HERE)
    for _ in range(5):
        assert api_login(here, "boss", WRONG).status_code == 401
        clock.advance(minutes=4)
    assert api_login(here, "boss", PASSWORD).status_code == 200


def test_unknown_user_names_lock_alike(make_client: MakeClient) -> None:
    """A name nobody has locks after the same 5 failures and gets the very same refusal as a real user."""
    here = make_client(HERE)
    lock(here, "ghost")
    lock(here, "boss")
    ghost, boss = api_login(here, "ghost", PASSWORD), api_login(here, "boss", PASSWORD)
    assert ghost.status_code == boss.status_code == 429
    assert ghost.json() == boss.json() and ghost.headers["retry-after"] == boss.headers["retry-after"] == "900"


def test_a_success_resets_the_user_name_count(make_client: MakeClient) -> None:
    """Four failures, a success, then four more failures: no lock; the fifth after the success locks."""
    here = make_client(HERE)
    for _ in range(4):
        assert api_login(here, "boss", WRONG).status_code == 401
    assert api_login(here, "boss", PASSWORD).status_code == 200
    for _ in range(5):
        assert api_login(here, "boss", WRONG).status_code == 401
    assert api_login(here, "boss", PASSWORD).status_code == 429


def test_many_failures_from_one_address_lock_it_whatever_the_header_says(engine: sa.Engine,
                                                                        make_client: MakeClient) -> None:
    """The address limit's failures from one address, over any names, lock it even for a right password; a forged
    X-Forwarded-For does not move the count (no trusted proxy), and other addresses are not affected."""
    with engine.begin() as conn:
        for _ in range(ThrottlePolicy().max_failures_per_address - 2):
            record_failure(conn, FailureScope.ADDRESS, HERE, at=T0)
    here = make_client(HERE)
    for n in range(2):
        forged = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert form_login(here, f"guess{n}", WRONG, **forged).status_code == 401
    assert form_login(here, "boss", PASSWORD, **{"X-Forwarded-For": "203.0.113.99"}).status_code == 429
    assert api_login(here, "amy", PASSWORD).status_code == 429
    assert api_login(make_client(THERE), "boss", PASSWORD).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(engine: sa.Engine, make_client: MakeClient) -> None:
    """With CALLOPS_TRUSTED_PROXIES naming the proxy, each forwarded client has its own count, not the proxy."""
    with engine.begin() as conn:
        for _ in range(ThrottlePolicy().max_failures_per_address - 1):
            record_failure(conn, FailureScope.ADDRESS, "203.0.113.9", at=T0)
    proxy = make_client(PROXY, trusted_proxies=("10.0.0.0/24",))
    assert form_login(proxy, "guess", WRONG, **{"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    assert form_login(proxy, "boss", PASSWORD, **{"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    assert form_login(proxy, "boss", PASSWORD, **{"X-Forwarded-For": "203.0.113.10"}).status_code == 303
    with engine.connect() as conn:
        assert recent_failures(conn, FailureScope.ADDRESS, PROXY, since=T0, limit=5) == []


def test_refusals_are_logged_without_passwords(make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    """The lock and each refused attempt are warnings naming the user name and address, never a password."""
    here = make_client(HERE)
    with caplog.at_level(logging.WARNING, logger="callops.web.login_guard"):
        lock(here, "boss")
        form_login(here, "boss", PASSWORD)
        api_login(here, "boss", PASSWORD)
    messages = [r.getMessage() for r in caplog.records if r.name == "callops.web.login_guard"]
    assert len(messages) == 3
    assert "locked" in messages[0] and all("'boss'" in m and HERE in m for m in messages)
    assert all(m.startswith("sign-in refused") for m in messages[1:])
    assert not any(PASSWORD in m or WRONG in m for m in messages)


def test_concurrent_guesses_get_at_most_the_limit_through(engine: sa.Engine) -> None:
    """Thirty simultaneous attempts on one user name: no more than 5 reach the password check and the rest are
    refused, leaving no rows; attempts after the burst fill up to exactly 5 admitted, then the name is locked."""
    policy = ThrottlePolicy()

    def attempt(n: int) -> Attempt | None:
        with engine.connect() as conn:  # one connection per attempt, as one request has
            try:
                return LoginGuard(conn=conn, policy=policy, now=T0, address=f"198.51.100.{n + 10}").begin("boss")
            except LoginThrottled:
                return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        admitted = [a for a in pool.map(attempt, range(30)) if a is not None]
    assert 1 <= len(admitted) <= policy.max_failures_per_user
    with engine.connect() as conn:
        assert len(recent_failures(conn, FailureScope.USER, "boss", since=T0, limit=50)) == len(admitted)
    later = [attempt(100 + n) for n in range(policy.max_failures_per_user)]
    assert len(admitted) + sum(a is not None for a in later) == policy.max_failures_per_user
    with engine.connect() as conn, pytest.raises(LoginThrottled):
        LoginGuard(conn=conn, policy=policy, now=T0, address=HERE).begin("boss")


def test_an_admin_lifts_a_lock_from_the_cli(make_client: MakeClient, db_url: str) -> None:
    """`callops users unlock NAME` forgets the name's failures: the locked user signs in at once; unlocking an
    unlocked name says so."""
    from click.testing import CliRunner

    from callops.cli import cli

    here, there = make_client(HERE), make_client(THERE)
    lock(here, "boss")
    assert form_login(there, "boss", PASSWORD).status_code == 429
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url})
    out = runner.invoke(cli, ["users", "unlock", "boss"], catch_exceptions=False)
    assert out.exit_code == 0 and "boss: 5 failed sign-ins forgotten" in out.output
    assert form_login(there, "boss", PASSWORD).status_code == 303
    again = runner.invoke(cli, ["users", "unlock", "boss"], catch_exceptions=False)
    assert "it was not locked" in again.output
