"""One place maps errors to responses: JSON under /api, an error page elsewhere.

    InvalidInput 400 (with file/line/field)  NotFound 404  PermissionDenied 403  Conflict 409
    Infeasible 422  request validation 400 (naming the field)  not logged in 401 / login redirect
    sign-in throttled 429 with Retry-After (raised as HTTPException by routes/api_session.py)
    busy 503 with Retry-After: no pooled connection free within the pool timeout, a SQLite database
        locked by another writer (an import) beyond its busy timeout, or no sign-in slot free in time
    a number too large for the database (OverflowError, DataError) 400
    anything else 500: logged with its traceback, which the response shows only in debug mode
"""

from __future__ import annotations

import logging
import traceback
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from callops.errors import CallopsError, Conflict, Infeasible, InvalidInput, NotFound, PermissionDenied, TimeLimit
from callops.web.deps import NotAuthenticated
from callops.web.form_input import validation_message
from callops.web.login_guard import SignInBusy
from callops.web.reason_keys import say_reason
from callops.web.rendering import render
from callops.web.state import web_state
from callops.web.viewer import viewer_for

__all__ = ["BUSY_RETRY_AFTER_S", "install_error_handlers", "is_api", "is_busy"]

_log = logging.getLogger(__name__)

_KIND = {InvalidInput: "invalid_input", NotFound: "not_found", PermissionDenied: "permission_denied",
         Conflict: "conflict", Infeasible: "infeasible", TimeLimit: "time_limit"}


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"


def _kind(exc: CallopsError) -> str:
    for cls, name in _KIND.items():
        if isinstance(exc, cls):
            return name
    return "error"


def _respond(request: Request, status: int, body: dict[str, Any]) -> Response:
    if is_api(request):
        return JSONResponse(body, status_code=status)
    user = getattr(request.state, "user", None)
    viewer = viewer_for(request, user)
    title_key = f"error.title_{status}" if f"error.title_{status}" in viewer.t.messages else "error.title"
    return render(request, viewer, "error.html", {"status": status, "error": body, "title_key": title_key},
                  status_code=status)


async def _callops_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CallopsError)
    body: dict[str, Any] = {"error": _kind(exc), "message": str(exc)}
    if isinstance(exc, InvalidInput):
        body.update(reason=exc.reason, file=exc.file, line=exc.line, field=exc.field)
    if isinstance(exc, TimeLimit):
        body["limit_s"] = exc.limit_s
    if not is_api(request):  # a page says what it knows in the viewer's language (API messages stay English)
        t = viewer_for(request, getattr(request.state, "user", None)).t
        reason = say_reason(exc.reason if isinstance(exc, InvalidInput) else str(exc), t)
        field = exc.field if isinstance(exc, InvalidInput) else None
        body["message"] = t("form.field_error", field=field, message=reason) if field else reason
    return _respond(request, exc.http_status, body)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    loc = [str(part) for part in first.get("loc", ())]
    field = loc[-1] if loc else None
    message = f"field {field}: {first.get('msg', 'invalid value')}" if field else "invalid request"
    if not is_api(request) and first:  # a page says it in the viewer's language
        t = viewer_for(request, getattr(request.state, "user", None)).t
        message = t("form.field_error", field=field or "-", message=validation_message(first, t))
    details = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")} for e in exc.errors()]
    return _respond(request, 400, {"error": "invalid_input", "message": message, "reason": first.get("msg"),
                                   "file": None, "line": None, "field": field, "details": details})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    names = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated", 403: "permission_denied",
             429: "too_many_attempts"}
    body = {"error": names.get(exc.status_code, "http_error"), "message": str(exc.detail)}
    response = _respond(request, exc.status_code, body)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _not_authenticated(request: Request, exc: Exception) -> Response:
    if is_api(request):
        message = str(exc) or "log in first (POST /api/login)"
        return JSONResponse({"error": "not_authenticated", "message": message},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


BUSY_RETRY_AFTER_S = 2


def is_busy(exc: BaseException) -> bool:
    """A database too busy to answer now: the pool is exhausted or SQLite is locked by another writer."""
    if isinstance(exc, sa.exc.TimeoutError):
        return True
    if isinstance(exc, sa.exc.OperationalError):
        text = str(exc.orig).lower()
        return any(sign in text for sign in ("database is locked", "database is busy", "too many clients",
                                             "lock timeout"))
    return False


def _busy(request: Request, message: str) -> Response:
    response = _respond(request, 503, {"error": "busy", "message": message})
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response


async def _database_error(request: Request, exc: Exception) -> Response:
    if not is_busy(exc):
        return await _unexpected(request, exc)
    _log.warning("database busy on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return _busy(request, "the database is busy (an import or many requests at once): try again in "
                          f"{BUSY_RETRY_AFTER_S} s")


async def _out_of_range(request: Request, exc: Exception) -> Response:
    """A number too large for the database (a huge id or count that got past the edge): 400, not 500."""
    _log.warning("out-of-range value on %s %s: %s", request.method, request.url.path, exc)
    message = "a number in the request is out of range"
    if not is_api(request):
        message = viewer_for(request, getattr(request.state, "user", None)).t("error.out_of_range")
    return _respond(request, 400, {"error": "invalid_input", "message": message,
                                   "reason": "out of range", "file": None, "line": None, "field": None})


async def _sign_in_busy(request: Request, exc: Exception) -> Response:
    """Every sign-in slot stayed taken: 429 with Retry-After. Sign-ins are throttled like the lockouts of
    login_guard (429), never answered as a server error: a storm of wrong passwords is the caller's doing."""
    _log.warning("sign-in refused on %s: %s", request.url.path, exc)
    response = _respond(request, 429, {"error": "busy", "message": str(exc)})
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    _log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    body: dict[str, Any] = {"error": "internal", "message": "internal error: the server logged the details"}
    if web_state(request).settings.debug:
        body["traceback"] = "".join(traceback.format_exception(exc))
    return _respond(request, 500, body)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CallopsError, _callops_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(SignInBusy, _sign_in_busy)
    app.add_exception_handler(sa.exc.TimeoutError, _database_error)
    app.add_exception_handler(OverflowError, _out_of_range)  # SQLite: a Python int over 64 bits
    app.add_exception_handler(sa.exc.DataError, _out_of_range)  # PostgreSQL: integer out of range
    app.add_exception_handler(sa.exc.OperationalError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
