"""Signing in to the web app in tests: the one test password, its cheap hash, users who sign in with it, the
CSRF field of a page, and logging in through the form (TestClient). Browsers sign in with
``browser_harness.log_in``."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from callops.records import Role
from callops.store.schema import users

__all__ = ["PASSWORD", "password_hash", "insert_users", "csrf_of", "login"]

PASSWORD = "s3cret-pass"


@functools.cache
def password_hash() -> str:
    """One cheap argon2 hash of PASSWORD for every test (verification reads its cost from the hash; store/users
    tests cover add_user with the real cost)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def insert_users(conn: sa.Connection, rows: Iterable[tuple[str, Role, str | None, str]], *,
                 tz: str = "Asia/Shanghai") -> None:
    """Active users (name, role, agent id, locale) who sign in with PASSWORD."""
    conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": role.value,
                                   "agent_id": agent,
                                   "locale": locale, "tz": tz, "active": True} for name, role, agent, locale in rows])


def csrf_of(html: str) -> str:
    """The page's CSRF token (its hidden ``csrf_token`` field)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the new session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                           "next": "/calls"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)
