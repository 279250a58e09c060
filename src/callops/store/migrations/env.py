"""Alembic environment: the engine comes from ``callops.store.engine.upgrade``."""

from __future__ import annotations

from alembic import context

from callops.store.schema import is_fulltext_object, metadata


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves the scripts' full-text index alone: it differs per database (migration 0025)."""
    return not is_fulltext_object(name)


engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      include_name=_include_name)
    with context.begin_transaction():
        context.run_migrations()
