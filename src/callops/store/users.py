"""Users with hashed passwords (argon2) and roles."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from callops.errors import Conflict, InvalidInput, NotFound
from callops.records import Role
from callops.store.engine import new_id
from callops.store.schema import users

__all__ = ["User", "add_user", "authenticate", "check_password", "find_user", "get_user", "list_users",
           "revoke_sessions", "set_active", "set_password", "set_role"]

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 200

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    display_name: str | None = None
    agent_id: str | None = None
    locale: str = "zh-CN"
    tz: str | None = None
    session_epoch: int = 0  # sessions and tokens carry it; raising it revokes them all
    active: bool = True


def _user(row: sa.Row[object]) -> User:
    m = row._mapping
    return User(id=int(m["id"]), username=str(m["username"]), role=Role(m["role"]),
                display_name=m["display_name"], agent_id=m["agent_id"],
                locale=str(m["locale"]), tz=m["tz"], session_epoch=int(m["session_epoch"] or 0),
                active=bool(m["active"]))


def _check_new_password(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InvalidInput(f"the password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters",
                           field="password")


def add_user(conn: sa.Connection, username: str, *, password: str, role: Role, display_name: str | None = None,
             agent_id: str | None = None, locale: str = "zh-CN", tz: str | None = None) -> User:
    if not username or len(username) > 80 or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput(f"user name {username!r} must be 1-80 letters, digits, '.' or '_'", field="username")
    _check_new_password(password)
    if display_name is not None and len(display_name) > 120:
        raise InvalidInput("a display name has at most 120 characters", field="display_name")
    if agent_id is not None and len(agent_id) > 80:
        raise InvalidInput("an agent id has at most 80 characters", field="agent_id")
    if role is Role.AGENT and not agent_id:
        raise InvalidInput("an agent user needs --agent, the agent id whose calls they see", field="agent_id")
    exists = conn.execute(sa.select(users.c.id).where(users.c.username == username)).first()
    if exists:
        raise Conflict(f"user {username!r} exists already")
    result = conn.execute(users.insert().values(
        username=username, password_hash=_hasher.hash(password), role=role.value, display_name=display_name,
        agent_id=agent_id, locale=locale, tz=tz, active=True))
    return get_user(conn, new_id(result))


def get_user(conn: sa.Connection, user_id: int) -> User:
    row = conn.execute(sa.select(users).where(users.c.id == user_id, users.c.active)).first()
    if row is None:
        raise NotFound(f"no active user with id {user_id}")
    return _user(row)


def list_users(conn: sa.Connection) -> list[User]:
    return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.username))]


def authenticate(conn: sa.Connection, username: str, password: str) -> User | None:
    """The user when the password matches, else None (same answer for unknown names)."""
    row = conn.execute(sa.select(users).where(users.c.username == username, users.c.active)).first()
    if row is None:
        _hasher.hash(password)  # same cost as a real check, so timing does not reveal names
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(row)


def find_user(conn: sa.Connection, username: str) -> User:
    """The user named ``username``, active or not."""
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user named {username!r}")
    return _user(row)


def revoke_sessions(conn: sa.Connection, user_id: int) -> None:
    """End every session and token of the user: they carry the old epoch, which no longer matches."""
    conn.execute(users.update().where(users.c.id == user_id).values(session_epoch=users.c.session_epoch + 1))


def check_password(conn: sa.Connection, user_id: int, password: str) -> bool:
    """Whether ``password`` is the user's current one."""
    stored = conn.execute(sa.select(users.c.password_hash).where(users.c.id == user_id)).scalar()
    if stored is None:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(conn: sa.Connection, user_id: int, password: str) -> None:
    """A new password for the user; every session and token they had ends."""
    _check_new_password(password)
    conn.execute(users.update().where(users.c.id == user_id).values(password_hash=_hasher.hash(password)))
    revoke_sessions(conn, user_id)


def set_active(conn: sa.Connection, user_id: int, active: bool) -> None:
    """Enable or disable the user; disabling ends their sessions and refuses their sign-ins."""
    conn.execute(users.update().where(users.c.id == user_id).values(active=active))
    revoke_sessions(conn, user_id)


def set_role(conn: sa.Connection, user_id: int, role: Role, *, agent_id: str | None = None) -> None:
    """Give the user ``role`` (an agent needs ``agent_id``); their sessions end so the new rights start clean."""
    if role is Role.AGENT and not agent_id:
        current = conn.execute(sa.select(users.c.agent_id).where(users.c.id == user_id)).scalar()
        if not current:
            raise InvalidInput("an agent user needs --agent, the agent id whose calls they see", field="agent_id")
        agent_id = current
    values: dict[str, object] = {"role": role.value}
    if agent_id is not None:
        values["agent_id"] = agent_id
    conn.execute(users.update().where(users.c.id == user_id).values(**values))
    revoke_sessions(conn, user_id)
