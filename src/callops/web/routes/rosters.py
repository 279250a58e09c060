"""Roster pages for the planner: the list (versions, published, build jobs), building one from the web (a
background job), a roster's week as a Gantt per agent, its coverage against the requirement, its rule check,
its history, and publishing. Agents' and leads' pages are in ``rosters_requests``; adherence in
``rosters_adherence``; the JSON API in ``rosters_api``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import Conflict, InvalidInput
from callops.permissions import Permission
from callops.scheduling.work_rules import WorkSystem
from callops.services.agent_directory import agent_teams, team_members
from callops.services.roster_builds import (
    MAX_BUILD_AGENTS,
    MAX_BUILD_DAYS,
    MAX_TEXT_BYTES,
    MAX_TIME_LIMIT_S,
    STALE_AFTER,
    BuildRequest,
    build_choices,
    build_job,
    prepare_build,
)
from callops.services.roster_views import roster_view
from callops.store.rosters import list_rosters, load_roster, publish_roster, roster_history
from callops.web.deps import ConnDep, NowDep, SettingsDep, StateDep, User, ViewerDep, require
from callops.web.filters import parse_date
from callops.web.form_input import text_of
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.roster_runner import start_job_thread
from callops.web.routes.rosters_charts import coverage_chart, gantt
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.rosters", "/rosters", permission=Permission.PLAN_WORKFORCE, order=41,
               description_key="ro.card"),)

Planner = Annotated[User, require(Permission.PLAN_WORKFORCE)]

FORM_FIELDS = ("name", "first_day", "last_day", "time_limit_s", "plan", "requirements_csv", "team", "contract",
               "agents_csv", "rules_name", "rules_yaml", "save_rules_as")
FILE_FIELDS = {"requirements_file": "requirements_csv", "agents_file": "agents_csv", "rules_file": "rules_yaml"}
DEFAULT_FORM = {"time_limit_s": "20", "contract": "standard"}


def _list_page(request: Request, conn: ConnDep, viewer: Viewer, *, form: dict[str, str] | None = None,
               error: InvalidInput | Conflict | None = None, status_code: int = 200) -> HTMLResponse:
    by_name: dict[str, list[tuple[int, dt.datetime, dt.datetime | None]]] = {}
    for name, version, created_at, published_at in list_rosters(conn):
        by_name.setdefault(name, []).append((version, created_at, published_at))
    field = error.field if isinstance(error, InvalidInput) else None
    choices = build_choices(conn)
    return render(request, viewer, "rosters/list.html", {
        "rosters": sorted(by_name.items()), "jobs": choices.jobs, "plans": choices.plans,
        "teams": choices.teams, "rule_sets": choices.rule_sets, "contracts": [s.value for s in WorkSystem],
        "form": DEFAULT_FORM | (form or {}), "error": str(error) if error else None, "error_field": field,
        "limits": {"agents": MAX_BUILD_AGENTS, "days": MAX_BUILD_DAYS, "time_limit_s": MAX_TIME_LIMIT_S}},
        status_code=status_code)


@router.get("/rosters", response_class=HTMLResponse)
def rosters_page(request: Request, conn: ConnDep, user: Planner, viewer: ViewerDep) -> HTMLResponse:
    return _list_page(request, conn, viewer)


async def _file_text(value: object, field: str) -> str:
    if not isinstance(value, UploadFile):
        return value if isinstance(value, str) else ""
    return text_of(await value.read(MAX_TEXT_BYTES + 1), max_bytes=MAX_TEXT_BYTES, field=field)


@router.post("/rosters/build", response_class=HTMLResponse)
async def build_form(request: Request, conn: ConnDep, user: Planner, viewer: ViewerDep, settings: SettingsDep,
                     state: StateDep, now: NowDep, tasks: BackgroundTasks) -> Response:
    """Queue a build from the form (files or pasted text); the solve runs in a background thread."""
    async with request.form() as data:  # closes the uploaded files' spools
        form = {f: (v.strip() if f not in ("requirements_csv", "agents_csv", "rules_yaml") else v)
                for f in FORM_FIELDS if isinstance(v := data.get(f), str)}
        try:
            for file_field, text_field in FILE_FIELDS.items():
                text = await _file_text(data.get(file_field), file_field)
                if text.strip():
                    form[text_field] = text
        except InvalidInput as exc:
            return _list_page(request, conn, viewer, form=form, error=exc, status_code=400)
    try:
        job_id = prepare_build(conn, BuildRequest(**form), tz=settings.site_tz, now=now, by=user.username)
    except (InvalidInput, Conflict) as exc:
        conn.rollback()
        return _list_page(request, conn, viewer, form=form, error=exc,
                          status_code=409 if isinstance(exc, Conflict) else 400)
    tasks.add_task(start_job_thread, state.engine, job_id, state.clock)
    return RedirectResponse(f"/rosters/jobs/{job_id}", status_code=303)


@router.get("/rosters/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int, conn: ConnDep, user: Planner, viewer: ViewerDep,
             now: NowDep) -> HTMLResponse:
    """The job's progress; the page refreshes itself while it is queued or running. A job left running past
    ``STALE_AFTER`` was cut off (the server restarted): said so, and no longer refreshed."""
    job = build_job(conn, job_id)
    stale = job.status in ("queued", "running") and now - job.created_at > STALE_AFTER
    return render(request, viewer, "rosters/job.html", {"job": job, "stale": stale})


def _team_agents(conn: ConnDep, team: str | None) -> list[str] | None:
    return None if not team else team_members(conn, team)


@router.get("/rosters/saved/{name}", response_class=HTMLResponse)
def roster_page(request: Request, name: str, conn: ConnDep, user: Planner, viewer: ViewerDep,
                version: int | None = None, day: str | None = None, team: str | None = None) -> HTMLResponse:
    roster = load_roster(conn, name, version)
    view = roster_view(conn, roster)
    zone = zoneinfo.ZoneInfo(roster.tz)
    shown = parse_date(day, field="day")
    if shown is not None and not roster.first_day <= shown <= roster.last_day:
        raise InvalidInput(f"{shown} is outside the roster ({roster.first_day} – {roster.last_day})", field="day")
    agents = _team_agents(conn, team)
    first, days = (shown, 1) if shown else (roster.first_day, (roster.last_day - roster.first_day).days + 1)
    points = [p for p in view.coverage if shown is None or p.start_at.astimezone(zone).date() == shown]
    versions = [(v, at, pub) for n, v, at, pub in list_rosters(conn) if n == name]
    return render(request, viewer, "rosters/roster.html", {
        "roster": roster, "view": view, "versions": versions, "history": roster_history(conn, name),
        "gantt": gantt(roster.shifts, first_day=first, days=days, tz=zone, agents=agents),
        "coverage": coverage_chart(points, tz=zone, interval_min=view.interval_min), "points": points,
        "day": shown, "team": team or "", "teams": agent_teams(conn),
        "days": [roster.first_day + dt.timedelta(days=k) for k in range((roster.last_day - roster.first_day).days + 1)],
        "summary": _summary(roster.summary)})


def _summary(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: summary.get(k) for k in ("status", "gap", "shortfall", "required", "paid_hours", "wall_s")} | {
        "explanations": list(summary.get("explanations") or [])}


@router.post("/rosters/saved/{name}/publish")
def publish_form(request: Request, name: str, conn: ConnDep, user: Planner, now: NowDep,
                 version: Annotated[int, Form()]) -> Response:
    publish_roster(conn, name, version, now=now, by=user.username)
    return RedirectResponse(f"/rosters/saved/{name}?version={version}", status_code=303)
