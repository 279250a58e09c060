"""KPI pre-aggregates: per 15-minute bucket measures and wait-time histograms, built from the stored calls

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:50:00

The tables follow ``callops.store.schema`` (their measure columns are the stored measures of
``callops.metrics.preaggregates``); a change of those measures needs a new migration that rebuilds them.
Its tables are named here: later levels (0028's hour level) come with their own migrations.
"""

from __future__ import annotations

from alembic import op

from callops.store.kpi_aggregates import rebuild_tables
from callops.store.schema import kpi_buckets, kpi_buckets_queue, kpi_wait_bins, kpi_wait_bins_queue

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_LEVELS = ((kpi_buckets_queue, kpi_wait_bins_queue), (kpi_buckets, kpi_wait_bins))  # coarsest first


def upgrade() -> None:
    bind = op.get_bind()
    for tables in _LEVELS:
        for table in tables:
            table.create(bind)
    rebuild_tables(bind, _LEVELS)


def downgrade() -> None:
    bind = op.get_bind()
    for tables in reversed(_LEVELS):
        for table in tables:
            table.drop(bind)
