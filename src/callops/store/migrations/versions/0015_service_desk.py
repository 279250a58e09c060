"""service desk: customers, phones, tickets, ticket events, callbacks

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:20:25.321925
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    op.create_table('customer_phones',
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('added_at', callops.store.types.EpochMillis(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_phones_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_customer_phones'))
    )
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_phones_customer_id'), ['customer_id'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('ref', sa.String(length=80), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=True),
    sa.Column('team', sa.String(length=80), nullable=True),
    sa.Column('department', sa.String(length=80), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('opened_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('first_response_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('response_due_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('resolution_due_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('resolved_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('closed_at', callops.store.types.EpochMillis(), nullable=True),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('escalation_level', sa.SmallInteger(), nullable=False),
    sa.Column('wants_escalation', sa.Boolean(), nullable=False),
    sa.Column('contacts', sa.Integer(), nullable=False),
    sa.Column('updated_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('import_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tickets_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('ref', name=op.f('uq_tickets_ref'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_category_opened_at'), ['category', 'opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_customer_id_opened_at'), ['customer_id', 'opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_owner_state'), ['owner', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_state_opened_at'), ['state', 'opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_state_category_opened_at'), ['state', 'category', 'opened_at'],
                              unique=False)

    op.create_table('callbacks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('call_id', sa.BigInteger(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('due_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('done_at', callops.store.types.EpochMillis(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_callbacks_customer_id_customers')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_callbacks_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callbacks')),
    sa.UniqueConstraint('source', 'call_id', name=op.f('uq_callbacks_source_call_id'))
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callbacks_customer_id_due_at'), ['customer_id', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_owner_status_due_at'), ['owner', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_status_due_at'), ['status', 'due_at'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id_at'), ['ticket_id', 'at'], unique=False)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_caller_number_started_at', ['caller_number', 'started_at'], unique=False)
    with op.batch_alter_table('live_events', schema=None) as batch_op:
        batch_op.create_index('ix_live_events_call_id_at', ['call_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('live_events', schema=None) as batch_op:
        batch_op.drop_index('ix_live_events_call_id_at')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_caller_number_started_at')

    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id_at'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callbacks_status_due_at'))
        batch_op.drop_index(batch_op.f('ix_callbacks_owner_status_due_at'))
        batch_op.drop_index(batch_op.f('ix_callbacks_customer_id_due_at'))

    op.drop_table('callbacks')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_state_category_opened_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_state_opened_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_owner_state'))
        batch_op.drop_index(batch_op.f('ix_tickets_opened_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_customer_id_opened_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_category_opened_at'))

    op.drop_table('tickets')
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_phones_customer_id'))

    op.drop_table('customer_phones')
    op.drop_table('customers')
