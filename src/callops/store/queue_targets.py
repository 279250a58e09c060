"""The targets a report colours its values against: per queue, the service-level threshold (``sl_threshold_s``,
always there) and the target percentages where the ``queues`` table has them (columns added by the site
administration pages); where a queue has none, the house defaults: 80 % service level, 5 % abandon rate."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from callops.store.schema import queues

__all__ = ["DEFAULT_ABANDON_TARGET", "DEFAULT_SL_TARGET", "QueueTargets", "queue_targets"]

DEFAULT_SL_TARGET = 0.80
DEFAULT_ABANDON_TARGET = 0.05

# names a target column may have; values above 1 are percentages (80), at most 1 fractions (0.8)
_SL_COLUMNS = ("sl_target", "sl_target_pct", "service_level_target", "sl_target_percent")
_ABANDON_COLUMNS = ("abandon_target", "abandon_target_pct", "abandon_rate_target", "abandon_target_percent")


@dataclass(frozen=True, slots=True)
class QueueTargets:
    sl_target: float = DEFAULT_SL_TARGET  # service level at or above this is good
    abandon_target: float = DEFAULT_ABANDON_TARGET  # abandon rate at or below this is good
    sl_threshold_s: int = 20
    from_queue: bool = False  # False: the house defaults (the queue has no target columns or values)


def _fraction(value: object) -> float | None:
    if value is None:
        return None
    number = float(str(value))
    return number / 100 if number > 1 else number


def _column(names: tuple[str, ...]) -> sa.Column[object] | None:
    for name in names:
        if name in queues.c:
            column: sa.Column[object] = queues.c[name]
            return column
    return None


def queue_targets(conn: sa.Connection) -> dict[str, QueueTargets]:
    """Every configured queue's targets by name (queues not configured use ``QueueTargets()``)."""
    sl_col, abandon_col = _column(_SL_COLUMNS), _column(_ABANDON_COLUMNS)
    cols: list[sa.ColumnElement[object]] = [queues.c.name, queues.c.sl_threshold_s]
    cols += [c for c in (sl_col, abandon_col) if c is not None]
    out = {}
    for row in conn.execute(sa.select(*cols)).mappings():
        sl = _fraction(row[sl_col.name]) if sl_col is not None else None
        abandon = _fraction(row[abandon_col.name]) if abandon_col is not None else None
        out[str(row["name"])] = QueueTargets(
            sl_target=DEFAULT_SL_TARGET if sl is None else sl,
            abandon_target=DEFAULT_ABANDON_TARGET if abandon is None else abandon,
            sl_threshold_s=int(row["sl_threshold_s"]), from_queue=sl is not None or abandon is not None)
    return out
