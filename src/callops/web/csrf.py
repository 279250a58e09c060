"""CSRF protection, applied to every route of the app (an app-wide dependency).

An unsafe request (POST, PUT, PATCH, DELETE) authenticated by the session cookie must carry the
session's token: the form field ``csrf_token`` or the header ``X-CSRF-Token``. Exempt are bearer
requests (no cookie is trusted) and ``POST /api/login`` with a JSON body (a cross-site form cannot
send ``application/json`` without a CORS preflight, which this app never grants). The cookie is
also SameSite=Lax, so browsers do not send it on cross-site POSTs at all.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from callops.errors import PermissionDenied
from callops.web.sessions import bearer_token, expected_csrf

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "LOGIN_API_PATH", "verify_csrf"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_API_PATH = "/api/login"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe cookie-authenticated request whose token is missing or wrong."""
    if request.method in _SAFE or bearer_token(request) is not None:
        return
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.url.path == LOGIN_API_PATH and content_type == "application/json":
        return
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and content_type in _FORMS:
        value = (await request.form()).get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    expected = expected_csrf(request)
    if not expected or not supplied or not hmac.compare_digest(expected.encode(), supplied.encode()):
        raise PermissionDenied("the security token (CSRF) of this form is missing or stale: reload the page "
                               "and try again")
