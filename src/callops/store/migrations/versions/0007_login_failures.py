"""login failures: failed sign-ins per user name and client address, for throttling

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:27:01.223649
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failed_at', callops.store.types.EpochMillis(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_scope_key_failed_at'), ['scope', 'key', 'failed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_scope_key_failed_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_failed_at'))

    op.drop_table('login_failures')
