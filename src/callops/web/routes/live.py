"""The live floor on the web: the wallboard and supervisor view, the agent's state buttons, their API and stream.

- ``GET /live`` (``view_agents``): queues and agents now, alerts, feeds; ``?big=1`` for the wall screen.
- ``GET /live/stream``: the same as Server-Sent Events, a message within ~0.25 s of a change.
- ``GET /live/agent``: the signed-in agent's state buttons (ready, away with a reason, after-call work, recovery),
  and the preview dialer's card when it offers them a contact (``POST /live/agent/preview``: accept or skip), with a
  notice when it is offered again because the accepted call never reached the PBX.
- ``GET /api/live/queues`` (logged in): the per-queue contract; ``GET /api/live/floor``: everything the board shows.
- ``POST /api/live/agents/{agent}/state``: an agent sets their own state; ``supervise_floor`` sets anyone's.
- ``PUT /api/live/thresholds`` (``supervise_floor``): when the board colours and alerts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from callops import permissions
from callops.errors import InvalidInput, PermissionDenied
from callops.live.hard_calls import KEEP_MINUTES
from callops.permissions import Permission
from callops.records import AgentState
from callops.services.dial_preview import SKIP_REASONS, agent_card, decide_card
from callops.services.intraday import plan_intraday, plan_move, plan_names
from callops.services.live_agent_state import PERSON_STATES, REASON_MAX, set_agent_state
from callops.services.team_scope import in_team_scope, team_scope
from callops.store.live_events import list_feeds
from callops.web.deps import ConnDep, CurrentUser, NowDep, User, ViewerDep, request_user, require
from callops.web.form_input import FORM_ERRORS, FormValuesDep, field_errors
from callops.web.live_floor import LiveFloor, live_floor, save_thresholds
from callops.web.masking import mask_number
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.state import web_state
from callops.web.viewer import Viewer

router = APIRouter()

NAV = (NavItem("nav.live", "/live", permission=Permission.VIEW_AGENTS, order=12, description_key="live.card"),
       NavItem("nav.live_agent", "/live/agent", permission=None, order=13))

STREAM_LIFETIME_S = 600  # a stream ends after this; EventSource reconnects by itself
_STREAM_TICK_S = 0.2
_STREAM_REFRESH_S = 2.0


_AGENT_ALERTS = frozenset({"long_away", "long_call", "hard_streak"})


def _snapshot_json(floor: LiveFloor, now: dt.datetime, feeds: list[dict[str, Any]],
                   scope: frozenset[str] | None) -> dict[str, Any]:
    """The board as JSON; with a team ``scope`` (a team lead's), only those agents and their alerts."""
    snap = floor.snapshot(now)
    agents = [a for a in snap.agents if scope is None or a.agent in scope]
    alerts = [a for a in snap.alerts if scope is None or a.kind not in _AGENT_ALERTS or a.subject in scope]
    return {
        "as_of": snap.as_of.isoformat(), "version": floor.version,
        "queues": [{**asdict(q), "windows": [asdict(w) for w in q.windows]} for q in snap.queues],
        "agents": [asdict(a) for a in agents], "alerts": [asdict(a) for a in alerts],
        "thresholds": {k: getattr(floor.thresholds, k) for k in
                       ("sl_target", "sl_minutes", "longest_wait_s", "away_minutes", "call_minutes",
                       "streak_calls", "streak_minutes")},
        "feeds": feeds,
    }


def _feeds(conn: sa.Connection) -> list[dict[str, Any]]:
    return [{**asdict(f), "updated_at": f.updated_at.isoformat() if f.updated_at else None} for f in list_feeds(conn)]


def _feeds_on(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return _feeds(conn)


# --- API -------------------------------------------------------------------------------------------------
Number = int | float


class LiveQueueOut(BaseModel):
    """One queue now, per the ``GET /api/live/queues`` contract (today: the site's local day)."""

    queue: str
    waiting: int = Field(description="calls waiting now")
    longest_wait_s: Number = Field(description="the longest current wait, seconds")
    offered_today: int
    answered_today: int
    abandoned_today: int
    service_level_today: Number | None = Field(description="share answered within the target (null: no calls)")
    agents: dict[str, int] = Field(description="agents by state")


class LiveQueuesOut(BaseModel):
    as_of: str = Field(description="ISO 8601 with offset")
    queues: list[LiveQueueOut]


class LiveFloorOut(BaseModel):
    """Everything the wallboard shows."""

    as_of: str
    version: int = Field(description="the floor's event version")
    queues: list[dict[str, Any]] = Field(description="per queue: the contract's keys, 15/30-minute windows, ASA")
    agents: list[dict[str, Any]] = Field(description="agent, state, reason, queues, in_state_s, ...")
    alerts: list[dict[str, Any]]
    thresholds: dict[str, Number] = Field(
        description="sl_target, sl_minutes, longest_wait_s, away_minutes, call_minutes, streak_calls, "
                    "streak_minutes")
    feeds: list[dict[str, Any]] = Field(description="the live feeds and when each last delivered")


class IntradayOut(BaseModel):
    """Today against a staffing plan."""

    plan: str
    version: int
    queue: str | None
    as_of: str
    ratio: Number = Field(description="actual over forecast calls so far, shrunk toward 1")
    actual_so_far: Number
    forecast_so_far: Number
    first_short: dict[str, Any] | None = Field(description="start_at and short_by of the first short interval")
    intervals: list[dict[str, Any]] = Field(description="actual, forecast, re-forecast, plan, required, gap")


class MoveOut(BaseModel):
    """Both queues' agents and service level this interval, before and after the move."""

    agents: int = Field(description="agents moved (at most those the first plan has)")
    from_agents: list[int] = Field(description="[before, after]")
    to_agents: list[int] = Field(description="[before, after]")
    from_service_level: list[Number] = Field(description="[before, after]")
    to_service_level: list[Number] = Field(description="[before, after]")


@router.get("/api/live/queues", tags=["live"], response_model=LiveQueuesOut)
def api_live_queues(request: Request, conn: ConnDep, user: CurrentUser, now: NowDep) -> dict[str, Any]:
    """Per queue now: waiting, longest wait, today's offered / answered / abandoned, SL today, agents by state."""
    snap = live_floor(request, conn).snapshot(now)
    return {"as_of": snap.as_of.isoformat(), "queues": [q.contract() for q in snap.queues]}


@router.get("/api/live/floor", tags=["live"], response_model=LiveFloorOut)
def api_live_floor(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_AGENTS)],
                   now: NowDep) -> dict[str, Any]:
    """Everything the wallboard shows: queues with 15/30-minute windows and ASA, agents, alerts, feeds; a team lead
    sees the agents of the teams they lead."""
    return _snapshot_json(live_floor(request, conn), now, _feeds(conn), team_scope(conn, user))


class StateIn(BaseModel):
    state: AgentState
    reason: str | None = Field(default=None, max_length=REASON_MAX)


def _may_set(conn: sa.Connection, user: User, agent: str) -> None:
    if user.agent_id == agent:
        return
    permissions.require(user.role, Permission.SUPERVISE_FLOOR)
    if not in_team_scope(conn, user, agent):
        raise PermissionDenied(f"the {user.role.value} role sets the states of their own teams' agents only")


def _apply_state(request: Request, conn: sa.Connection, user: User, agent: str, state: AgentState,
                 reason: str | None, now: dt.datetime) -> int:
    agent = agent.strip()
    if not agent or len(agent) > 80:
        raise InvalidInput("an agent id of 1 to 80 characters", field="agent")
    _may_set(conn, user, agent)
    floor = live_floor(request, conn)
    event_id = set_agent_state(conn, agent, state, reason=reason, at=now, by=user.username)
    conn.commit()  # before the bus tells readers: they must find the event in the log
    floor.bus.publish(event_id)
    return event_id


@router.post("/api/live/agents/{agent}/state", tags=["live"])
def api_set_state(request: Request, agent: str, body: StateIn, conn: ConnDep, user: CurrentUser,
                  now: NowDep) -> dict[str, Any]:
    """Set ``agent``'s state (ready, away with a reason, after-call work, recovery, ...); 400 when the agent state
    machine forbids the change."""
    event_id = _apply_state(request, conn, user, agent, body.state, body.reason, now)
    return {"agent": agent, "state": body.state.value, "reason": body.reason, "event_id": event_id,
            "at": now.isoformat()}


class ThresholdsIn(BaseModel):
    sl_target: float = Field(ge=0, le=1)
    sl_minutes: float = Field(ge=0, le=24 * 60)
    longest_wait_s: float = Field(ge=0, le=86_400)
    away_minutes: float = Field(ge=0, le=24 * 60)
    call_minutes: float = Field(ge=0, le=24 * 60)
    streak_calls: int = Field(default=3, ge=0, le=100, description="hard calls in a streak (0: no alert)")
    streak_minutes: float = Field(default=30, ge=1, le=KEEP_MINUTES, description="within this many minutes")


@router.put("/api/live/thresholds", tags=["live"])
def api_thresholds(request: Request, body: ThresholdsIn, conn: ConnDep,
                   user: Annotated[User, require(Permission.SUPERVISE_FLOOR)]) -> dict[str, float]:
    """When the board colours and alerts: SL below target for N minutes, longest wait, away and call lengths, and
    a streak of ``streak_calls`` hard (distressing) calls within ``streak_minutes`` for one agent."""
    values = body.model_dump()
    floor = live_floor(request, conn)
    save_thresholds(conn, values)
    conn.commit()  # stored before this process's board uses them
    floor.set_thresholds(values)
    return values


def _zone(request: Request) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(web_state(request).settings.site_tz)


PlanName = Annotated[str, Query(min_length=1, max_length=120)]


@router.get("/api/live/intraday", tags=["live"], response_model=IntradayOut)
def api_intraday(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_AGENTS)],
                 now: NowDep, plan: PlanName, version: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    """Today against a staffing plan: actual vs forecast vs plan per interval, the re-forecast of the rest of the
    day, required agents and the gap (negative: short), and the first interval from now that is short."""
    saved, view = plan_intraday(conn, plan, now=now, tz=_zone(request), version=version)
    rows = [{**asdict(r), "start_at": r.start_at.isoformat()} for r in view.rows]
    short = view.first_short
    return {"plan": saved.name, "version": saved.version, "queue": saved.queue, "as_of": now.isoformat(),
            "ratio": view.ratio, "actual_so_far": view.actual_so_far, "forecast_so_far": view.forecast_so_far,
            "first_short": None if short is None else {"start_at": short.start_at.isoformat(), "short_by": -short.gap},
            "intervals": rows}


@router.get("/api/live/intraday/move", tags=["live"], response_model=MoveOut)
def api_intraday_move(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_AGENTS)],
                      now: NowDep, from_plan: PlanName, to_plan: PlanName,
                      agents: Annotated[int, Query(ge=0, le=1000)]) -> dict[str, Any]:
    """What moving ``agents`` now from the queue of ``from_plan`` to that of ``to_plan`` would do to both service
    levels this interval (Erlang C on the re-forecast calls and the plans' agents)."""
    return asdict(plan_move(conn, from_plan, to_plan, agents, now=now, tz=_zone(request)))


# --- the stream ----------------------------------------------------------------------------------------
def _stream_user(request: Request) -> tuple[User | None, frozenset[str] | None]:
    """The signed-in user and their team scope, looked up on a connection released at once (a stream must not
    hold one)."""
    state = web_state(request)
    with state.engine.connect() as conn:
        user = request_user(request, state, conn, state.clock())
        return user, None if user is None else team_scope(conn, user)


@router.get("/live/stream", include_in_schema=False)
async def live_stream(request: Request) -> Response:
    user, scope = await run_in_threadpool(_stream_user, request)
    if user is None:
        return Response(status_code=401)
    if not permissions.allowed(user.role, Permission.VIEW_AGENTS):
        return Response(status_code=403)
    state = web_state(request)

    def started() -> LiveFloor:
        with state.engine.connect() as conn:
            return live_floor(request, conn)

    floor = await run_in_threadpool(started)

    async def messages() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        began = loop.time()
        sent_version = -1
        sent_at = 0.0
        while loop.time() - began < STREAM_LIFETIME_S:
            if await request.is_disconnected():
                return
            if floor.version != sent_version or loop.time() - sent_at >= _STREAM_REFRESH_S:
                sent_version = floor.version
                sent_at = loop.time()
                feeds = await run_in_threadpool(_feeds_on, state.engine)
                body = _snapshot_json(floor, state.clock(), feeds, scope)
                yield f"event: floor\ndata: {json.dumps(body, ensure_ascii=False)}\n\n"
            await asyncio.sleep(_STREAM_TICK_S)

    return StreamingResponse(messages(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


# --- pages ---------------------------------------------------------------------------------------------
Supervisor = Annotated[User, require(Permission.VIEW_AGENTS)]
STATE_FIELDS = ("agent", "state", "reason")


def _wallboard(request: Request, conn: sa.Connection, user: User, viewer: Viewer, *, big: bool = False,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None, saved: bool = False,
               status_code: int = 200) -> HTMLResponse:
    live_floor(request, conn)
    return render(request, viewer, "live/wallboard.html", {
        "big": big, "may_supervise": permissions.allowed(user.role, Permission.SUPERVISE_FLOOR),
        "person_states": [s.value for s in PERSON_STATES], "plans": plan_names(conn),
        "values": values or {}, "errors": errors or {}, "saved": saved}, status_code=status_code)


@router.get("/live", response_class=HTMLResponse, include_in_schema=False)
def live_page(request: Request, conn: ConnDep, user: Supervisor, viewer: ViewerDep, big: int = 0,
              saved: str = "") -> HTMLResponse:
    return _wallboard(request, conn, user, viewer, big=bool(big), saved=saved == "1")


def _state(text: str) -> AgentState:
    try:
        return AgentState(text)
    except ValueError:
        raise InvalidInput(f"unknown state {text[:40]!r}", field="state") from None


@router.post("/live/state", include_in_schema=False)
def set_state_form(request: Request, conn: ConnDep, user: Supervisor, viewer: ViewerDep, now: NowDep,
                   values: FormValuesDep) -> Response:
    """The lead's form on the wallboard: set an agent's state with a reason. A refused change comes back on the
    wallboard beside its field, in the viewer's language, with what was typed kept."""
    try:
        if len(values.get("reason", "")) > REASON_MAX:
            raise InvalidInput(f"at most {REASON_MAX} characters", field="reason")
        _apply_state(request, conn, user, values.get("agent", ""), _state(values.get("state", "")),
                     values.get("reason", "") or None, now)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _wallboard(request, conn, user, viewer, values=values, errors=field_errors(exc, viewer.t, STATE_FIELDS),
                          status_code=400)
    return RedirectResponse("/live?saved=1", status_code=303)


def _agent_page(request: Request, conn: sa.Connection, user: User, viewer: Viewer, now: dt.datetime, *,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    floor = live_floor(request, conn)
    mine = None
    preview = None
    refresh = False  # ready without a card: the page reloads itself to show the preview dialer's next card
    if user.agent_id:
        mine = next((a for a in floor.snapshot(now).agents if a.agent == user.agent_id), None)
        card, refresh = agent_card(conn, user.agent_id)
        if card is not None:
            preview = {"id": card.id, "campaign": card.campaign, "script": card.script, "member": card.member,
                       "name": card.name if permissions.allowed(user.role, Permission.VIEW_PII) else "",
                       "phone": card.phone if permissions.allowed(user.role, Permission.VIEW_PII)
                       else mask_number(card.phone), "calls_before": card.calls_before,
                       "offered_at": card.offered_at, "reoffered_because": card.reoffered_because}
    return render(request, viewer, "live/agent.html", {
        "agent_id": user.agent_id, "mine": mine, "reason_max": REASON_MAX,
        "reasons": ("toilet", "meeting", "coaching", "system", "lunch"), "values": values or {},
        "errors": errors or {}, "preview": preview, "skip_reasons": SKIP_REASONS,
        "refresh": refresh}, status_code=status_code)


@router.get("/live/agent", response_class=HTMLResponse, include_in_schema=False)
def agent_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep) -> HTMLResponse:
    return _agent_page(request, conn, user, viewer, now)


@router.post("/live/agent", include_in_schema=False)
def agent_press(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                values: FormValuesDep) -> Response:
    """The agent's own buttons; a refused change (the state machine, a missing reason) comes back on the page in
    the agent's language."""
    if not user.agent_id:
        raise PermissionDenied("this user has no agent id")
    try:
        if len(values.get("reason", "")) > REASON_MAX:
            raise InvalidInput(f"at most {REASON_MAX} characters", field="reason")
        _apply_state(request, conn, user, user.agent_id, _state(values.get("state", "")),
                     values.get("reason", "") or None, now)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _agent_page(request, conn, user, viewer, now, values=values,
                           errors=field_errors(exc, viewer.t, ("state", "reason")), status_code=400)
    return RedirectResponse("/live/agent", status_code=303)


@router.post("/live/agent/preview", include_in_schema=False)
def preview_decide(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                   values: FormValuesDep) -> Response:
    """The agent's answer to the preview dialer's card: ``accepted`` (the dialer calls the contact) or ``skipped``
    with a reason (no call, not a contact attempt). A refused answer comes back on the page beside its field."""
    if not user.agent_id:
        raise PermissionDenied("this user has no agent id")
    try:
        text = values.get("card", "")
        if not text.isdigit() or len(text) > 18:
            raise InvalidInput("a preview card number", field="card")
        decide_card(conn, int(text), agent=user.agent_id, decision=values.get("decision", ""),
                       reason=values.get("skip_reason") or None, now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _agent_page(request, conn, user, viewer, now, values=values,
                           errors=field_errors(exc, viewer.t, ("card", "decision", "skip_reason")), status_code=400)
    return RedirectResponse("/live/agent", status_code=303)
