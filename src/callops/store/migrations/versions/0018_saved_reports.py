"""saved and scheduled reports

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_reports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('start_day', sa.Date(), nullable=True),
    sa.Column('end_day', sa.Date(), nullable=True),
    sa.Column('schedule', sa.String(length=10), nullable=False),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.Column('recipients', sa.String(length=500), nullable=False),
    sa.Column('file_format', sa.String(length=10), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('last_period', sa.String(length=40), nullable=True),
    sa.Column('last_run_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_reports')),
    sa.UniqueConstraint('owner', 'name', name=op.f('uq_saved_reports_owner_name'))
    )


def downgrade() -> None:
    op.drop_table('saved_reports')
