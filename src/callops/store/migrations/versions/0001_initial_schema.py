"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 06:25:25.275150
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agent_intervals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('scenario', sa.String(length=80), nullable=True),
    sa.Column('agent', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('start_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('end_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('reason', sa.String(length=80), nullable=True),
    sa.Column('queue', sa.String(length=80), nullable=True),
    sa.Column('import_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_intervals')),
    sa.UniqueConstraint('source', 'agent', 'state', 'start_at', name=op.f('uq_agent_intervals_source_agent_state_start_at'))
    )
    with op.batch_alter_table('agent_intervals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_intervals_agent_start_at'), ['agent', 'start_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_intervals_start_at'), ['start_at'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_call_id', sa.String(length=120), nullable=False),
    sa.Column('scenario', sa.String(length=80), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('queue', sa.String(length=80), nullable=True),
    sa.Column('call_type', sa.String(length=80), nullable=True),
    sa.Column('caller_number', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('started_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('ivr_entered_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('ivr_exited_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('queue_entered_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('answered_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('ended_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('wait_s', sa.Float(), nullable=True),
    sa.Column('agent', sa.String(length=80), nullable=True),
    sa.Column('talk_s', sa.Float(), nullable=False),
    sa.Column('hold_s', sa.Float(), nullable=False),
    sa.Column('acw_s', sa.Float(), nullable=False),
    sa.Column('transfer_target', sa.String(length=80), nullable=True),
    sa.Column('recording_ref', sa.String(length=400), nullable=True),
    sa.Column('issue_category', sa.String(length=20), nullable=True),
    sa.Column('issue_notes', sa.Text(), nullable=True),
    sa.Column('issue_resolved', sa.Boolean(), nullable=True),
    sa.Column('follow_up_due_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('campaign', sa.String(length=80), nullable=True),
    sa.Column('disposition', sa.String(length=40), nullable=True),
    sa.Column('csat', sa.SmallInteger(), nullable=True),
    sa.Column('import_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('source', 'source_call_id', name=op.f('uq_calls_source_source_call_id'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_agent_started_at'), ['agent', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_queue_started_at'), ['queue', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_scenario_started_at'), ['scenario', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_started_at'), ['started_at'], unique=False)

    op.create_table('imports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('files', sa.Text(), nullable=False),
    sa.Column('imported_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    op.create_table('queues',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('sl_threshold_s', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_queues'))
    )
    op.create_table('teams',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('lead', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_teams'))
    )
    op.create_table('users',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agent_id', sa.String(length=80), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('tz', sa.String(length=60), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('agents',
    sa.Column('agent_id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('team', sa.String(length=80), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['team'], ['teams.name'], name=op.f('fk_agents_team_teams')),
    sa.PrimaryKeyConstraint('agent_id', name=op.f('pk_agents'))
    )
    op.create_table('agent_skills',
    sa.Column('agent_id', sa.String(length=80), nullable=False),
    sa.Column('skill', sa.String(length=80), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.agent_id'], name=op.f('fk_agent_skills_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'skill', name=op.f('pk_agent_skills'))
    )


def downgrade() -> None:
    op.drop_table('agent_skills')
    op.drop_table('agents')
    op.drop_table('users')
    op.drop_table('teams')
    op.drop_table('queues')
    op.drop_table('imports')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_started_at'))
        batch_op.drop_index(batch_op.f('ix_calls_scenario_started_at'))
        batch_op.drop_index(batch_op.f('ix_calls_queue_started_at'))
        batch_op.drop_index(batch_op.f('ix_calls_agent_started_at'))

    op.drop_table('calls')
    with op.batch_alter_table('agent_intervals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_intervals_start_at'))
        batch_op.drop_index(batch_op.f('ix_agent_intervals_agent_start_at'))

    op.drop_table('agent_intervals')
