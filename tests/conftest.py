"""Shared fixtures: paths to the public data, and the databases every store test runs on."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from callops.store import make_engine, upgrade
from callops.store.schema import metadata

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


def _truncate_postgres(engine: sa.Engine) -> None:
    """Empty every table; TRUNCATE also passes the append-only audit log's row triggers."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, _migrated_urls: dict[str, str],
           tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated, empty database: SQLite (a copy of a migrated file), then PostgreSQL (truncated)."""
    if request.param == "sqlite":
        template = Path(sa.make_url(_migrated_urls["sqlite"]).database or "")
        copy = tmp_path / "test.db"
        shutil.copyfile(template, copy)
        eng = make_engine(f"sqlite:///{copy}")
    else:
        eng = make_engine(_migrated_urls["postgresql"])
        _truncate_postgres(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db_url(engine: sa.Engine) -> str:
    """The URL of the ``engine`` fixture's database, for CLI tests (CALLOPS_DATABASE_URL)."""
    return engine.url.render_as_string(hide_password=False)
