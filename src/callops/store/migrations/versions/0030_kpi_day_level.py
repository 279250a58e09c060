"""KPI pre-aggregates: a UTC-day level by queue, call type, priority and source, for weeks to years in any zone

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 22:00:00

The tables follow ``callops.store.schema`` (``kpi_buckets_day``, ``kpi_wait_bins_day``: the measure columns and
histograms per UTC day, scenario, queue, call type, priority and source). They are filled by adding up the
15-minute queue level (which upkeep has kept equal to the calls), as upkeep does from here on.
"""

from __future__ import annotations

from alembic import op

from callops.store.kpi_aggregates import fill_from_finer
from callops.store.schema import kpi_buckets_day, kpi_buckets_queue, kpi_wait_bins_day, kpi_wait_bins_queue

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_LEVEL = (kpi_buckets_day, kpi_wait_bins_day)


def upgrade() -> None:
    bind = op.get_bind()
    for table in _LEVEL:
        table.create(bind)
    fill_from_finer(bind, _LEVEL, (kpi_buckets_queue, kpi_wait_bins_queue))


def downgrade() -> None:
    bind = op.get_bind()
    for table in _LEVEL:
        table.drop(bind)
