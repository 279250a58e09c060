"""roster builds and requests: inputs of a saved roster, stored rule files, solve jobs, swap and time-off requests

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('roster_inputs',
    sa.Column('roster_id', sa.BigInteger(), nullable=False),
    sa.Column('agents', sa.JSON(), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('rules_text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['roster_id'], ['rosters.id'], name=op.f('fk_roster_inputs_roster_id_rosters'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('roster_id', name=op.f('pk_roster_inputs'))
    )
    op.create_table('roster_rule_sets',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_roster_rule_sets'))
    )
    op.create_table('roster_jobs',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('started_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('finished_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('agents', sa.JSON(), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('rules_text', sa.Text(), nullable=True),
    sa.Column('roster_version', sa.Integer(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_jobs'))
    )
    with op.batch_alter_table('roster_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_jobs_status_created_at'), ['status', 'created_at'], unique=False)
    op.create_table('roster_requests',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('roster_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=False),
    sa.Column('start_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('other_agent', sa.String(length=80), nullable=True),
    sa.Column('other_start_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('answered_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('decided_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['roster_id'], ['rosters.id'], name=op.f('fk_roster_requests_roster_id_rosters'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_requests'))
    )
    with op.batch_alter_table('roster_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_requests_roster_id_status'), ['roster_id', 'status'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_roster_requests_agent'), ['agent'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_requests_other_agent'), ['other_agent'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('roster_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_requests_other_agent'))
        batch_op.drop_index(batch_op.f('ix_roster_requests_agent'))
        batch_op.drop_index(batch_op.f('ix_roster_requests_roster_id_status'))
    op.drop_table('roster_requests')
    with op.batch_alter_table('roster_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_jobs_status_created_at'))
    op.drop_table('roster_jobs')
    op.drop_table('roster_rule_sets')
    op.drop_table('roster_inputs')
