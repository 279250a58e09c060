"""The roster API: saved rosters with their rule check and coverage, builds as background jobs, publishing,
swap and time-off requests, adherence. The same services as the pages (``rosters``, ``rosters_requests``,
``rosters_adherence``); a request the working-time rules forbid answers 409 with the violations named."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query
from starlette.responses import JSONResponse

from callops.permissions import Permission
from callops.scheduling.adherence import AdherenceRow
from callops.services.roster_adherence import adherence_over
from callops.services.roster_builds import BuildRequest, build_job, prepare_build
from callops.services.roster_requests import (
    Decision,
    accept_swap,
    ask,
    decide,
    request_json,
    requests_for,
    violation_json,
    withdraw,
)
from callops.services.roster_views import roster_view
from callops.store.rosters import StoredRoster, list_rosters, load_roster, publish_roster
from callops.web.deps import ConnDep, CurrentUser, NowDep, SettingsDep, StateDep, User, require
from callops.web.filters import parse_date
from callops.web.roster_runner import start_job_thread
from callops.web.routes.rosters_adherence import adherence_agents
from callops.web.routes.rosters_models import (
    AdherenceOut,
    AnswerIn,
    BuildIn,
    DecideIn,
    DecisionOut,
    JobOut,
    PublishIn,
    RequestIn,
    RequestsOut,
    RosterListOut,
    RosterOut,
    parse_start,
)

router = APIRouter(prefix="/api/rosters", tags=["rosters"])

Planner = Annotated[User, require(Permission.PLAN_WORKFORCE)]
Approver = Annotated[User, require(Permission.APPROVE_SHIFT_CHANGES)]
AgentViewer = Annotated[User, require(Permission.VIEW_AGENTS)]


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _job(conn: ConnDep, job_id: int) -> JobOut:
    job = build_job(conn, job_id)
    return JobOut(id=job.job_id, name=job.name, status=job.status, created_at=job.created_at.isoformat(),
                  started_at=_iso(job.started_at), finished_at=_iso(job.finished_at),
                  roster_version=job.roster_version, summary=job.summary, error=job.error)


@router.get("")
def api_rosters(conn: ConnDep, user: Planner) -> list[RosterListOut]:
    """Every saved roster version, newest first."""
    return [RosterListOut(name=n, version=v, created_at=at.isoformat(), published_at=_iso(pub))
            for n, v, at, pub in list_rosters(conn)]


def _roster_out(conn: ConnDep, roster: StoredRoster) -> RosterOut:
    view = roster_view(conn, roster)
    return RosterOut.model_validate({
        "name": roster.name, "version": roster.version, "first_day": roster.first_day.isoformat(),
        "last_day": roster.last_day.isoformat(), "tz": roster.tz, "published_at": _iso(roster.published_at),
        "summary": roster.summary,
        "shifts": [{"agent": s.agent, "start": s.start_at.isoformat(), "end": s.end_at.isoformat(),
                    "breaks": [{"start": b.start_at.isoformat(), "end": b.end_at.isoformat(), "kind": b.kind,
                                "paid": b.paid} for b in s.breaks]} for s in roster.shifts],
        "violations": None if view.violations is None else [violation_json(v) for v in view.violations],
        "context_shifts": view.context_shifts,
        "coverage": [{"start": p.start_at.isoformat(), "required": p.required, "scheduled": p.scheduled}
                     for p in view.coverage],
        "shortfall": view.shortfall})


@router.get("/saved/{name}")
def api_roster(name: str, conn: ConnDep, user: Planner,
               version: Annotated[int | None, Query(ge=1)] = None) -> RosterOut:
    """A roster version (default the newest) with its rule violations and coverage per interval."""
    return _roster_out(conn, load_roster(conn, name, version))


@router.post("/saved/{name}/publish")
def api_publish(name: str, body: PublishIn, conn: ConnDep, user: Planner, now: NowDep) -> RosterListOut:
    roster = publish_roster(conn, name, body.version, now=now, by=user.username)
    return RosterListOut(name=roster.name, version=roster.version, created_at=roster.created_at.isoformat(),
                         published_at=_iso(roster.published_at))


@router.post("/builds", status_code=202)
def api_build(body: BuildIn, conn: ConnDep, user: Planner, settings: SettingsDep, state: StateDep, now: NowDep,
              tasks: BackgroundTasks) -> JobOut:
    """Queue a build; poll ``GET /api/rosters/jobs/{id}`` until it is done (or failed, with the reason)."""
    form = BuildRequest(**(body.model_dump() | {"time_limit_s": f"{body.time_limit_s:g}"}))
    job_id = prepare_build(conn, form, tz=settings.site_tz, now=now, by=user.username)
    tasks.add_task(start_job_thread, state.engine, job_id, state.clock)
    return _job(conn, job_id)


@router.get("/jobs/{job_id}")
def api_job(job_id: int, conn: ConnDep, user: Planner) -> JobOut:
    return _job(conn, job_id)


def _decision(decision: Decision, *, created: bool = False) -> JSONResponse:
    kept = decision.request.request_id != 0
    out = DecisionOut.model_validate({
        "request": request_json(decision.request) if kept else None,
        "violations": [violation_json(v) for v in decision.violations]})
    status = 409 if decision.violations else (201 if created else 200)
    return JSONResponse(out.model_dump(mode="json"), status_code=status)


@router.get("/requests")
def api_requests(conn: ConnDep, user: CurrentUser) -> RequestsOut:
    """The user's own requests (asked by or of their agent) and those waiting for their decision."""
    found = requests_for(conn, user)
    return RequestsOut.model_validate({k: [request_json(r) for r in v] for k, v in found.items()})


@router.post("/requests", status_code=201, response_model=DecisionOut, responses={409: {"model": DecisionOut}})
def api_ask(body: RequestIn, conn: ConnDep, user: CurrentUser, now: NowDep) -> JSONResponse:
    """Ask for a swap or a day off; 409 with the violations when the rules forbid it (nothing is kept)."""
    other_start = None if body.other_start is None else parse_start(body.other_start, "other_start")
    decision = ask(conn, user, roster_id=body.roster_id, kind=body.kind, start_at=parse_start(body.start, "start"),
                   other_agent=body.other_agent, other_start_at=other_start,
                   note=body.note, now=now)
    return _decision(decision, created=True)


@router.post("/requests/{request_id}/answer", response_model=DecisionOut, responses={409: {"model": DecisionOut}})
def api_answer(request_id: int, body: AnswerIn, conn: ConnDep, user: CurrentUser, now: NowDep) -> JSONResponse:
    """The colleague accepts or declines a swap; the asker withdraws."""
    if body.answer == "withdraw":
        return _decision(Decision(withdraw(conn, user, request_id, now=now)))
    decision = accept_swap(conn, user, request_id, accept=body.answer == "accept", now=now)
    return _decision(decision)


@router.post("/requests/{request_id}/decide", response_model=DecisionOut, responses={409: {"model": DecisionOut}})
def api_decide(request_id: int, body: DecideIn, conn: ConnDep, user: Approver, now: NowDep) -> JSONResponse:
    """Approve (checked against the rules again, then applied) or decline; 409 naming the rule when refused."""
    decision = decide(conn, user, request_id, approve=body.decision == "approve", now=now, reason=body.reason)
    return _decision(decision)


def _adherence(r: AdherenceRow) -> AdherenceOut:
    return AdherenceOut(agent=r.agent, scheduled_s=round(r.scheduled_s), in_adherence_s=round(r.in_adherence_s),
                        worked_s=round(r.worked_s), adherence=None if r.adherence is None else round(r.adherence, 4),
                        conformance=None if r.conformance is None else round(r.conformance, 4))


@router.get("/adherence")
def api_adherence(conn: ConnDep, user: AgentViewer, settings: SettingsDep, now: NowDep,
                  day: Annotated[str | None, Query(max_length=20)] = None,
                  to: Annotated[str | None, Query(max_length=20)] = None,
                  team: Annotated[str | None, Query(max_length=80)] = None) -> list[AdherenceOut]:
    """Rows per agent as `callops adherence --by agent --format json` for ``day`` (to ``to``); a lead: their teams."""
    zone = zoneinfo.ZoneInfo(settings.site_tz)
    first = parse_date(day, field="day") or now.astimezone(zone).date()
    last = parse_date(to, field="to") or first
    agents, _ = adherence_agents(conn, user, team or None)
    return [_adherence(r) for r in adherence_over(conn, first, last, tz=zone, agents=agents).rows]

