"""data generation per UTC day: a cached KPI report stays valid while no write touches its days

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 22:10:00

``data_generation.whole`` is the generation of the last write that may touch any day (a rebuild); it starts at
the current generation, so every report cached before this migration is read afresh.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('data_generation') as batch:
        batch.add_column(sa.Column('whole', sa.BigInteger(), nullable=False, server_default='0'))
    op.execute("UPDATE data_generation SET whole = generation")
    op.create_table(
        'data_generation_days',
        sa.Column('day', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('generation', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_data_generation_days')),
    )


def downgrade() -> None:
    op.drop_table('data_generation_days')
    with op.batch_alter_table('data_generation') as batch:
        batch.drop_column('whole')
