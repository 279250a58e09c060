"""The site's contact policy in the database: every saved version, the newest in force.

    current_policy(conn)                  # StoredPolicy | None (None: no policy saved, the China default applies)
    insert_policy(conn, settings, saved_at=now, saved_by="admin", note="")
    policy_versions(conn, limit=20)       # newest first

The settings are the mapping ``callops.dialer.policy.policy_from_mapping`` reads; validating them and writing
the audit entry is the service's work (``callops.services.contact_policy``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.store.schema import contact_policies

__all__ = ["StoredPolicy", "current_policy", "has_policy_table", "insert_policy", "policy_versions"]


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    version: int
    settings: dict[str, Any]
    saved_at: dt.datetime
    saved_by: str
    note: str


def _stored(row: sa.Row[Any]) -> StoredPolicy:
    return StoredPolicy(int(row.version), dict(row.settings), row.saved_at, row.saved_by, row.note)


def has_policy_table(conn: sa.Connection) -> bool:
    """Whether the database has the table (migration 0021); an older schema has no stored policy."""
    return sa.inspect(conn).has_table(contact_policies.name)


def current_policy(conn: sa.Connection) -> StoredPolicy | None:
    row = conn.execute(sa.select(contact_policies).order_by(contact_policies.c.version.desc()).limit(1)).first()
    return None if row is None else _stored(row)


def policy_versions(conn: sa.Connection, *, limit: int = 20) -> list[StoredPolicy]:
    rows = conn.execute(sa.select(contact_policies).order_by(contact_policies.c.version.desc()).limit(limit))
    return [_stored(r) for r in rows]


def insert_policy(
    conn: sa.Connection, settings: Mapping[str, Any], *, saved_at: dt.datetime, saved_by: str, note: str = ""
) -> StoredPolicy:
    """Save the settings as the next version (the first is 1)."""
    last = conn.execute(sa.select(sa.func.max(contact_policies.c.version))).scalar_one()
    version = int(last or 0) + 1
    conn.execute(
        contact_policies.insert().values(
            version=version, settings=dict(settings), saved_at=saved_at, saved_by=saved_by[:80], note=note[:200]
        )
    )
    return StoredPolicy(version, dict(settings), saved_at, saved_by[:80], note[:200])
