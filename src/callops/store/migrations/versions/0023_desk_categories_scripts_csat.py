"""service desk: category tree, knowledge scripts, post-call surveys, saved contact forms (after-call work)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_MS = callops.store.types.EpochMillis

# The six top-level categories of seed 003, each its own kind (the same rows callops.desk.categories seeds).
_DEFAULTS = (("inquiry", "Inquiry", "咨询"), ("complaint", "Complaint", "投诉"), ("suggestion", "Suggestion", "建议"),
             ("repair_order", "Repair / order", "报修/订单"), ("transfer", "Transfer", "转接"),
             ("other", "Other", "其他"))


def upgrade() -> None:
    categories = op.create_table('desk_categories',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('parent', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label_en', sa.String(length=80), nullable=False),
    sa.Column('label_zh', sa.String(length=80), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('created_at', _MS(), nullable=False),
    sa.Column('retired_at', _MS(), nullable=True),
    sa.ForeignKeyConstraint(['parent'], ['desk_categories.key'], name=op.f('fk_desk_categories_parent_desk_categories')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_desk_categories'))
    )
    now = int(time.time() * 1000)
    op.bulk_insert(categories, [
        {"key": key, "parent": None, "kind": key, "label_en": en, "label_zh": zh, "sort": i * 10,
         "created_at": now, "retired_at": None} for i, (key, en, zh) in enumerate(_DEFAULTS)])
    op.create_table('desk_scripts',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('category_key', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('updated_at', _MS(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('retired_at', _MS(), nullable=True),
    sa.ForeignKeyConstraint(['category_key'], ['desk_categories.key'],
                            name=op.f('fk_desk_scripts_category_key_desk_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_scripts'))
    )
    op.create_index(op.f('ix_desk_scripts_category_key_retired_at'), 'desk_scripts', ['category_key', 'retired_at'],
                    unique=False)
    op.create_table('csat_surveys',
    sa.Column('call_id', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('at', _MS(), nullable=False),
    sa.Column('entered_by', sa.String(length=80), nullable=False),
    sa.Column('import_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_csat_surveys_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_csat_surveys'))
    )
    op.create_table('desk_contacts',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('agent', sa.String(length=80), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('live_call_id', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('category_key', sa.String(length=40), nullable=True),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('call_ended_at', _MS(), nullable=True),
    sa.Column('saved_at', _MS(), nullable=False),
    sa.Column('acw_s', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_desk_contacts_ticket_id_tickets'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_contacts'))
    )
    op.create_index(op.f('ix_desk_contacts_saved_at'), 'desk_contacts', ['saved_at'], unique=False)
    op.create_index(op.f('ix_desk_contacts_agent_saved_at'), 'desk_contacts', ['agent', 'saved_at'], unique=False)
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('category_key', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('category_key')
    op.drop_index(op.f('ix_desk_contacts_agent_saved_at'), table_name='desk_contacts')
    op.drop_index(op.f('ix_desk_contacts_saved_at'), table_name='desk_contacts')
    op.drop_table('desk_contacts')
    op.drop_table('csat_surveys')
    op.drop_index(op.f('ix_desk_scripts_category_key_retired_at'), table_name='desk_scripts')
    op.drop_table('desk_scripts')
    op.drop_table('desk_categories')
