"""agent intervals by scenario and start: reports of a saved scenario read its intervals by index, like its calls

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:05:20.418247
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agent_intervals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_intervals_scenario_start_at'), ['scenario', 'start_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agent_intervals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_intervals_scenario_start_at'))
