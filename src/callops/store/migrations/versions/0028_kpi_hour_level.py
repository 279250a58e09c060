"""KPI pre-aggregates: an hour level by queue, for the dashboard and days to years in whole-hour zones

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 19:00:00

The tables follow ``callops.store.schema`` (``kpi_buckets_queue_hour``, ``kpi_wait_bins_queue_hour``: the
measure columns and histograms per UTC hour, scenario and queue). They are filled by adding up the 15-minute queue level (which upkeep has
kept equal to the calls), as upkeep does from here on, not by reading every call again.
"""

from __future__ import annotations

from alembic import op

from callops.store.kpi_aggregates import fill_from_finer
from callops.store.schema import (
    kpi_buckets_queue,
    kpi_buckets_queue_hour,
    kpi_wait_bins_queue,
    kpi_wait_bins_queue_hour,
)

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

_LEVEL = (kpi_buckets_queue_hour, kpi_wait_bins_queue_hour)


def upgrade() -> None:
    bind = op.get_bind()
    for table in _LEVEL:
        table.create(bind)
    fill_from_finer(bind, _LEVEL, (kpi_buckets_queue, kpi_wait_bins_queue))


def downgrade() -> None:
    bind = op.get_bind()
    for table in _LEVEL:
        table.drop(bind)
