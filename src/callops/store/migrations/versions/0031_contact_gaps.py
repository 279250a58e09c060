"""each call's gap to the caller's next contact, kept with the call (first-contact resolution without a window)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 02:10:00

``calls.next_contact_gap_ms``: milliseconds from the call's start to the start of the same caller's next call (same
scenario, caller number and direction; ties in start ordered by id) when at most 90 days, else NULL; kept up to
date by every write of calls from here on (``callops.store.contact_gaps``). Filled here for the stored calls.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from callops.store.contact_gaps import rebuild_gaps

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table('calls') as batch:
        batch.add_column(sa.Column('next_contact_gap_ms', sa.BigInteger(), nullable=True))
    rebuild_gaps(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('calls') as batch:
        batch.drop_column('next_contact_gap_ms')
