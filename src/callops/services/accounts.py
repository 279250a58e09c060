"""Account changes, each written to the audit log: password, enable/disable, role, sign-out everywhere.

    change_own_password(conn, user, current=..., new=..., at=now)   # the web page and POST /api/me/password
    reset_password(conn, "amy", new, actor="cli", at=now)          # callops users passwd
    set_enabled(conn, "amy", False, actor="cli", at=now)           # callops users disable / enable
    change_role(conn, "amy", Role.QA, actor="cli", at=now)        # callops users role
    sign_out_everywhere(conn, user, at=now)                        # logout: every session and token ends

Every change raises the user's session epoch, so sessions and bearer tokens issued before it stop working
on their next request. Audit rows go to the append-only ``qa_audit`` log with subject ``user:<id>``; no
password or hash is ever written there.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.records import Role
from callops.store.qa_reviews import write_audit
from callops.store.users import (
    User,
    check_password,
    find_user,
    revoke_sessions,
    set_active,
    set_password,
    set_role,
)

__all__ = ["change_own_password", "change_role", "reset_password", "set_enabled", "sign_out_everywhere"]


def _audit(conn: sa.Connection, *, at: dt.datetime, actor: str, action: str, user: User,
           **details: object) -> None:
    write_audit(conn, at=at, actor=actor[:80], action=action, subject=f"user:{user.id}",
                details={"username": user.username, **details})


def change_own_password(conn: sa.Connection, user: User, *, current: str, new: str, at: dt.datetime) -> None:
    """The user's new password, given their current one; ``InvalidInput`` naming the field otherwise."""
    if not check_password(conn, user.id, current):
        raise InvalidInput("the current password is wrong", field="current_password")
    if new == current:
        raise InvalidInput("the new password is the current one", field="new_password")
    set_password(conn, user.id, new)
    _audit(conn, at=at, actor=user.username, action="user.password_changed", user=user)


def reset_password(conn: sa.Connection, username: str, new: str, *, actor: str, at: dt.datetime) -> User:
    """An administrator sets ``username``'s password."""
    user = find_user(conn, username)
    set_password(conn, user.id, new)
    _audit(conn, at=at, actor=actor, action="user.password_reset", user=user)
    return user


def set_enabled(conn: sa.Connection, username: str, enabled: bool, *, actor: str, at: dt.datetime) -> User:
    """Enable or disable ``username``; disabling ends every session and token at once."""
    user = find_user(conn, username)
    set_active(conn, user.id, enabled)
    _audit(conn, at=at, actor=actor, action="user.enabled" if enabled else "user.disabled", user=user)
    return user


def change_role(conn: sa.Connection, username: str, role: Role, *, actor: str, at: dt.datetime,
                agent_id: str | None = None) -> User:
    """Give ``username`` a new role; their sessions end so the new rights apply from the next sign-in."""
    user = find_user(conn, username)
    set_role(conn, user.id, role, agent_id=agent_id)
    _audit(conn, at=at, actor=actor, action="user.role_changed", user=user,
           before=user.role.value, after=role.value)
    return user


def sign_out_everywhere(conn: sa.Connection, user: User, *, at: dt.datetime) -> None:
    """Log out: every session and bearer token of the user ends, not only this browser's."""
    revoke_sessions(conn, user.id)
    _audit(conn, at=at, actor=user.username, action="user.signed_out", user=user)
