"""Log in, log out and the language switch (pages)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from callops.errors import InvalidInput
from callops.services.accounts import sign_out_everywhere
from callops.store.users import authenticate
from callops.web.deps import ConnDep, NowDep, OptionalUser, ViewerDep
from callops.web.i18n import normalize_locale
from callops.web.login_guard import LoginGuardDep, LoginThrottled, SignInSlot
from callops.web.rendering import render
from callops.web.sessions import end_session, set_session_locale, start_session

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only paths of this site: ``/calls?x=1``, never ``//evil.example`` or ``https://...``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, user: OptionalUser, viewer: ViewerDep, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, viewer, "login.html",
                  {"next": safe_next(next), "failed": False, "locked_min": None, "username": ""})


@router.post("/login")
def login(_slot: SignInSlot, request: Request, conn: ConnDep, viewer: ViewerDep, guard: LoginGuardDep, now: NowDep,
          username: Annotated[str, Form(max_length=80)], password: Annotated[str, Form(max_length=200)],
          next: Annotated[str, Form()] = "/") -> Response:
    """Sign in; 401 for a wrong name or password, 429 with Retry-After while throttled (docs/web.md)."""
    form = {"next": safe_next(next), "failed": False, "locked_min": None, "username": username}
    try:
        attempt = guard.begin(username.strip())
    except LoginThrottled as refused:
        response = render(request, viewer, "login.html",
                          {**form, "locked_min": math.ceil(refused.retry_after_s / 60)}, status_code=429)
        response.headers["Retry-After"] = str(refused.retry_after_s)
        return response
    user = authenticate(conn, username.strip(), password)
    guard.finish(attempt, succeeded=user is not None)
    if user is None:
        return render(request, viewer, "login.html", {**form, "failed": True}, status_code=401)
    start_session(request, user, now=now)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, conn: ConnDep, user: OptionalUser, now: NowDep) -> Response:
    """Log out everywhere: this session and every other session and bearer token of the user end."""
    if user is not None:
        sign_out_everywhere(conn, user, at=now)
    end_session(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/language")
def switch_language(request: Request, locale: Annotated[str, Form()],
                    next: Annotated[str, Form()] = "/") -> Response:
    chosen = normalize_locale(locale)
    if chosen is None:
        raise InvalidInput(f"{locale!r} is not a language of this site (zh-CN, en)", field="locale")
    set_session_locale(request, chosen)
    return RedirectResponse(safe_next(next), status_code=303)
