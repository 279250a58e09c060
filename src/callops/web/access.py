"""What a user may see of calls, decided by ``callops.permissions`` (the only place rights live)."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from callops.errors import PermissionDenied
from callops.permissions import Permission, allowed
from callops.records import Call
from callops.services.team_scope import team_scope
from callops.store.records import CallFilter
from callops.store.users import User
from callops.web.masking import mask_number

__all__ = ["scope_filter", "visible_calls", "check_call_visible", "shown_number"]


def scope_filter(conn: sa.Connection, user: User, flt: CallFilter) -> CallFilter:
    """``flt`` narrowed to what ``user`` may see: a team lead, their teams' agents' calls; without
    VIEW_ALL_CALLS, their own agent's calls."""
    if allowed(user.role, Permission.VIEW_ALL_CALLS):
        scope = team_scope(conn, user)
        if scope is None:
            return flt
        if flt.agent is not None and flt.agent not in scope:
            raise PermissionDenied(f"the {user.role.value} role sees only the calls of their own teams")
        return replace(flt, agents=scope)
    if not user.agent_id:
        raise PermissionDenied(f"user {user.username} sees only their own calls but has no agent id")
    if flt.agent is not None and flt.agent != user.agent_id:
        raise PermissionDenied(f"the {user.role.value} role sees only its own calls (agent {user.agent_id})")
    return replace(flt, agent=user.agent_id)


def visible_calls(conn: sa.Connection, user: User) -> CallFilter:
    """Every call ``user`` may see, with no other filter (``scope_filter`` of an empty filter)."""
    return scope_filter(conn, user, CallFilter())


def check_call_visible(conn: sa.Connection, user: User, call: Call) -> None:
    if allowed(user.role, Permission.VIEW_ALL_CALLS):
        scope = team_scope(conn, user)
        if scope is not None and call.agent not in scope:
            raise PermissionDenied(f"the {user.role.value} role sees only the calls of their own teams")
        return
    if not user.agent_id or call.agent != user.agent_id:
        raise PermissionDenied(f"the {user.role.value} role sees only its own calls")


def shown_number(user: User, number: str | None) -> str | None:
    """The caller number as ``user`` may see it: whole with VIEW_PII, else masked."""
    return number if allowed(user.role, Permission.VIEW_PII) else mask_number(number)
