"""The targets a report colours its values against, per queue (the ``queues`` table, migration 0016, edited on
``/admin/queues``): the service-level threshold T (``sl_threshold_s``), the service-level target and the abandon
target (stored as percentages, read as fractions). A queue not in the table, or a report row without a queue,
uses the house defaults: 80 % answered within 20 s, at most 5 % abandoned."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from callops.store.schema import queues

__all__ = ["DEFAULT_ABANDON_TARGET", "DEFAULT_SL_TARGET", "DEFAULT_SL_THRESHOLD_S", "QueueTargets", "queue_targets"]

DEFAULT_SL_TARGET = 0.80
DEFAULT_ABANDON_TARGET = 0.05
DEFAULT_SL_THRESHOLD_S = 20


@dataclass(frozen=True, slots=True)
class QueueTargets:
    sl_target: float = DEFAULT_SL_TARGET  # service level at or above this is good
    abandon_target: float = DEFAULT_ABANDON_TARGET  # abandon rate at or below this is good
    sl_threshold_s: int = DEFAULT_SL_THRESHOLD_S
    from_queue: bool = False  # False: the house defaults (no such queue, or its targets are the defaults)


def queue_targets(conn: sa.Connection) -> dict[str, QueueTargets]:
    """Every configured queue's targets by name (queues not configured use ``QueueTargets()``)."""
    out = {}
    for row in conn.execute(sa.select(queues.c.name, queues.c.sl_threshold_s, queues.c.sl_target_pct,
                                      queues.c.abandon_target_pct)):
        target = QueueTargets(sl_target=float(row.sl_target_pct) / 100,
                              abandon_target=float(row.abandon_target_pct) / 100,
                              sl_threshold_s=int(row.sl_threshold_s))
        out[str(row.name)] = QueueTargets(target.sl_target, target.abandon_target, target.sl_threshold_s,
                                          from_queue=target != QueueTargets())
    return out
