"""A PostgreSQL database made for one benchmark run and dropped after it, on the server of an admin URL."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

from callops.store import make_engine

__all__ = ["scratch_postgres"]


@contextlib.contextmanager
def scratch_postgres(admin_url: str, prefix: str, *, template: str | None = None) -> Iterator[str]:
    """The URL of a new database named ``prefix_<random>`` on ``admin_url``'s server (a copy of the database
    ``template`` when given); dropped (forced) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
