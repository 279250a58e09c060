"""Shared fixtures: paths to the public data, and the databases every store test runs on."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public data folder ../shared/data; tests needing it skip from a fresh clone."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present (fresh clone)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


# --- databases -------------------------------------------------------------------------------
# Store tests take the ``engine`` fixture and run twice: on SQLite and on the PostgreSQL server
# named by CALLOPS_TEST_POSTGRES_URL (an admin URL, default the local server; a scratch database
# is created for the session and dropped after it).

import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from callops.store import make_engine, upgrade  # noqa: E402
from callops.store.schema import metadata  # noqa: E402


def _postgres_admin_url() -> str:
    return os.environ.get("CALLOPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _upgrade(url: str) -> None:
    eng = make_engine(url)
    upgrade(eng)
    eng.dispose()


@pytest.fixture(scope="session")
def _migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    _upgrade(sqlite_url)
    urls["sqlite"] = sqlite_url
    admin_url = _postgres_admin_url()
    scratch = f"callops_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    pg_url = admin.url.set(database=scratch).render_as_string(hide_password=False)
    _upgrade(pg_url)
    urls["postgresql"] = pg_url
    yield urls
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    admin.dispose()


def _empty(engine: sa.Engine) -> None:
    """Delete every row (faster than migrating a new database for each test)."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, _migrated_urls: dict[str, str]) -> Iterator[sa.Engine]:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    eng = make_engine(_migrated_urls[request.param])
    _empty(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db_url(engine: sa.Engine) -> str:
    """The URL of the ``engine`` fixture's database, for CLI tests (CALLOPS_DATABASE_URL)."""
    return engine.url.render_as_string(hide_password=False)
