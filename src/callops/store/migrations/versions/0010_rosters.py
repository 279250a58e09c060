"""rosters: shifts of named agents saved in versions, published, with every change kept

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rosters',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('first_day', sa.String(length=10), nullable=False),
    sa.Column('last_day', sa.String(length=10), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('published_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('published_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rosters')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_rosters_name_version'))
    )
    op.create_table('roster_shifts',
    sa.Column('roster_id', sa.BigInteger(), nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=False),
    sa.Column('start_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('end_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('breaks', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['roster_id'], ['rosters.id'], name=op.f('fk_roster_shifts_roster_id_rosters'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('roster_id', 'agent', 'start_at', name=op.f('pk_roster_shifts'))
    )
    with op.batch_alter_table('roster_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_shifts_agent_start_at'), ['agent', 'start_at'], unique=False)
    op.create_table('roster_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('roster_id', sa.BigInteger(), nullable=False),
    sa.Column('at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['roster_id'], ['rosters.id'], name=op.f('fk_roster_changes_roster_id_rosters'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_changes'))
    )
    with op.batch_alter_table('roster_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_changes_roster_id_at'), ['roster_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('roster_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_changes_roster_id_at'))
    op.drop_table('roster_changes')
    with op.batch_alter_table('roster_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_shifts_agent_start_at'))
    op.drop_table('roster_shifts')
    op.drop_table('rosters')
