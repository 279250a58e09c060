"""outbound: why a preview card is offered again (``dial_previews.reoffered_because``)

NULL for a contact's first card in a run; ``pbx_unreachable`` when the agent accepted the card before and the call
never reached the PBX, so the agent's page can say why the same contact is back.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dial_previews') as batch:
        batch.add_column(sa.Column('reoffered_because', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dial_previews') as batch:
        batch.drop_column('reoffered_because')
