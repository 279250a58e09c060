"""Account changes, each written to the audit log: create, password, enable/disable, unlock, role, sign-outs.

    create_account(conn, "amy", password=..., role=Role.QA, actor="admin", at=now)  # /admin/users, callops users add
    change_own_password(conn, user, current=..., new=..., at=now)   # the web page and POST /api/me/password
    reset_password(conn, "amy", new, actor="cli", at=now)          # callops users passwd, /admin/users/amy
    set_enabled(conn, "amy", False, actor="cli", at=now)           # callops users disable / enable
    unlock(conn, "amy", actor="admin", at=now)                     # callops users unlock: forget failed sign-ins
    change_role(conn, "amy", Role.QA, actor="cli", at=now)        # callops users role
    end_sessions(conn, "amy", actor="admin", at=now)               # an administrator signs amy out everywhere
    sign_out_everywhere(conn, user, at=now)                        # logout: every session and token ends

Every change but ``unlock`` raises the user's session epoch, so sessions and bearer tokens issued before it
stop working on their next request. Audit rows go to the append-only ``audit_log`` (entity ``user``, the user
name as key) with the account before and after; no password or hash is ever written there.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput, NotFound
from callops.login_throttle import FailureScope
from callops.records import Role
from callops.services.directory_admin import AlreadyExists
from callops.store.audit_log import write_entry
from callops.store.login_failures import clear_failures
from callops.store.users import (
    MAX_PASSWORD_CHARS,
    User,
    add_user,
    check_password,
    find_user,
    list_users,
    revoke_sessions,
    set_active,
    set_password,
    set_role,
)

__all__ = ["MAX_PASSWORD_CHARS", "User", "account_fields", "accounts", "account", "change_own_password", "change_role",
           "create_account", "end_sessions", "reset_password", "set_enabled", "sign_out_everywhere", "unlock"]


def account_fields(user: User) -> dict[str, object]:
    """What the audit log records of an account (never the password)."""
    return {"role": user.role.value, "display_name": user.display_name, "agent_id": user.agent_id,
            "locale": user.locale, "tz": user.tz, "active": user.active}


def _audit(conn: sa.Connection, *, at: dt.datetime, actor: str, action: str, user: User,
           after: User | None = None) -> None:
    before = account_fields(user)
    write_entry(conn, at=at, actor=actor, entity="user", key=user.username, action=action, before=before,
                after=account_fields(after) if after is not None else before)


def create_account(conn: sa.Connection, username: str, *, password: str, role: Role, actor: str,
                   at: dt.datetime, display_name: str | None = None, agent_id: str | None = None,
                   locale: str = "zh-CN", tz: str | None = None) -> User:
    """A new user (``AlreadyExists`` on field username when the name is taken)."""
    try:
        user = add_user(conn, username, password=password, role=role, display_name=display_name,
                        agent_id=agent_id, locale=locale, tz=tz)
    except Conflict as exc:
        raise AlreadyExists(str(exc), field="username") from None
    write_entry(conn, at=at, actor=actor, entity="user", key=user.username, action="user.created", before=None,
                after=account_fields(user))
    return user


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
    _audit(conn, at=at, actor=actor, action="user.enabled" if enabled else "user.disabled", user=user,
           after=find_user(conn, username))
    return user


def unlock(conn: sa.Connection, username: str, *, actor: str, at: dt.datetime) -> int:
    """Lift the sign-in lock of the name ``username`` by forgetting its failed sign-ins; returns how many.

    The name need not be an account (the lock counts names as typed); only an account's unlock is audited."""
    cleared = clear_failures(conn, FailureScope.USER, username)
    try:
        user = find_user(conn, username)
    except NotFound:  # a name that is no account has nothing to audit
        return cleared
    write_entry(conn, at=at, actor=actor, entity="user", key=user.username, action="user.unlocked",
                before={"failed_sign_ins": cleared}, after={"failed_sign_ins": 0})
    return cleared


def change_role(conn: sa.Connection, username: str, role: Role, *, actor: str, at: dt.datetime,
                agent_id: str | None = None) -> User:
    """Give ``username`` a new role; their sessions end so the new rights apply from the next sign-in."""
    user = find_user(conn, username)
    set_role(conn, user.id, role, agent_id=agent_id)
    _audit(conn, at=at, actor=actor, action="user.role_changed", user=user, after=find_user(conn, username))
    return user


def end_sessions(conn: sa.Connection, username: str, *, actor: str, at: dt.datetime) -> User:
    """An administrator ends every session and token of ``username`` (they sign in again)."""
    user = find_user(conn, username)
    revoke_sessions(conn, user.id)
    _audit(conn, at=at, actor=actor, action="user.signed_out", user=user)
    return user


def sign_out_everywhere(conn: sa.Connection, user: User, *, at: dt.datetime) -> None:
    """Log out: every session and bearer token of the user ends, not only this browser's."""
    revoke_sessions(conn, user.id)
    _audit(conn, at=at, actor=user.username, action="user.signed_out", user=user)


def accounts(conn: sa.Connection) -> list[User]:
    """Every user account (the admin's list; password hashes never leave the store)."""
    return list_users(conn)


def account(conn: sa.Connection, username: str) -> User:
    """The account ``username`` (``NotFound`` if there is none)."""
    return find_user(conn, username)
