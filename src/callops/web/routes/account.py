"""Your own account: change your password (page and API). Every session and token of yours ends; this one
continues under the new epoch, and the API answers a fresh bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import InvalidInput
from callops.services.accounts import change_own_password
from callops.store.users import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, User, get_user
from callops.web.deps import ConnDep, CurrentUser, NowDep, StateDep, ViewerDep
from callops.web.form_input import FormValuesDep
from callops.web.login_guard import LoginGuard, LoginGuardDep, LoginThrottled, SignInSlot
from callops.web.rendering import render
from callops.web.sessions import start_session

router = APIRouter()


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class PasswordChangeOut(BaseModel):
    token: str = Field(description="a new bearer token: every earlier one ended with the change")
    token_type: str = "bearer"
    expires_in_s: int


def _change(conn: ConnDep, guard: LoginGuard, user: User, current: str, new: str, now: NowDep) -> User:
    """Change the password, counting a wrong current password as a failed sign-in (throttled alike)."""
    attempt = guard.begin(user.username)
    try:
        change_own_password(conn, user, current=current, new=new, at=now)
    except InvalidInput as exc:
        conn.rollback()
        guard.finish(attempt, succeeded=exc.field != "current_password")
        raise
    conn.commit()
    guard.finish(attempt, succeeded=True)
    return get_user(conn, user.id)


@router.post("/api/me/password", response_model=PasswordChangeOut, tags=["session"], responses={
    400: {"description": "the current password is wrong or the new one is refused (the field is named)"},
    429: {"description": "too many failed sign-ins or password checks for this user; see Retry-After"}})
def api_change_password(_slot: SignInSlot, request: Request, body: PasswordChangeIn, conn: ConnDep, user: CurrentUser,
                        state: StateDep, guard: LoginGuardDep, now: NowDep) -> PasswordChangeOut:
    """Change your password: every session and bearer token you had ends; the answer carries a new token."""
    try:
        changed = _change(conn, guard, user, body.current_password, body.new_password, now)
    except LoginThrottled as refused:
        from fastapi import HTTPException

        raise HTTPException(429, detail=str(refused), headers={"Retry-After": str(refused.retry_after_s)}) from None
    start_session(request, changed, now=now)
    return PasswordChangeOut(token=state.tokens.issue(changed), expires_in_s=state.tokens.max_age_s)


PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")


def _password_page(request: Request, viewer: ViewerDep, *, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    """The form; a refused change names its field. Passwords are never sent back into the form."""
    return render(request, viewer, "account_password.html", {"errors": errors or {}}, status_code=status_code)


@router.get("/account/password", include_in_schema=False)
def password_page(request: Request, user: CurrentUser, viewer: ViewerDep) -> Response:
    return _password_page(request, viewer)


@router.post("/account/password", include_in_schema=False)
def change_password(_slot: SignInSlot, request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                    guard: LoginGuardDep, now: NowDep, values: FormValuesDep) -> Response:
    current, new, confirm = (values.get(field, "") for field in PASSWORD_FIELDS)
    if not current:
        return _password_page(request, viewer, errors={"current_password": viewer.t("account.wrong_current")},
                              status_code=400)
    if not MIN_PASSWORD_CHARS <= len(new) <= MAX_PASSWORD_CHARS:
        return _password_page(request, viewer, errors={"new_password": viewer.t("account.too_short")},
                              status_code=400)
    if new != confirm:
        return _password_page(request, viewer, errors={"confirm_password": viewer.t("account.mismatch")},
                              status_code=400)
    try:
        changed = _change(conn, guard, user, current, new, now)
    except LoginThrottled as refused:
        response = _password_page(request, viewer, errors={"": viewer.t("account.locked")}, status_code=429)
        response.headers["Retry-After"] = str(refused.retry_after_s)
        return response
    except InvalidInput as exc:
        field, key = (("current_password", "account.wrong_current") if exc.field == "current_password" else
                      ("new_password", "account.same" if exc.field == "new_password" else "account.too_short"))
        return _password_page(request, viewer, errors={field: viewer.t(key)}, status_code=400)
    start_session(request, changed, now=now)
    return RedirectResponse("/account/password?done=1", status_code=303)
