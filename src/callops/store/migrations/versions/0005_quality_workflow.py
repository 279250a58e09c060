"""quality workflow: the secret seed kept until the draw, and when the public randomness arrived

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 07:03:22.412844
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('qa_draws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_random_at', callops.store.types.EpochMillis(), nullable=True))

    with op.batch_alter_table('qa_sampling_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_seed', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('qa_sampling_rules', schema=None) as batch_op:
        batch_op.drop_column('secret_seed')

    with op.batch_alter_table('qa_draws', schema=None) as batch_op:
        batch_op.drop_column('public_random_at')

