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

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

_HORIZON_MS = 90 * 86_400_000  # callops.store.contact_gaps.GAP_HORIZON_MS when written


def upgrade() -> None:
    with op.batch_alter_table('calls') as batch:
        batch.add_column(sa.Column('next_contact_gap_ms', sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE calls SET next_contact_gap_ms = w.gap FROM ("
        " SELECT id, LEAD(started_at) OVER (PARTITION BY scenario, caller_number, direction"
        " ORDER BY started_at, id) - started_at AS gap FROM calls WHERE caller_number IS NOT NULL) AS w"
        f" WHERE calls.id = w.id AND w.gap <= {_HORIZON_MS}")


def downgrade() -> None:
    with op.batch_alter_table('calls') as batch:
        batch.drop_column('next_contact_gap_ms')
