"""KPI pre-aggregates: an hour level without the agent, for days to years in whole-hour zones, filled from calls

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 19:00:00

The tables follow ``callops.store.schema`` (``kpi_buckets_queue_hour``, ``kpi_wait_bins_queue_hour``: the
queue level's columns per UTC hour); upkeep keeps them with the 15-minute levels from here on.
"""

from __future__ import annotations

from alembic import op

from callops.store.kpi_aggregates import rebuild
from callops.store.schema import kpi_buckets_queue_hour, kpi_wait_bins_queue_hour

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

_LEVEL = (kpi_buckets_queue_hour, kpi_wait_bins_queue_hour)


def upgrade() -> None:
    bind = op.get_bind()
    for table in _LEVEL:
        table.create(bind)
    rebuild(bind, (_LEVEL,))


def downgrade() -> None:
    bind = op.get_bind()
    for table in _LEVEL:
        table.drop(bind)
