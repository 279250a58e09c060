"""nesting plans: a new hire's easier skills and buddy for a span of days (issue 15)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nesting_plans',
    sa.Column('person', sa.String(length=80), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('buddy', sa.String(length=80), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.ForeignKeyConstraint(['person'], ['agents.agent_id'], name=op.f('fk_nesting_plans_person_agents'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person', 'starts_on', name=op.f('pk_nesting_plans'))
    )


def downgrade() -> None:
    op.drop_table('nesting_plans')
