"""Who is asking: the signed session cookie (pages, browser API calls) or a bearer token (scripts).

The session (Starlette's ``SessionMiddleware``, signed with ``Settings.session_secret()``,
SameSite=Lax) holds the user id, the CSRF token and the chosen language. API clients may
instead send ``Authorization: Bearer <token>`` from ``POST /api/login``; a bearer request is
never authenticated by its cookie.

Both carry the user's session epoch (``users.session_epoch``): logging out, changing the password or
role, or disabling the user raises it, and every session and token carrying the old one stops working on
its next request (``callops.services.accounts``). A cookie session also ends after
``Settings.idle_timeout_min`` without a request; its last request time is kept in the signed cookie.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection

from callops.store.users import User

__all__ = ["SESSION_COOKIE", "SESSION_MAX_AGE_S", "Claim", "TokenSigner", "bearer_token", "csrf_token",
           "end_session", "session_claim", "session_locale", "set_session_locale",
           "start_session", "touch_session"]

SESSION_COOKIE = "callops_session"
SESSION_MAX_AGE_S = 12 * 3600
_USER = "uid"
_EPOCH = "ep"
_SEEN = "seen"
_CSRF = "csrf"
_LOCALE = "locale"


@dataclass(frozen=True, slots=True)
class Claim:
    """Who a session or token says it is: the user, the epoch it was issued in, its last use (sessions)."""

    user_id: int
    epoch: int
    seen_at: dt.datetime | None = None


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


def start_session(conn: HTTPConnection, user: User, *, now: dt.datetime) -> None:
    """A fresh session for ``user`` (new CSRF token, so a planted session cannot be reused)."""
    locale = conn.session.get(_LOCALE)
    conn.session.clear()
    conn.session[_USER] = user.id
    conn.session[_EPOCH] = user.session_epoch
    conn.session[_SEEN] = int(now.timestamp())
    conn.session[_CSRF] = secrets.token_urlsafe(32)
    if locale:
        conn.session[_LOCALE] = locale


def touch_session(conn: HTTPConnection, now: dt.datetime) -> None:
    """Note a request on the session, for the idle timeout."""
    conn.session[_SEEN] = int(now.timestamp())


def session_claim(conn: HTTPConnection) -> Claim | None:
    user_id, epoch, seen = conn.session.get(_USER), conn.session.get(_EPOCH), conn.session.get(_SEEN)
    if not (isinstance(user_id, int) and isinstance(epoch, int) and isinstance(seen, int)):
        return None
    try:
        seen_at = dt.datetime.fromtimestamp(seen, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return Claim(user_id, epoch, seen_at)


def end_session(conn: HTTPConnection) -> None:
    """Forget the user; the language choice stays."""
    locale = conn.session.get(_LOCALE)
    conn.session.clear()
    if locale:
        conn.session[_LOCALE] = locale


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

    def issue(self, user: User) -> str:
        return self._serializer.dumps({"uid": user.id, "ep": user.session_epoch})

    def claim(self, token: str) -> Claim | None:
        """Who ``token`` names; None when it is forged, malformed or expired."""
        try:
            data = self._serializer.loads(token, max_age=self.max_age_s)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        uid, epoch = data.get("uid"), data.get("ep")
        return Claim(uid, epoch) if isinstance(uid, int) and isinstance(epoch, int) else None
