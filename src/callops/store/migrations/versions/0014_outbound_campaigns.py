"""outbound campaigns, contacts, consent, dnc, attempts

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-03 10:07:22.782228
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('caller_number', sa.String(length=32), nullable=False),
    sa.Column('script', sa.Text(), nullable=False),
    sa.Column('abandon_cap', sa.Float(), nullable=False),
    sa.Column('retry', sa.JSON(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('name', name=op.f('uq_campaigns_name'))
    )
    op.create_table('contact_consents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('member', sa.String(length=80), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('purpose', sa.String(length=20), nullable=True),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_consents'))
    )
    with op.batch_alter_table('contact_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_consents_member'), ['member'], unique=False)

    op.create_table('dnc_numbers',
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('added_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_dnc_numbers'))
    )
    op.create_table('campaign_contacts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('member', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_contacts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_contacts')),
    sa.UniqueConstraint('campaign_id', 'member', name=op.f('uq_campaign_contacts_campaign_id_member'))
    )
    op.create_table('contact_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('member', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=True),
    sa.Column('talk_s', sa.Float(), nullable=False),
    sa.Column('wrap_s', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_contact_attempts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_attempts')),
    sa.UniqueConstraint('campaign_id', 'member', 'channel', 'at', name=op.f('uq_contact_attempts_campaign_id_member_channel_at'))
    )
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_contact_attempts_campaign_id_at', ['campaign_id', 'at'], unique=False)
        batch_op.create_index('ix_contact_attempts_member_at', ['member', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_attempts_member_at')
        batch_op.drop_index('ix_contact_attempts_campaign_id_at')

    op.drop_table('contact_attempts')
    op.drop_table('campaign_contacts')
    op.drop_table('dnc_numbers')
    with op.batch_alter_table('contact_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_consents_member'))

    op.drop_table('contact_consents')
    op.drop_table('campaigns')
