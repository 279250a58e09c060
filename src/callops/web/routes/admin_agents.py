"""Administration pages for agents (skills and levels, team, active flag) and queues (service-level threshold
and target, abandon target, site). Changes go through ``callops.services.directory_admin`` and are audited."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import CallopsError
from callops.records import Agent
from callops.services.directory_admin import (
    directory_agents,
    directory_queues,
    directory_sites,
    directory_teams,
    parse_skills,
    save_agent_audited,
    save_queue_audited,
)
from callops.web.deps import ConnDep, NowDep, ViewerDep
from callops.web.routes._admin_forms import field_errors, parse_int, parse_pct, render_form
from callops.web.routes.admin import Steward

router = APIRouter(include_in_schema=False)


def _skills_text(skills: dict[str, int]) -> str:
    return ", ".join(f"{s}:{lv}" for s, lv in sorted(skills.items()))


def _agents_context(conn: ConnDep) -> dict[str, Any]:
    found = directory_agents(conn)
    return {"agents": found.agents, "inactive": found.inactive, "teams": [t.name for t in directory_teams(conn)],
            "skills_text": _skills_text, "section": "agents"}


@router.get("/admin/agents", response_class=HTMLResponse)
def agents_page(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep,
                edit: str | None = None) -> HTMLResponse:
    context = _agents_context(conn)
    agent = next((a for a in context["agents"] if a.agent_id == edit), None)
    values: dict[str, Any] = {"mode": "create", "active": True}
    if agent is not None:
        values = {"agent_id": agent.agent_id, "name": agent.name, "team": agent.team or "",
                  "skills": _skills_text(agent.skills), "active": agent.agent_id not in context["inactive"],
                  "mode": "edit"}
    return render_form(request, viewer, "admin/agents.html", context, values=values)


@router.post("/admin/agents")
def save_agent_form(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep, now: NowDep,
                    agent_id: Annotated[str, Form(max_length=200)] = "",
                    name: Annotated[str, Form(max_length=300)] = "", team: Annotated[str, Form(max_length=200)] = "",
                    skills: Annotated[str, Form(max_length=2000)] = "",
                    active: Annotated[str, Form(max_length=5)] = "",
                    mode: Annotated[str, Form(max_length=10)] = "create") -> Response:
    values = {"agent_id": agent_id, "name": name, "team": team, "skills": skills, "active": bool(active),
              "mode": mode}
    try:
        agent = Agent(agent_id=agent_id.strip(), name=name.strip() or agent_id.strip(), team=team.strip() or None,
                      skills=parse_skills(skills))
        save_agent_audited(conn, agent, active=bool(active), actor=user.username, at=now, new=mode != "edit")
    except CallopsError as exc:
        conn.rollback()
        return render_form(request, viewer, "admin/agents.html", _agents_context(conn),
                           errors=field_errors(viewer, exc, default_field="agent_id"), values=values)
    return RedirectResponse("/admin/agents?saved=" + quote(agent.agent_id), status_code=303)


def _queues_context(conn: ConnDep) -> dict[str, Any]:
    return {"queues": directory_queues(conn), "sites": [s.name for s in directory_sites(conn)], "section": "queues"}


@router.get("/admin/queues", response_class=HTMLResponse)
def queues_page(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep,
                edit: str | None = None) -> HTMLResponse:
    context = _queues_context(conn)
    queue = next((q for q in context["queues"] if q.name == edit), None)
    values: dict[str, Any] = {"mode": "create", "sl_threshold_s": "20", "sl_target_pct": "80",
                              "abandon_target_pct": "5", "site": ""}
    if queue is not None:
        values = {"queue": queue.name, "description": queue.description or "",
                  "sl_threshold_s": str(queue.sl_threshold_s), "sl_target_pct": f"{queue.sl_target_pct:g}",
                  "abandon_target_pct": f"{queue.abandon_target_pct:g}", "site": queue.site or "", "mode": "edit"}
    return render_form(request, viewer, "admin/queues.html", context, values=values)


@router.post("/admin/queues")
def save_queue_form(request: Request, conn: ConnDep, user: Steward, viewer: ViewerDep, now: NowDep,
                    queue: Annotated[str, Form(max_length=200)] = "",
                    description: Annotated[str, Form(max_length=400)] = "",
                    sl_threshold_s: Annotated[str, Form(max_length=40)] = "",
                    sl_target_pct: Annotated[str, Form(max_length=40)] = "",
                    abandon_target_pct: Annotated[str, Form(max_length=40)] = "",
                    site: Annotated[str, Form(max_length=200)] = "",
                    mode: Annotated[str, Form(max_length=10)] = "create") -> Response:
    values = {"queue": queue, "description": description, "sl_threshold_s": sl_threshold_s,
              "sl_target_pct": sl_target_pct, "abandon_target_pct": abandon_target_pct, "site": site, "mode": mode}
    try:
        saved = save_queue_audited(
            conn, queue.strip(), actor=user.username, at=now, new=mode != "edit",
            description=description.strip() or None,
            sl_threshold_s=parse_int(sl_threshold_s, "sl_threshold_s", lo=1, hi=3600),
            sl_target_pct=parse_pct(sl_target_pct, "sl_target_pct"),
            abandon_target_pct=parse_pct(abandon_target_pct, "abandon_target_pct"), site=site.strip() or None)
    except CallopsError as exc:
        conn.rollback()
        return render_form(request, viewer, "admin/queues.html", _queues_context(conn),
                           errors=field_errors(viewer, exc, default_field="queue"), values=values)
    return RedirectResponse("/admin/queues?saved=" + quote(saved.name), status_code=303)
