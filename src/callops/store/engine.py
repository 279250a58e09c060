"""Engines and schema migrations. Nothing connects at import: callers pass a URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = ["make_engine", "upgrade", "current_revision", "new_id", "missing_database"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, *, pool_timeout_s: float | None = None, busy_timeout_s: float | None = None,
                pool_size: int | None = None, **kwargs: Any) -> sa.Engine:
    """An engine for ``url``; SQLite gets foreign keys and WAL so pages read while imports write.

    ``pool_timeout_s``: how long a checkout waits for a pooled connection before ``sqlalchemy.exc.TimeoutError``
    (the web app answers 503). ``busy_timeout_s``: how long a statement waits for another writer's lock (SQLite's busy
    timeout, PostgreSQL's ``lock_timeout``) before failing (the web app answers 503). ``pool_size``: connections
    kept open (not for an in-memory SQLite database, which has one).
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    parsed = sa.make_url(url)
    on_file = parsed.get_backend_name() != "sqlite" or parsed.database not in (None, "", ":memory:")
    if pool_timeout_s is not None and on_file:
        kwargs.setdefault("pool_timeout", pool_timeout_s)
    if pool_size is not None and on_file:
        kwargs.setdefault("pool_size", pool_size)
    if busy_timeout_s is not None and parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {}).setdefault("timeout", busy_timeout_s)
    elif busy_timeout_s is not None and parsed.get_backend_name() == "postgresql" and busy_timeout_s > 0:
        kwargs.setdefault("connect_args", {}).setdefault("options", f"-c lock_timeout={int(busy_timeout_s * 1000)}")
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def _alembic_config(engine: sa.Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    assert key is not None, "an insert returns its primary key"
    return int(key[0])


def missing_database(url: str) -> str | None:
    """Why ``url`` holds no callops database (a SQLite file that does not exist, a database that cannot be
    reached, no schema), or None. It never creates anything: a missing SQLite file is not opened."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database)).resolve()
        if not path.exists():
            return f"there is no database file {path}"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            has_schema = sa.inspect(conn).has_table("alembic_version")
    except sa.exc.DBAPIError as exc:
        return f"cannot open the database ({type(exc.orig).__name__}: {str(exc.orig).strip().splitlines()[0][:200]})"
    finally:
        engine.dispose()
    if not has_schema:
        return "the database has no callops tables"
    return None
