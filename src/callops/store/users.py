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

__all__ = ["User", "add_user", "authenticate", "get_user", "list_users"]

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


def _user(row: sa.Row[object]) -> User:
    m = row._mapping
    return User(id=int(m["id"]), username=str(m["username"]), role=Role(m["role"]),
                display_name=m["display_name"], agent_id=m["agent_id"],
                locale=str(m["locale"]), tz=m["tz"])


def add_user(conn: sa.Connection, username: str, *, password: str, role: Role, display_name: str | None = None,
             agent_id: str | None = None, locale: str = "zh-CN", tz: str | None = None) -> User:
    if not username or len(username) > 80 or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput(f"user name {username!r} must be 1-80 letters, digits, '.' or '_'", field="username")
    if len(password) < 8:
        raise InvalidInput("the password needs at least 8 characters", field="password")
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
