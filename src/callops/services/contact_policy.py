"""The site's contact policy: the one in force (stored, else the China default) and saving a new version.

Every save is validated by the policy's one validator (``dialer.policy.policy_from_mapping``, which the YAML
loader uses too), stored normalised as the next version, and written to the audit log with the settings before
and after (entity ``contact_policy``, key ``site``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from callops.dialer.policy import ContactPolicy, PolicyError, china_default, policy_from_mapping, policy_to_mapping
from callops.errors import InvalidInput
from callops.store.audit_log import write_entry
from callops.store.contact_policy import StoredPolicy, current_policy, has_policy_table, insert_policy, policy_versions

__all__ = ["MAX_NOTE_CHARS", "policy_history", "policy_in_force", "save_site_policy", "stored_policy"]

MAX_NOTE_CHARS = 200


def stored_policy(conn: sa.Connection) -> StoredPolicy | None:
    """The newest saved version, or None (no version saved, or a schema from before migration 0021)."""
    return current_policy(conn) if has_policy_table(conn) else None


def policy_in_force(conn: sa.Connection) -> tuple[ContactPolicy, StoredPolicy | None]:
    """The stored site policy with its record, or the China default and None."""
    stored = stored_policy(conn)
    if stored is None:
        return china_default(), None
    return policy_from_mapping(stored.settings), stored


def save_site_policy(
    conn: sa.Connection, settings: Mapping[str, Any], *, actor: str, at: dt.datetime, note: str = ""
) -> StoredPolicy:
    """Validate and save the settings as the site's policy; ``InvalidInput`` names the setting at fault."""
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"at most {MAX_NOTE_CHARS} characters", field="note")
    try:
        policy = policy_from_mapping(settings)
    except PolicyError as exc:
        raise InvalidInput(exc.reason, field=exc.field) from None
    before = stored_policy(conn)
    normalised = policy_to_mapping(policy)
    saved = insert_policy(conn, normalised, saved_at=at, saved_by=actor, note=note)
    old = {**before.settings, "version": before.version} if before else None
    write_entry(
        conn,
        at=at,
        actor=actor,
        entity="contact_policy",
        key="site",
        action="contact_policy.saved",
        before=old,
        after={**normalised, "version": saved.version},
    )
    return saved


def policy_history(conn: sa.Connection, *, limit: int = 20) -> list[StoredPolicy]:
    """The stored versions of the site's contact policy, newest first, at most ``limit``."""
    return policy_versions(conn, limit=limit)
