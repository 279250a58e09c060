"""The development signing key, made once and kept in the database so every worker signs alike.

In production the key comes from ``CALLOPS_SECRET_KEY`` (``Settings.validate`` refuses a missing or weak one).
Without it, ``shared_secret`` returns the key stored under ``site_settings['session_secret']``, writing a fresh
32-byte one the first time; concurrent first callers (several workers starting at once) race on the primary
key, and the losers read the winner's, so all of them sign and check sessions and tokens with one key.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from callops.store.schema import site_settings

__all__ = ["shared_secret"]

_KEY = "session_secret"


def _stored(conn: sa.Connection) -> str | None:
    value = conn.execute(sa.select(site_settings.c.value).where(site_settings.c.key == _KEY)).scalar()
    return value if isinstance(value, str) and value else None


def shared_secret(engine: sa.Engine) -> str:
    """The key stored in the database, created on first use (needs migrations applied)."""
    with engine.connect() as conn:
        found = _stored(conn)
        if found is not None:
            return found
        try:
            conn.execute(site_settings.insert().values(key=_KEY, value=secrets.token_urlsafe(32)))
            conn.commit()
        except sa.exc.IntegrityError:  # another worker wrote it first
            conn.rollback()
        found = _stored(conn)
    if found is None:
        raise RuntimeError("the shared session key could not be stored")
    return found
