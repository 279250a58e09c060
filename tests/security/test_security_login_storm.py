"""Item 1: a storm of sign-ins never stalls the site, and no request holds two pooled connections."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from browser_harness import serve
from security_site import PASSWORD, MakeApp, api_login, bearer


def test_fifty_concurrent_logins_while_a_signed_in_user_keeps_working(make_app: MakeApp) -> None:
    """50 sign-ins at once against a real uvicorn (SQLite and PostgreSQL): none answers 5xx (a sign-in that found
    every slot taken is a 429 with Retry-After), none hangs, and a signed-in user's /api/me keeps answering 200."""
    app = make_app()
    with serve(app) as site, httpx.Client(base_url=site, timeout=60) as me:
        token = me.post("/api/login", json={"username": "boss", "password": PASSWORD}).json()["token"]
        stop = threading.Event()
        me_results: list[tuple[int, float]] = []

        def keep_working() -> None:
            while not stop.is_set():
                started = time.monotonic()
                status = me.get("/api/me", headers=bearer(token)).status_code
                me_results.append((status, time.monotonic() - started))

        def log_in(n: int) -> tuple[int, float, str | None]:
            started = time.monotonic()
            with httpx.Client(base_url=site, timeout=60) as one:
                name = ["admin", "lead", "qa", "amy", "bob"][n % 5]
                password = PASSWORD if n % 2 else "wrong-password"
                response = one.post("/api/login", json={"username": name, "password": password})
            return response.status_code, time.monotonic() - started, response.headers.get("retry-after")

        worker = threading.Thread(target=keep_working)
        worker.start()
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(log_in, range(50)))
        elapsed = time.monotonic() - started
        stop.set()
        worker.join(timeout=60)
    statuses = [s for s, _, _ in results]
    assert set(statuses) <= {200, 401, 429}, statuses
    assert all(retry is not None for s, _, retry in results if s == 429)
    assert 200 in statuses and 401 in statuses
    assert elapsed < 25, f"the storm took {elapsed:.1f} s"
    assert me_results and all(status == 200 for status, _ in me_results), me_results
    assert max(seconds for _, seconds in me_results) < 15


def _routes_to_visit() -> list[str]:
    return ["/", "/calls", "/agents", "/reports", "/workforce", "/simulation", "/qa", "/api/me", "/api/calls",
            "/api/agents", "/login", "/account/password"]


def test_no_request_holds_two_pooled_connections(make_app: MakeApp) -> None:
    """Sweep: the sign-in page and API, logout, password change and the main pages and API each check out at most
    one pooled connection at a time (counted by the pool's checkout and checkin events)."""
    app = make_app()
    engine: sa.Engine = app.state.web.engine
    out = 0
    most = 0
    lock = threading.Lock()

    def checkout(*_args: object) -> None:
        nonlocal out, most
        with lock:
            out += 1
            most = max(most, out)

    def checkin(*_args: object) -> None:
        nonlocal out
        with lock:
            out -= 1

    sa.event.listen(engine, "checkout", checkout)
    sa.event.listen(engine, "checkin", checkin)
    with TestClient(app) as client:
        client.post("/api/login", json={"username": "boss", "password": "wrong-password"})
        token = api_login(client, "boss")
        for path in _routes_to_visit():
            assert client.get(path).status_code < 500, path
            assert client.get(path, headers=bearer(token)).status_code < 500, path
        changed = client.post("/api/me/password", headers=bearer(token),
                              json={"current_password": PASSWORD, "new_password": "another-pass-1"})
        assert changed.status_code == 200, changed.text
        assert client.post("/api/logout", headers=bearer(changed.json()["token"])).status_code == 204
    assert most == 1, f"{most} pooled connections were held at once by one request"
