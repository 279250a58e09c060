"""Agents' and leads' roster pages: my schedule (``/rosters/me``) with swap and time-off requests, the form to
ask for a swap, and the lead's team view (``/rosters/team``) where requests are approved or declined.

The rules live in ``callops.services.roster_requests``: every step is checked against the working-time rules,
and a step they forbid answers 409 naming the rule, agent and day.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from callops.permissions import Permission, allowed
from callops.services.roster_requests import (
    Decision,
    accept_swap,
    approver_scope,
    ask,
    decide,
    requests_for,
    roster_by_id,
    shortfall_change,
    withdraw,
)
from callops.store.roster_requests import PublishedRoster, list_requests, published_rosters
from callops.web.deps import ConnDep, CurrentUser, NowDep, User, ViewerDep, require
from callops.web.filters import parse_date
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.routes.rosters_charts import gantt
from callops.web.routes.rosters_models import parse_start
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.rosters_me", "/rosters/me", permission=None, order=42),
       NavItem("nav.rosters_team", "/rosters/team", permission=Permission.APPROVE_SHIFT_CHANGES, order=43))

Approver = Annotated[User, require(Permission.APPROVE_SHIFT_CHANGES)]
AHEAD_DAYS = 42  # my schedule shows published rosters from a week ago to six weeks ahead
MAX_IMPACT = 20  # pending requests whose coverage impact the team page works out (two coverage passes each)


def _own(user: User) -> str:
    if not user.agent_id:
        raise PermissionDenied(f"user {user.username} is not linked to an agent")
    return user.agent_id


@router.get("/rosters/me", response_class=HTMLResponse)
def my_schedule(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep) -> HTMLResponse:
    """The published shifts of the user's agent, their requests and the ones colleagues ask of them."""
    agent = _own(user)
    today = now.astimezone(viewer.tz).date()
    blocks: list[dict[str, Any]] = []
    for head in published_rosters(conn, covering=(today - dt.timedelta(days=7), today + dt.timedelta(days=AHEAD_DAYS))):
        roster = roster_by_id(conn, head.roster_id)
        mine = [s for s in roster.shifts if s.agent == agent]
        zone = zoneinfo.ZoneInfo(roster.tz)
        blocks.append({"roster": roster, "shifts": mine, "zone": zone, "gantt": gantt(
            mine, first_day=roster.first_day, days=(roster.last_day - roster.first_day).days + 1, tz=zone,
            agents=[agent])})
    return render(request, viewer, "rosters/me.html", {
        "agent": agent, "blocks": blocks, "requests": requests_for(conn, user)["mine"]})


def _new_form(request: Request, conn: ConnDep, viewer: Viewer, user: User, *, roster_id: int, start: str,
              day: str | None, form: dict[str, str] | None = None, error: str | None = None,
              error_field: str | None = None, violations: tuple[Any, ...] = (), status_code: int = 200) -> HTMLResponse:
    agent = _own(user)
    roster = roster_by_id(conn, roster_id)
    at = parse_start(start, "start")
    mine = next((s for s in roster.shifts if s.agent == agent and s.start_at == at), None)
    if mine is None:
        raise NotFound(f"{agent} has no shift starting {start} in roster {roster.name}")
    zone = zoneinfo.ZoneInfo(roster.tz)
    shown = parse_date(day, field="day") or mine.start_at.astimezone(zone).date()
    others = [s for s in roster.shifts if s.agent != agent and s.start_at.astimezone(zone).date() == shown]
    return render(request, viewer, "rosters/request_new.html", {
        "roster": roster, "mine": mine, "zone": zone, "others": others, "day": shown,
        "days": [roster.first_day + dt.timedelta(days=k) for k in range((roster.last_day - roster.first_day).days + 1)],
        "form": form or {}, "error": error, "error_field": error_field, "violations": violations},
        status_code=status_code)


@router.get("/rosters/requests/new", response_class=HTMLResponse)
def new_request(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, roster: int, start: str,
                day: str | None = None) -> HTMLResponse:
    """The swap form for one of my shifts: the colleagues' shifts of a day to pick from."""
    return _new_form(request, conn, viewer, user, roster_id=roster, start=start, day=day)


@router.post("/rosters/requests", response_class=HTMLResponse)
def create_request(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                   roster_id: Annotated[int, Form()], start: Annotated[str, Form()],
                   kind: Annotated[str, Form()] = "swap", other: Annotated[str, Form()] = "",
                   note: Annotated[str, Form()] = "", day: Annotated[str, Form()] = "") -> Response:
    """Ask for a swap (``other`` = ``AGENT|START`` of the colleague's shift) or for the day of ``start`` off."""
    form = {"other": other, "note": note, "kind": kind}
    try:
        at = parse_start(start, "start")
        other_agent, other_at = None, None
        if kind == "swap":
            if "|" not in other:
                raise InvalidInput("pick the colleague's shift to swap with", field="other")
            name, _, when = other.partition("|")
            other_agent, other_at = name, parse_start(when, "other")
        decision = ask(conn, user, roster_id=roster_id, kind=kind, start_at=at, other_agent=other_agent,
                       other_start_at=other_at, note=note, now=now)
    except (InvalidInput, Conflict) as exc:
        conn.rollback()
        field = exc.field if isinstance(exc, InvalidInput) else "other"
        if kind != "swap":
            raise
        return _new_form(request, conn, viewer, user, roster_id=roster_id, start=start, day=day or None, form=form,
                         error=str(exc), error_field=field,
                         status_code=400 if isinstance(exc, InvalidInput) else 409)
    if decision.violations:
        if kind != "swap":
            return _me_refused(request, viewer, decision)
        return _new_form(request, conn, viewer, user, roster_id=roster_id, start=start, day=day or None, form=form,
                         error_field="other", violations=decision.violations, status_code=409)
    return RedirectResponse(f"/rosters/me?asked={decision.request.request_id}", status_code=303)


def _me_refused(request: Request, viewer: Viewer, decision: Decision) -> HTMLResponse:
    """The violations that refused a step of the agent's, with a way back to their page (409)."""
    return render(request, viewer, "rosters/refused.html", {"decision": decision, "back": "/rosters/me"},
                  status_code=409)


@router.post("/rosters/requests/{request_id}/answer", response_class=HTMLResponse)
def answer_request(request: Request, request_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                   now: NowDep, answer: Annotated[str, Form()]) -> Response:
    """The colleague accepts or declines a swap; the asker withdraws (``answer`` = accept, decline, withdraw)."""
    if answer == "withdraw":
        withdraw(conn, user, request_id, now=now)
        return RedirectResponse("/rosters/me", status_code=303)
    if answer not in ("accept", "decline"):
        raise InvalidInput("answer is accept, decline or withdraw", field="answer")
    decision = accept_swap(conn, user, request_id, accept=answer == "accept", now=now)
    if decision.violations:
        return _me_refused(request, viewer, decision)
    return RedirectResponse("/rosters/me", status_code=303)


def _team_heads(conn: ConnDep, today: dt.date) -> list[PublishedRoster]:
    return published_rosters(conn, covering=(today - dt.timedelta(days=7), today + dt.timedelta(days=AHEAD_DAYS)))


@router.get("/rosters/team", response_class=HTMLResponse)
def team_page(request: Request, conn: ConnDep, user: Approver, viewer: ViewerDep, now: NowDep,
              roster: int | None = None) -> HTMLResponse:
    """A lead's team: the published roster of their agents and the requests waiting for a decision."""
    return _team(request, conn, user, viewer, now, roster_id=roster)


def _team(request: Request, conn: ConnDep, user: User, viewer: Viewer, now: dt.datetime, *, roster_id: int | None,
          decision: Decision | None = None, status_code: int = 200) -> HTMLResponse:
    scope = approver_scope(conn, user)
    heads = _team_heads(conn, now.astimezone(viewer.tz).date()) or published_rosters(conn)[:10]
    if roster_id is not None and not any(h.roster_id == roster_id for h in heads):
        raise NotFound(f"roster {roster_id} is not a published roster in view")
    chosen_id = roster_id if roster_id is not None else (heads[0].roster_id if heads else None)
    chosen = roster_by_id(conn, chosen_id) if chosen_id is not None else None
    chart = None
    if chosen is not None:
        names = sorted({s.agent for s in chosen.shifts} if scope is None else scope)
        chart = gantt(chosen.shifts, first_day=chosen.first_day, tz=zoneinfo.ZoneInfo(chosen.tz), agents=names,
                      days=(chosen.last_day - chosen.first_day).days + 1)
    pending = requests_for(conn, user)["to_decide"]
    impact = {r.request_id: shortfall_change(conn, r) for r in pending[:MAX_IMPACT]}
    recent = [r for r in list_requests(conn, agents=scope, statuses=("approved", "declined", "refused"))
              if scope is None or set(r.agents) <= scope][:20]
    return render(request, viewer, "rosters/team.html", {
        "heads": heads, "chosen": chosen, "gantt": chart, "pending": pending, "recent": recent, "impact": impact,
        "decision": decision, "scoped": scope is not None, "can_plan": allowed(user.role, Permission.PLAN_WORKFORCE)},
        status_code=status_code)


@router.post("/rosters/requests/{request_id}/decide", response_class=HTMLResponse)
def decide_request(request: Request, request_id: int, conn: ConnDep, user: Approver, viewer: ViewerDep, now: NowDep,
                   decision: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    """Approve (checked against every rule again, then applied to the roster) or decline an accepted request."""
    if decision not in ("approve", "decline"):
        raise InvalidInput("decision is approve or decline", field="decision")
    done = decide(conn, user, request_id, approve=decision == "approve", now=now, reason=reason)
    if done.violations:
        return _team(request, conn, user, viewer, now, roster_id=None, decision=done, status_code=409)
    return RedirectResponse(f"/rosters/team?done={request_id}", status_code=303)
