"""site administration: sites, queue targets and site, the general audit log

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_SQLITE_GUARD = """
CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
"""


def upgrade() -> None:
    op.create_table('sites',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('tz', sa.String(length=60), nullable=False),
    sa.Column('holidays', sa.String(length=10), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sites'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_key', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_entity_entity_key'), ['entity', 'entity_key'], unique=False)
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sl_target_pct', sa.Float(), server_default='80', nullable=False))
        batch_op.add_column(sa.Column('abandon_target_pct', sa.Float(), server_default='5', nullable=False))
        batch_op.add_column(sa.Column('site', sa.String(length=80), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_queues_site_sites'), 'sites', ['site'], ['name'])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for kind in ("UPDATE", "DELETE"):
            op.execute(_SQLITE_GUARD.format(op=kind))
    elif dialect == "postgresql":  # callops_append_only() is migration 0004's
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION callops_append_only()")


def downgrade() -> None:
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_queues_site_sites'), type_='foreignkey')
        batch_op.drop_column('site')
        batch_op.drop_column('abandon_target_pct')
        batch_op.drop_column('sl_target_pct')
    op.drop_table('audit_log')  # its triggers go with it
    op.drop_table('sites')
