"""Administration of users (the manage_users right): create, change role, reset password, disable/enable,
unlock sign-in, end sessions. Each goes through ``callops.services.accounts`` and is audited."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import CallopsError, InvalidInput
from callops.permissions import Permission
from callops.records import Role
from callops.services.accounts import (
    MAX_PASSWORD_CHARS,
    account,
    accounts,
    change_role,
    create_account,
    end_sessions,
    reset_password,
    set_enabled,
    unlock,
)
from callops.web.deps import ConnDep, NowDep, User, ViewerDep, require
from callops.web.routes._admin_forms import field_errors, render_form

router = APIRouter(include_in_schema=False)

Admin = Annotated[User, require(Permission.MANAGE_USERS)]
ACTIONS = ("role", "password", "disable", "enable", "unlock", "sessions")


def _context(conn: ConnDep) -> dict[str, Any]:
    return {"users": accounts(conn), "roles": [r.value for r in Role], "section": "users"}


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a role", field="role") from None


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, conn: ConnDep, user: Admin, viewer: ViewerDep) -> HTMLResponse:
    return render_form(request, viewer, "admin/users.html", _context(conn),
                       values={"role": "agent", "locale": "zh-CN"})


@router.post("/admin/users")
def create_user_form(request: Request, conn: ConnDep, user: Admin, viewer: ViewerDep, now: NowDep,
                     username: Annotated[str, Form(max_length=200)] = "",
                     display_name: Annotated[str, Form(max_length=200)] = "",
                     role: Annotated[str, Form(max_length=20)] = "",
                     agent_id: Annotated[str, Form(max_length=200)] = "",
                     locale: Annotated[str, Form(max_length=10)] = "zh-CN",
                     password: Annotated[str, Form(max_length=MAX_PASSWORD_CHARS)] = "") -> Response:
    values = {"username": username, "display_name": display_name, "role": role, "agent_id": agent_id,
              "locale": locale}
    try:
        if locale not in ("zh-CN", "en"):
            raise InvalidInput(f"{locale!r} is not zh-CN or en", field="locale")
        created = create_account(conn, username.strip(), password=password, role=_role(role), actor=user.username,
                                 at=now, display_name=display_name.strip() or None,
                                 agent_id=agent_id.strip() or None, locale=locale)
    except CallopsError as exc:
        conn.rollback()
        return render_form(request, viewer, "admin/users.html", _context(conn),
                           errors=field_errors(viewer, exc, default_field="username"), values=values)
    return RedirectResponse(f"/admin/users/{quote(created.username)}?done=created", status_code=303)


def _user_page(request: Request, conn: ConnDep, viewer: ViewerDep, target: User, *,
               errors: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> HTMLResponse:
    context = {"target": target, "roles": [r.value for r in Role], "section": "users"}
    return render_form(request, viewer, "admin/user.html", context, errors=errors,
                       values=values or {"role": target.role.value, "agent_id": target.agent_id or ""})


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user_page(request: Request, username: str, conn: ConnDep, user: Admin, viewer: ViewerDep) -> HTMLResponse:
    return _user_page(request, conn, viewer, account(conn, username))


@router.post("/admin/users/{username}/{action}")
def user_action(request: Request, username: str, action: str, conn: ConnDep, user: Admin, viewer: ViewerDep,
                now: NowDep, role: Annotated[str, Form(max_length=20)] = "",
                agent_id: Annotated[str, Form(max_length=200)] = "",
                password: Annotated[str, Form(max_length=MAX_PASSWORD_CHARS)] = "") -> Response:
    target = account(conn, username)
    if action not in ACTIONS:
        raise InvalidInput(f"{action!r} is not one of {', '.join(ACTIONS)}", field="action")
    try:
        if target.id == user.id and (action == "disable" or (action == "role" and role != Role.ADMIN.value)):
            raise InvalidInput("you cannot disable your own account or take away your own admin role",
                               field="self")
        if action == "role":
            change_role(conn, username, _role(role), actor=user.username, at=now, agent_id=agent_id.strip() or None)
        elif action == "password":
            reset_password(conn, username, password, actor=user.username, at=now)
        elif action in ("disable", "enable"):
            set_enabled(conn, username, action == "enable", actor=user.username, at=now)
        elif action == "unlock":
            unlock(conn, username, actor=user.username, at=now)
        else:
            end_sessions(conn, username, actor=user.username, at=now)
    except CallopsError as exc:
        conn.rollback()
        return _user_page(request, conn, viewer, target, errors=field_errors(viewer, exc, default_field=action),
                          values={"role": role, "agent_id": agent_id})
    return RedirectResponse(f"/admin/users/{quote(username)}?done={action}", status_code=303)
