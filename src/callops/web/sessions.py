"""Who is asking: the signed session cookie (pages, browser API calls) or a bearer token (scripts).

The session (Starlette's ``SessionMiddleware``, signed with ``Settings.session_secret()``,
SameSite=Lax) holds the user id, the CSRF token and the chosen language. API clients may
instead send ``Authorization: Bearer <token>`` from ``POST /api/login``; a bearer request is
never authenticated by its cookie.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection

from callops.store.users import User

__all__ = ["SESSION_COOKIE", "SESSION_MAX_AGE_S", "TokenSigner", "bearer_token", "csrf_token", "end_session",
           "session_locale", "session_user_id", "set_session_locale", "start_session"]

SESSION_COOKIE = "callops_session"
SESSION_MAX_AGE_S = 12 * 3600
_USER = "uid"
_CSRF = "csrf"
_LOCALE = "locale"


def csrf_token(conn: HTTPConnection) -> str:
    """This session's CSRF token, created on first use; forms carry it as ``csrf_token``."""
    token = conn.session.get(_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        conn.session[_CSRF] = token
    return token


def expected_csrf(conn: HTTPConnection) -> str | None:
    token = conn.session.get(_CSRF)
    return token if isinstance(token, str) and token else None


def start_session(conn: HTTPConnection, user: User) -> None:
    """A fresh session for ``user`` (new CSRF token, so a planted session cannot be reused)."""
    locale = conn.session.get(_LOCALE)
    conn.session.clear()
    conn.session[_USER] = user.id
    conn.session[_CSRF] = secrets.token_urlsafe(32)
    if locale:
        conn.session[_LOCALE] = locale


def end_session(conn: HTTPConnection) -> None:
    """Forget the user; the language choice stays."""
    locale = conn.session.get(_LOCALE)
    conn.session.clear()
    if locale:
        conn.session[_LOCALE] = locale


def session_user_id(conn: HTTPConnection) -> int | None:
    value = conn.session.get(_USER)
    return value if isinstance(value, int) else None


def session_locale(conn: HTTPConnection) -> str | None:
    value = conn.session.get(_LOCALE)
    return value if isinstance(value, str) else None


def set_session_locale(conn: HTTPConnection, locale: str) -> None:
    conn.session[_LOCALE] = locale


def bearer_token(conn: HTTPConnection) -> str | None:
    scheme, _, token = conn.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class TokenSigner:
    """Signed, expiring API tokens carrying a user id."""

    def __init__(self, secret: str, *, max_age_s: int = SESSION_MAX_AGE_S) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="callops-api-token")
        self.max_age_s = max_age_s

    def issue(self, user_id: int) -> str:
        return self._serializer.dumps({"uid": user_id})

    def user_id(self, token: str) -> int | None:
        """The user id in ``token``; None when it is forged, malformed or expired."""
        try:
            data = self._serializer.loads(token, max_age=self.max_age_s)
        except BadSignature:
            return None
        uid = data.get("uid") if isinstance(data, dict) else None
        return uid if isinstance(uid, int) else None
