"""people records: position spells of each person (hire, moves, exit with reason) and coaching sessions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_spells',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('person', sa.String(length=80), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('team', sa.String(length=80), nullable=True),
    sa.Column('position', sa.String(length=20), nullable=False),
    sa.Column('contract', sa.String(length=40), nullable=True),
    sa.Column('exit_reason', sa.String(length=20), nullable=True),
    sa.Column('destination', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['person'], ['agents.agent_id'], name=op.f('fk_person_spells_person_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team'], ['teams.name'], name=op.f('fk_person_spells_team_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_spells')),
    sa.UniqueConstraint('person', 'start_on', name=op.f('uq_person_spells_person_start_on'))
    )
    op.create_table('coaching_sessions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=False),
    sa.Column('lead', sa.String(length=80), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('call_ids', sa.JSON(), nullable=False),
    sa.Column('evaluation_keys', sa.JSON(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.ForeignKeyConstraint(['agent'], ['agents.agent_id'], name=op.f('fk_coaching_sessions_agent_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_sessions'))
    )
    with op.batch_alter_table('coaching_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_sessions_agent_held_on'), ['agent', 'held_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('coaching_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_sessions_agent_held_on'))
    op.drop_table('coaching_sessions')
    op.drop_table('person_spells')
