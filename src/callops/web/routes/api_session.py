"""API: log in (a bearer token, and the session cookie for browsers), log out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from callops.services.accounts import sign_out_everywhere
from callops.store.users import authenticate
from callops.web.deps import ConnDep, CurrentUser, NotAuthenticated, NowDep, OptionalUser, StateDep
from callops.web.login_guard import LoginGuardDep, LoginThrottled, SignInSlot
from callops.web.schemas import LoginIn, LoginOut, UserOut
from callops.web.sessions import csrf_token, end_session, start_session

router = APIRouter(prefix="/api", tags=["session"])


@router.post("/login", response_model=LoginOut, responses={
    401: {"description": "wrong user name or password"},
    429: {"description": "too many failed sign-ins for this user name or from this address; see Retry-After"}})
def api_login(_slot: SignInSlot, request: Request, body: LoginIn, conn: ConnDep, state: StateDep, guard: LoginGuardDep,
              now: NowDep) -> LoginOut:
    """Check the password; answer a bearer token and start a cookie session (for browser clients).

    By default, after 5 failed sign-ins for a user name (or 100 from an address) within 15 minutes, attempts
    are refused for 15 minutes with 429 and ``Retry-After`` (seconds), before the password is checked.
    """
    username = body.username.strip()
    try:
        attempt = guard.begin(username)
    except LoginThrottled as refused:
        raise HTTPException(429, detail=str(refused), headers={"Retry-After": str(refused.retry_after_s)}) from None
    user = authenticate(conn, username, body.password)
    guard.finish(attempt, succeeded=user is not None)
    if user is None:
        raise NotAuthenticated("wrong user name or password")
    start_session(request, user, now=now)
    return LoginOut(token=state.tokens.issue(user), expires_in_s=state.tokens.max_age_s,
                    csrf_token=csrf_token(request), user=UserOut.of(user))


@router.post("/logout", status_code=204)
def api_logout(request: Request, conn: ConnDep, user: OptionalUser, now: NowDep) -> None:
    """Log out everywhere: end this cookie session and every other session and bearer token of the user."""
    if user is not None:
        sign_out_everywhere(conn, user, at=now)
    end_session(request)


@router.get("/me", response_model=UserOut)
def api_me(user: CurrentUser) -> UserOut:
    """The logged-in user, their role and the rights it grants."""
    return UserOut.of(user)
