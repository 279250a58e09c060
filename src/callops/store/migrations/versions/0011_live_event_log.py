"""live floor: the durable live event log and the PBX feed followers' positions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('live_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('call_id', sa.String(length=120), nullable=True),
    sa.Column('queue', sa.String(length=80), nullable=True),
    sa.Column('agent', sa.String(length=80), nullable=True),
    sa.Column('caller', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=80), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('appended_at', callops.store.types.EpochMillis(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_events'))
    )
    with op.batch_alter_table('live_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_events_agent_at'), ['agent', 'at'], unique=False)
    op.create_table('live_feeds',
    sa.Column('feed', sa.String(length=300), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('lines', sa.BigInteger(), nullable=False),
    sa.Column('calls', sa.BigInteger(), nullable=False),
    sa.Column('intervals', sa.BigInteger(), nullable=False),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.Column('skipped', sa.BigInteger(), nullable=False),
    sa.Column('rejected', sa.BigInteger(), nullable=False),
    sa.Column('last_problem', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', callops.store.types.EpochMillis(), nullable=False),
    sa.PrimaryKeyConstraint('feed', name=op.f('pk_live_feeds'))
    )


def downgrade() -> None:
    op.drop_table('live_feeds')
    with op.batch_alter_table('live_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_events_agent_at'))
        batch_op.drop_index(batch_op.f('ix_live_events_at'))
    op.drop_table('live_events')
