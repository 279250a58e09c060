"""outbound: each campaign's stored journey, and the preview cards of the preview dialer

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_MS = callops.store.types.EpochMillis


def upgrade() -> None:
    op.create_table('campaign_journeys',
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('saved_at', _MS(), nullable=False),
    sa.Column('saved_by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_journeys_campaign_id_campaigns'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_campaign_journeys'))
    )
    op.create_table('dial_previews',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=False),
    sa.Column('member', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('offered_at', _MS(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('decided_at', _MS(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_dial_previews_campaign_id_campaigns'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dial_previews'))
    )
    op.create_index(op.f('ix_dial_previews_agent_decision'), 'dial_previews', ['agent', 'decision'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_dial_previews_agent_decision'), table_name='dial_previews')
    op.drop_table('dial_previews')
    op.drop_table('campaign_journeys')
