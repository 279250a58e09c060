"""quality assurance

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 06:38:58.482921
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('qa_appeals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('evaluation_key', sa.String(length=40), nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=False),
    sa.Column('evaluator', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('filed_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('deadline_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('decided_at', callops.store.types.EpochMillis(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_appeals'))
    )
    with op.batch_alter_table('qa_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_appeals_evaluation_key'), ['evaluation_key'], unique=False)

    op.create_table('qa_audit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_audit'))
    )
    op.create_table('qa_duty',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('start_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('end_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('granted_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_duty'))
    )
    op.create_table('qa_notes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('evaluation_key', sa.String(length=40), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('due_at', callops.store.types.EpochMillis(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_notes'))
    )
    with op.batch_alter_table('qa_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_notes_evaluation_key'), ['evaluation_key'], unique=False)

    op.create_table('qa_sampling_rules',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('period_start_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('period_end_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('filed_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('filed_by', sa.String(length=80), nullable=False),
    sa.Column('seed_commitment', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_sampling_rules')),
    sa.UniqueConstraint('name', name=op.f('uq_qa_sampling_rules_name'))
    )
    op.create_table('qa_scorecards',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=80), nullable=True),
    sa.Column('campaign', sa.String(length=80), nullable=True),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_scorecards')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_qa_scorecards_name_version'))
    )
    op.create_table('site_settings',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_site_settings'))
    )
    op.create_table('qa_draws',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('rule_id', sa.BigInteger(), nullable=False),
    sa.Column('frozen_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('eligible_hash', sa.String(length=64), nullable=False),
    sa.Column('eligible', sa.JSON(), nullable=False),
    sa.Column('public_random', sa.String(length=200), nullable=True),
    sa.Column('seed', sa.String(length=200), nullable=True),
    sa.Column('record', sa.JSON(), nullable=True),
    sa.Column('drawn_at', callops.store.types.EpochMillis(), nullable=True),
    sa.ForeignKeyConstraint(['rule_id'], ['qa_sampling_rules.id'], name=op.f('fk_qa_draws_rule_id_qa_sampling_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_draws')),
    sa.UniqueConstraint('rule_id', name=op.f('uq_qa_draws_rule_id'))
    )
    op.create_table('qa_nominations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('call_id', sa.BigInteger(), nullable=False),
    sa.Column('nominator', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('picked_by', sa.String(length=80), nullable=True),
    sa.Column('picked_at', callops.store.types.EpochMillis(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_qa_nominations_call_id_calls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_nominations')),
    sa.UniqueConstraint('call_id', 'nominator', name=op.f('uq_qa_nominations_call_id_nominator'))
    )
    op.create_table('qa_evaluations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('evaluation_key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.BigInteger(), nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=False),
    sa.Column('evaluator', sa.String(length=80), nullable=False),
    sa.Column('scorecard_id', sa.BigInteger(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('draw_id', sa.BigInteger(), nullable=True),
    sa.Column('targeted', sa.Boolean(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_qa_evaluations_call_id_calls')),
    sa.ForeignKeyConstraint(['draw_id'], ['qa_draws.id'], name=op.f('fk_qa_evaluations_draw_id_qa_draws')),
    sa.ForeignKeyConstraint(['scorecard_id'], ['qa_scorecards.id'], name=op.f('fk_qa_evaluations_scorecard_id_qa_scorecards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_evaluations')),
    sa.UniqueConstraint('evaluation_key', 'version', name=op.f('uq_qa_evaluations_evaluation_key_version'))
    )
    with op.batch_alter_table('qa_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_evaluations_agent_created_at'), ['agent', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluations_evaluator_created_at'), ['evaluator', 'created_at'], unique=False)

    op.create_table('qa_votes',
    sa.Column('nomination_id', sa.BigInteger(), nullable=False),
    sa.Column('voter', sa.String(length=80), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.ForeignKeyConstraint(['nomination_id'], ['qa_nominations.id'], name=op.f('fk_qa_votes_nomination_id_qa_nominations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nomination_id', 'voter', name=op.f('pk_qa_votes'))
    )
    _append_only("qa_audit")


_SQLITE_GUARD = """
CREATE TRIGGER {table}_no_{op} BEFORE {op} ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END
"""

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION callops_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql
"""


def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on ``table`` in the database itself, not only in callops."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for kind in ("UPDATE", "DELETE"):
            op.execute(_SQLITE_GUARD.format(table=table, op=kind))
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION callops_append_only()")


def downgrade() -> None:
    op.drop_table('qa_votes')
    with op.batch_alter_table('qa_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_evaluations_evaluator_created_at'))
        batch_op.drop_index(batch_op.f('ix_qa_evaluations_agent_created_at'))

    op.drop_table('qa_evaluations')
    op.drop_table('qa_nominations')
    op.drop_table('qa_draws')
    op.drop_table('site_settings')
    op.drop_table('qa_scorecards')
    op.drop_table('qa_sampling_rules')
    with op.batch_alter_table('qa_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_notes_evaluation_key'))

    op.drop_table('qa_notes')
    op.drop_table('qa_duty')
    op.drop_table('qa_audit')  # its triggers go with it
    with op.batch_alter_table('qa_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_appeals_evaluation_key'))

    op.drop_table('qa_appeals')
