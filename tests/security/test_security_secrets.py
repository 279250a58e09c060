"""Item 4: production refuses weak keys and unknown environments; demo data stays out of production; workers
without a configured key share one."""

from __future__ import annotations

import secrets

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.errors import InvalidInput
from callops.web import create_app
from security_site import api_login, bearer


@pytest.mark.parametrize("key", ["", "k9", "a" * 64, "correct horse battery staple 123"])
def test_production_refuses_weak_keys(key: str) -> None:
    """Missing, short and low-entropy keys are refused in production, naming CALLOPS_SECRET_KEY."""
    with pytest.raises(InvalidInput) as refused:
        Settings.from_env({"CALLOPS_ENV": "production", "CALLOPS_SECRET_KEY": key})
    assert refused.value.field == "CALLOPS_SECRET_KEY"


def test_production_takes_random_keys() -> None:
    """32 random bytes, as token_urlsafe or token_hex, are accepted."""
    for key in (secrets.token_urlsafe(32), secrets.token_hex(32)):
        assert Settings.from_env({"CALLOPS_ENV": "production", "CALLOPS_SECRET_KEY": key}).secret_key == key


def test_an_unknown_environment_is_an_error() -> None:
    """CALLOPS_ENV=prod is a typo, not development mode."""
    with pytest.raises(InvalidInput) as refused:
        Settings.from_env({"CALLOPS_ENV": "prod"})
    assert refused.value.field == "CALLOPS_ENV"


def test_demo_load_refuses_production(db_url: str) -> None:
    """`callops demo load` does not create its published logins in production."""
    env = {"CALLOPS_DATABASE_URL": db_url, "CALLOPS_ENV": "production", "CALLOPS_SECRET_KEY": secrets.token_hex(32)}
    result = CliRunner(env=env).invoke(cli, ["demo", "load"])
    assert result.exit_code == 1 and "CALLOPS_ENV=production" in result.output


def test_workers_without_a_key_share_one(db_url: str) -> None:
    """Two app instances (two workers) on one database without CALLOPS_SECRET_KEY accept each other's tokens."""
    first, second = (create_app(Settings(database_url=db_url)) for _ in range(2))
    with TestClient(first) as one, TestClient(second) as two:
        token = api_login(one, "boss")
        assert two.get("/api/me", headers=bearer(token)).status_code == 200
