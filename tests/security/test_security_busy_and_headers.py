"""Item 6 (web side): a SQLite database locked by a writer answers 503 with Retry-After, not 500. Item 11: HSTS
over TLS, no Server header."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient

from callops.cli.serve import UVICORN_OPTIONS
from security_site import PASSWORD, MakeApp, api_login, bearer


def test_writes_during_a_held_write_lock_answer_503(make_app: MakeApp, engine: sa.Engine) -> None:
    """While another connection holds a write lock (SQLite's database lock, as an import takes; on PostgreSQL an
    exclusive lock on the table sign-ins write), a sign-in answers 503 with Retry-After within about the busy
    timeout, and reads keep working; after the lock is released the same sign-in succeeds."""
    app = make_app(db_busy_timeout_s=0.5)
    with TestClient(app) as client:
        token = api_login(client, "boss")
        holder = engine.raw_connection()
        try:
            cursor = holder.cursor()
            if engine.dialect.name == "sqlite":
                holder.driver_connection.isolation_level = None  # type: ignore[union-attr]
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("DELETE FROM login_failures")
            else:
                cursor.execute("LOCK TABLE login_failures IN EXCLUSIVE MODE")
            started = time.monotonic()
            busy = client.post("/api/login", json={"username": "lead", "password": PASSWORD})
            waited = time.monotonic() - started
            assert busy.status_code == 503, busy.text
            assert busy.headers["Retry-After"].isdigit() and busy.json()["error"] == "busy"
            assert waited < 5
            assert client.get("/api/me", headers=bearer(token)).status_code == 200
        finally:
            holder.rollback()
            holder.close()
        assert client.post("/api/login", json={"username": "lead", "password": PASSWORD}).status_code == 200


def test_hsts_over_tls_and_no_server_header(make_app: MakeApp) -> None:
    """Responses over https carry Strict-Transport-Security, plain http ones do not (outside production); a real
    uvicorn run with the options of `callops serve` sends no Server header."""
    with TestClient(make_app(), base_url="https://testserver") as tls:
        assert "max-age=" in tls.get("/login").headers["strict-transport-security"]
    with TestClient(make_app()) as plain:
        assert "strict-transport-security" not in plain.get("/login").headers
    app = make_app()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning",
                                           **UVICORN_OPTIONS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        response = httpx.get(f"http://127.0.0.1:{server.config.port}/login")
        assert response.status_code == 200 and "server" not in response.headers
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
