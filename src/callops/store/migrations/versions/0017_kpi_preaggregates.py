"""KPI pre-aggregates: per 15-minute bucket measures and wait-time histograms, built from the stored calls

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:50:00

The tables follow ``callops.store.schema`` (their measure columns are the stored measures of
``callops.metrics.preaggregates``); a change of those measures needs a new migration that rebuilds them.
"""

from __future__ import annotations

from alembic import op

from callops.store.kpi_aggregates import rebuild_tables
from callops.store.schema import KPI_LEVELS

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for tables in KPI_LEVELS:
        for table in tables:
            table.create(bind)
    rebuild_tables(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for tables in reversed(KPI_LEVELS):
        for table in tables:
            table.drop(bind)
