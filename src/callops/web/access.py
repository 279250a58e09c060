"""What a user may see of calls, decided by ``callops.permissions`` (the only place rights live)."""

from __future__ import annotations

from dataclasses import replace

from callops.errors import PermissionDenied
from callops.permissions import Permission, allowed
from callops.records import Call
from callops.store.records import CallFilter
from callops.store.users import User
from callops.web.masking import mask_number

__all__ = ["scope_filter", "check_call_visible", "shown_number"]


def scope_filter(user: User, flt: CallFilter) -> CallFilter:
    """``flt`` narrowed to what ``user`` may see: without VIEW_ALL_CALLS, their own agent's calls."""
    if allowed(user.role, Permission.VIEW_ALL_CALLS):
        return flt
    if not user.agent_id:
        raise PermissionDenied(f"user {user.username} sees only their own calls but has no agent id")
    if flt.agent is not None and flt.agent != user.agent_id:
        raise PermissionDenied(f"the {user.role.value} role sees only its own calls (agent {user.agent_id})")
    return replace(flt, agent=user.agent_id)


def check_call_visible(user: User, call: Call) -> None:
    if allowed(user.role, Permission.VIEW_ALL_CALLS):
        return
    if not user.agent_id or call.agent != user.agent_id:
        raise PermissionDenied(f"the {user.role.value} role sees only its own calls")


def shown_number(user: User, number: str | None) -> str | None:
    """The caller number as ``user`` may see it: whole with VIEW_PII, else masked."""
    return number if allowed(user.role, Permission.VIEW_PII) else mask_number(number)
