"""Shared by the security regression tests (issue 17): a database with one user per role and a few calls."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.store import make_engine
from callops.web import create_app
from security_site import SECRET, MakeApp, seed


@pytest.fixture
def db_url(engine: sa.Engine) -> str:
    """The ``engine`` database with one user per role (password PASSWORD) and a few calls of agents A1, A2."""
    return seed(engine)


@pytest.fixture
def sqlite_url(_migrated_urls: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A seeded SQLite database only, for tests whose subject is not the store (the API fuzz)."""
    copy = tmp_path / "fuzz.db"
    shutil.copyfile(sa.make_url(_migrated_urls["sqlite"]).database or "", copy)
    engine = make_engine(f"sqlite:///{copy}")
    try:
        yield seed(engine)
    finally:
        engine.dispose()


@pytest.fixture
def make_app(db_url: str) -> MakeApp:
    def make(**settings: object) -> FastAPI:
        values: dict[str, object] = {"database_url": db_url, "secret_key": SECRET, **settings}
        return create_app(Settings(**values))  # type: ignore[arg-type]

    return make


@pytest.fixture
def client(make_app: MakeApp) -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


