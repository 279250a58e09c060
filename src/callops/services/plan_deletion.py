"""Deleting a staffing plan, written to the audit log like every other administrative change.

The web page, the API and ``callops plan delete`` all come here: the plan's versions go (their forecasts stay)
and one audit entry says who deleted which versions of which plan, and when.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.store.audit_log import write_entry
from callops.store.plans import delete_plan, list_plans

__all__ = ["delete_plan_audited"]


def delete_plan_audited(conn: sa.Connection, name: str, version: int | None, *, actor: str, at: dt.datetime) -> int:
    """Delete plan ``name`` (every version, or only ``version``) and audit it; how many versions went.

    Deleting nothing is ``NotFound`` (from the store) and writes no entry."""
    versions = sorted(v for n, v, _, _ in list_plans(conn) if n == name and (version is None or v == version))
    count = delete_plan(conn, name, version)
    write_entry(
        conn,
        at=at,
        actor=actor,
        entity="plan",
        key=name,
        action="plan.deleted",
        before={"versions": versions},
        after=None,
    )
    return count
