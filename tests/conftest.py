"""Shared fixtures: paths to the public data, and the databases every store test runs on."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from browser_harness import CHROMIUM_ARGS, chromium_path, demo_database, serve
from callops.config import Settings
from callops.demo import load_demo
from callops.store import make_engine, upgrade
from callops.store.schema import metadata
from callops.web import create_app

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
    """Empty every table but the data generation's counter row (a migration puts it there); TRUNCATE also passes
    the append-only audit log's row triggers."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name != "data_generation")
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _empty_engine(kind: str, urls: dict[str, str], folder: Path) -> sa.Engine:
    """A migrated, empty database: SQLite (a copy of a migrated file in ``folder``), or PostgreSQL (truncated)."""
    if kind == "sqlite":
        template = Path(sa.make_url(urls["sqlite"]).database or "")
        copy = folder / "test.db"
        shutil.copyfile(template, copy)
        return make_engine(f"sqlite:///{copy}")
    eng = make_engine(urls["postgresql"])
    _truncate_postgres(eng)
    return eng


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, _migrated_urls: dict[str, str],
           tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated, empty database: SQLite (a copy of a migrated file), then PostgreSQL (truncated)."""
    eng = _empty_engine(request.param, _migrated_urls, tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_engine(request: pytest.FixtureRequest, _migrated_urls: dict[str, str],
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """The demo month (``callops demo load``) in a migrated database, built once per module on each backend.

    A module using it reads only, and overrides ``engine`` with it (``def engine(demo_engine): ...``) so that
    no test of the module truncates the shared PostgreSQL database under it."""
    eng = _empty_engine(request.param, _migrated_urls, tmp_path_factory.mktemp("demo"))
    load_demo(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db_url(engine: sa.Engine) -> str:
    """The URL of the ``engine`` fixture's database, for CLI tests (CALLOPS_DATABASE_URL)."""
    return engine.url.render_as_string(hide_password=False)


# --- headless Chromium -----------------------------------------------------------------------
# One Playwright and one browser for the whole run; each test gets a fresh context whose requests
# to anywhere but the app under test are refused and recorded (pages must work offline).


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run ./scripts/test, which installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free port over a SQLite database holding the demo month (loaded once per run)."""
    url = demo_database(tmp_path_factory.mktemp("browser"))
    with serve(create_app(Settings(database_url=url, secret_key="browser-test"))) as base:
        yield base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh English page; ``page.foreign_requests`` lists requests that tried to leave 127.0.0.1."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    foreign: list[str] = []
    page.foreign_requests = foreign  # type: ignore[attr-defined]  # read by the browser tests

    def only_local(route: Route, request: Request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in {"http", "https"} and parsed.hostname != "127.0.0.1":
            foreign.append(request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_local)
    yield page
    context.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated SQLite database file to copy (the columnar import tests' fresh databases)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()
    return path
