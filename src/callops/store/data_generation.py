"""The data generation: one counter raised in the same transaction as every write that changes what a KPI read
of calls or agent states returns, so a cached KPI result is still right exactly while the counter is unchanged.

    raise_generation(conn)    # in the writer's transaction: imports, live follow, simulation saves, rebuilds
    data_generation(conn)     # one cheap read per web request, before its KPI queries

The writers are the pre-aggregate upkeep (:mod:`callops.store.kpi_aggregates` ``refresh``, ``forget_scenario``,
``rebuild``; :mod:`callops.store.kpi_increments` ``apply_increment``), which every write of calls passes through,
and the writes of agent state intervals (:mod:`callops.store.records`, :mod:`callops.store.record_batches`).
On PostgreSQL the row lock orders concurrent writers (each upkeep function raises the generation before it
touches the pre-aggregates, so every writer locks the row first and no two wait on each other); a reader never
waits for it.
"""

from __future__ import annotations

import sqlalchemy as sa

from callops.store.schema import data_generation as _table

__all__ = ["data_generation", "raise_generation"]

_ROW = 1


def raise_generation(conn: sa.Connection) -> None:
    """Raise the generation by one in ``conn``'s transaction (visible to readers when it commits)."""
    conn.execute(_table.update().where(_table.c.id == _ROW).values(generation=_table.c.generation + 1))


def data_generation(conn: sa.Connection) -> int | None:
    """The generation committed so far; None on a database without the row (not migrated to 0027)."""
    return conn.execute(sa.select(_table.c.generation).where(_table.c.id == _ROW)).scalar_one_or_none()
