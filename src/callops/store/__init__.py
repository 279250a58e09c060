"""Storage of canonical records on SQLite (default) or PostgreSQL, with Alembic migrations.

Store functions take a SQLAlchemy ``Connection`` or ``Engine`` and return domain dataclasses,
never ORM rows.
"""

from callops.store.engine import current_revision, make_engine, upgrade

__all__ = ["current_revision", "make_engine", "upgrade"]
