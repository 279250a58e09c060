"""Users: hashed passwords, roles, validation at the edge."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput
from callops.records import Role
from callops.store.schema import users
from callops.store.users import add_user, authenticate, list_users


def test_password_is_hashed_and_checked(engine: sa.Engine) -> None:
    """The stored hash is not the password, and only the right password authenticates."""
    with engine.begin() as conn:
        add_user(conn, "li.na", password="correct horse", role=Role.QA)
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
        assert "correct horse" not in stored and stored.startswith("$argon2")
        assert authenticate(conn, "li.na", "correct horse") is not None
        assert authenticate(conn, "li.na", "wrong password") is None
        assert authenticate(conn, "nobody", "correct horse") is None


def test_duplicate_and_invalid_users_are_refused(engine: sa.Engine) -> None:
    """A taken name conflicts; a short password, a bad name or an agent without agent id is refused."""
    with engine.begin() as conn:
        add_user(conn, "wang", password="12345678", role=Role.MANAGER)
        with pytest.raises(Conflict):
            add_user(conn, "wang", password="12345678", role=Role.MANAGER)
        with pytest.raises(InvalidInput, match="password"):
            add_user(conn, "zhao", password="short", role=Role.MANAGER)
        with pytest.raises(InvalidInput, match="username|user name"):
            add_user(conn, "bad name!", password="12345678", role=Role.MANAGER)
        with pytest.raises(InvalidInput, match="agent"):
            add_user(conn, "agent1", password="12345678", role=Role.AGENT)
        assert [u.username for u in list_users(conn)] == ["wang"]
