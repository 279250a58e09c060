"""simulation scenarios

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 06:38:17.452211
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scenarios',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('replications', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scenarios'))
    )


def downgrade() -> None:
    op.drop_table('scenarios')
