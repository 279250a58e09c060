"""``callops serve`` is registered with its options, refuses bad settings before starting, and runs several worker
processes that share sessions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.records import Role
from web_sign_in import PASSWORD, insert_users


def test_serve_is_a_command_with_host_port_reload() -> None:
    """The command group lists serve, and its help names --host, --port and --reload."""
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output and "--reload" in result.output


def test_serve_refuses_a_bad_port_and_bad_settings() -> None:
    """A port outside 1-65535 and an unknown site zone both stop serve with exit code non-zero."""
    assert CliRunner().invoke(cli, ["serve", "--port", "70000"]).exit_code == 2
    result = CliRunner().invoke(cli, ["serve"], env={"CALLOPS_TZ": "Mars/Olympus"})
    assert result.exit_code == 1 and "CALLOPS_TZ" in result.output


def test_serve_refuses_reload_with_workers() -> None:
    result = CliRunner().invoke(cli, ["serve", "--reload", "--workers", "2"])
    assert result.exit_code == 2 and "--reload" in result.output
    assert CliRunner().invoke(cli, ["serve", "--workers", "0"]).exit_code == 2


def test_two_worker_processes_share_sessions(engine: sa.Engine, db_url: str) -> None:
    """``serve --workers 2`` on a database without CALLOPS_SECRET_KEY: both processes sign with the key kept in the
    database, so a token from one worker's login is good on whichever answers (a fresh connection per request)."""
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en")])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CALLOPS_DATABASE_URL": db_url}
    env.pop("CALLOPS_SECRET_KEY", None)
    command = [str(Path(sys.executable).parent / "callops"), "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                token = httpx.post(f"{base}/api/login", json={"username": "boss", "password": PASSWORD}).json()["token"]
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        answers = {httpx.get(f"{base}/api/me", headers={"Authorization": f"Bearer {token}"}).status_code
                   for _ in range(20)}
        assert answers == {200}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert output.count("Started server process") == 2, output
