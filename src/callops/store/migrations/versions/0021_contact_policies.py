"""the site's contact policy, every saved version

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_policies',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('saved_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('saved_by', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_contact_policies'))
    )


def downgrade() -> None:
    op.drop_table('contact_policies')
