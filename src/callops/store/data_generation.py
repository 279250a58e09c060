"""The data generation: a counter raised in the same transaction as every write that changes what a KPI read of
calls or agent states returns, so a cached KPI result is still right exactly while the counter is unchanged; and,
per UTC day, the generation of the last write that touched the day, so a report over days no write touched since
keeps its cached result while today's calls keep arriving.

    raise_generation(conn, days)    # in the writer's transaction: imports, live follow, simulation saves, rebuilds
    data_generation(conn)           # the whole counter: a page whose every part may change with any write
    span_generation(conn, lo, hi)   # a report over [lo, hi) (epoch ms): changes only with writes touching it

``days`` are the UTC day numbers (``epoch ms // DAY_MS``) whose calls or agent states the write added, changed or
removed (:func:`days_of` from ms ranges); None for a write that may touch any day (a rebuild, a scenario's deletion):
it raises the ``whole`` generation every span's generation includes. A write touching more than ``MAX_DAYS`` days
counts as such a whole write too (a multi-year import needs no thousands of day rows).

The writers are the pre-aggregate upkeep (:mod:`callops.store.kpi_aggregates` ``refresh``, ``forget_scenario``,
``rebuild``; :mod:`callops.store.kpi_increments` ``apply_increment``), which every write of calls passes through,
and the writes of agent state intervals (:mod:`callops.store.records`, :mod:`callops.store.record_batches`).
On PostgreSQL the counter's row lock orders concurrent writers (each writer raises the counter before it touches
the day rows or the pre-aggregates, so every writer locks the row first and no two wait on each other); a reader
never waits for it.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from callops.metrics.zones import DAY_MS
from callops.store.schema import data_generation as _table
from callops.store.schema import data_generation_days as _days

__all__ = ["MAX_DAYS", "data_generation", "days_of", "raise_generation", "span_generation"]

_ROW = 1
MAX_DAYS = 1_000  # a write touching more days than this raises the whole generation instead
_CHUNK = 500  # day numbers per statement


def days_of(lo_ms: int, hi_ms: int) -> range:
    """The UTC day numbers ``[lo_ms, hi_ms)`` overlaps (one day for an instant: ``hi_ms == lo_ms``)."""
    return range(lo_ms // DAY_MS, max(lo_ms, hi_ms - 1) // DAY_MS + 1)


def raise_generation(conn: sa.Connection, days: Iterable[int] | None = None) -> None:
    """Raise the generation by one in ``conn``'s transaction (visible to readers when it commits), marking ``days``
    (UTC day numbers) with it; ``days`` None, or more than ``MAX_DAYS`` of them: every day."""
    touched = None if days is None else sorted(set(days))
    raised = _table.c.generation + 1
    every_day = touched is None or len(touched) > MAX_DAYS
    conn.execute(_table.update().where(_table.c.id == _ROW)  # SET reads the row as it was: whole = the new value
                 .values(generation=raised, **({"whole": raised} if every_day else {})))
    if touched is None or every_day:
        return
    generation = conn.execute(sa.select(_table.c.generation).where(_table.c.id == _ROW)).scalar_one()
    for at in range(0, len(touched), _CHUNK):
        chunk = touched[at:at + _CHUNK]
        conn.execute(_days.delete().where(_days.c.day.in_(chunk)))
        conn.execute(_days.insert(), [{"day": d, "generation": generation} for d in chunk])


def data_generation(conn: sa.Connection) -> int | None:
    """The generation committed so far; None on a database without the row (not migrated to 0027)."""
    return conn.execute(sa.select(_table.c.generation).where(_table.c.id == _ROW)).scalar_one_or_none()


_LAST_OF_SPAN = (sa.select(sa.func.max(_days.c.generation))
                 .where(_days.c.day >= sa.bindparam("first"), _days.c.day <= sa.bindparam("last"))
                 .scalar_subquery())
_SPAN = sa.select(_table.c.whole, _LAST_OF_SPAN).where(_table.c.id == _ROW)


def span_generation(conn: sa.Connection, lo_ms: int, hi_ms: int) -> tuple[int, int] | None:
    """What changes exactly when a committed write touched ``[lo_ms, hi_ms)`` (or every day): the whole generation
    and the latest generation of a write marking one of its days. None without the row (not migrated)."""
    days = days_of(lo_ms, hi_ms)
    row = conn.execute(_SPAN, {"first": days.start, "last": days.stop - 1}).first()
    if row is None:
        return None
    return int(row[0]), int(row[1] or 0)
