"""Administration pages: the index, teams and sites. Agents and queues are in ``admin_agents``, users in
``admin_users``, the audit log in ``admin_audit``, the JSON API in ``admin_api``.

Every change goes through ``callops.services.directory_admin`` / ``callops.services.accounts`` and is written
to the audit log; a bad value re-renders the form with the input kept and the error beside its field (400).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import CallopsError
from callops.permissions import Permission, allowed
from callops.services.accounts import accounts
from callops.services.directory_admin import directory_sites, directory_teams, save_site_audited, save_team_audited
from callops.web.deps import ConnDep, NowDep, User, ViewerDep, require
from callops.web.nav import NavItem
from callops.web.routes._admin_forms import admin_render, field_errors, render_form

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.admin", "/admin", permission=Permission.MANAGE_DIRECTORY, order=90,
               description_key="admin.card"),)

Steward = Annotated[User, require(Permission.MANAGE_DIRECTORY)]
HOLIDAY_CHOICES = ("CN", "US", "IL", "none")


@router.get("/admin", response_class=HTMLResponse)
def admin_index(request: Request, user: Steward, viewer: ViewerDep) -> HTMLResponse:
    sections = [(key, path) for key, path, right in (
        ("admin.users", "/admin/users", Permission.MANAGE_USERS),
        ("admin.teams", "/admin/teams", Permission.MANAGE_DIRECTORY),
        ("admin.agents", "/admin/agents", Permission.MANAGE_DIRECTORY),
        ("admin.queues", "/admin/queues", Permission.MANAGE_DIRECTORY),
        ("admin.sites", "/admin/sites", Permission.MANAGE_DIRECTORY),
        ("admin.audit", "/admin/audit", Permission.VIEW_AUDIT)) if allowed(user.role, right)]
    return admin_render(request, viewer, "admin/index.html", {"sections": sections})


def _teams_context(conn: ConnDep) -> dict[str, Any]:
    return {"teams": directory_teams(conn), "users": [u.username for u in accounts(conn)], "section": "teams"}


@router.get("/admin/teams", response_class=HTMLResponse)
def teams_page(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep,
               edit: str | None = None) -> HTMLResponse:
    context = _teams_context(conn)
    team = next((t for t in context["teams"] if t.name == edit), None)
    values = {"team": team.name, "lead": team.lead or "", "mode": "edit"} if team else {"mode": "create"}
    return render_form(request, viewer, "admin/teams.html", context, values=values)


@router.post("/admin/teams")
def save_team_form(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep, now: NowDep,
                   team: Annotated[str, Form(max_length=200)] = "", lead: Annotated[str, Form(max_length=200)] = "",
                   mode: Annotated[str, Form(max_length=10)] = "create") -> Response:
    values = {"team": team, "lead": lead, "mode": mode}
    try:
        save_team_audited(conn, team, lead=lead.strip() or None, actor=user.username, at=now, new=mode != "edit")
    except CallopsError as exc:
        conn.rollback()
        return render_form(request, viewer, "admin/teams.html", _teams_context(conn),
                           errors=field_errors(viewer, exc, default_field="team"), values=values)
    return RedirectResponse("/admin/teams?saved=" + quote(team.strip()), status_code=303)


def _sites_context(conn: ConnDep) -> dict[str, Any]:
    return {"sites": directory_sites(conn), "holiday_choices": HOLIDAY_CHOICES, "section": "sites"}


@router.get("/admin/sites", response_class=HTMLResponse)
def sites_page(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep,
               edit: str | None = None) -> HTMLResponse:
    context = _sites_context(conn)
    site = next((s for s in context["sites"] if s.name == edit), None)
    values = ({"name": site.name, "tz": site.tz, "holidays": site.holidays or "none", "mode": "edit"} if site
              else {"mode": "create", "tz": "Asia/Shanghai", "holidays": "CN"})
    return render_form(request, viewer, "admin/sites.html", context, values=values)


@router.post("/admin/sites")
def save_site_form(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep, now: NowDep,
                   name: Annotated[str, Form(max_length=200)] = "", tz: Annotated[str, Form(max_length=200)] = "",
                   holidays: Annotated[str, Form(max_length=20)] = "none",
                   mode: Annotated[str, Form(max_length=10)] = "create") -> Response:
    values = {"name": name, "tz": tz, "holidays": holidays, "mode": mode}
    try:
        site = save_site_audited(conn, name, tz=tz.strip(), holidays=holidays, actor=user.username, at=now,
                                 new=mode != "edit")
    except CallopsError as exc:
        conn.rollback()
        return render_form(request, viewer, "admin/sites.html", _sites_context(conn),
                           errors=field_errors(viewer, exc, default_field="name"), values=values)
    return RedirectResponse("/admin/sites?saved=" + quote(site.name), status_code=303)
