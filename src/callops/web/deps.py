"""Dependencies, named once: ``EngineDep``, ``ConnDep``, ``CurrentUser``, ``ViewerDep``, ``NowDep``, ``require(...)``.

    def page(conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse: ...
    def report(user: Annotated[User, require(Permission.VIEW_REPORTS)]) -> ...: ...

``ConnDep`` is the request's transaction: it commits when the handler returns and rolls back when it raises.
``CurrentUser`` answers 401 (API) or redirects to the login page (pages) when nobody is logged in;
``require`` also answers 403 when the role lacks the right (decided by ``callops.permissions``). ``User`` (the
signed-in user's type) is named here too, so a route module needs no store import to annotate one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import sqlalchemy as sa
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from callops import permissions
from callops.config import Settings
from callops.deadline import Deadline
from callops.errors import NotFound
from callops.permissions import Permission
from callops.services.qa_transparency import AgentLabel, agent_labeller
from callops.services.team_scope import team_scope
from callops.store.users import User, get_user
from callops.web.sessions import bearer_token, end_session, session_claim, touch_session
from callops.web.state import WebState, web_state
from callops.web.viewer import Viewer, viewer_for

__all__ = ["AgentLabelDep", "ConnDep", "CurrentUser", "DeadlineDep", "EngineDep", "NotAuthenticated", "NowDep",
           "OptionalUser", "SettingsDep", "StateDep", "User", "ViewerDep", "WORKER_THREADS", "request_user", "require"]


class NotAuthenticated(Exception):
    """Nobody is logged in (or the token expired): 401 for the API, the login page for pages."""


async def _state(request: Request) -> WebState:
    return web_state(request)


StateDep = Annotated[WebState, Depends(_state)]


async def _settings(state: StateDep) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _engine(state: StateDep) -> sa.Engine:
    return state.engine


EngineDep = Annotated[sa.Engine, Depends(_engine)]


async def _now(state: StateDep) -> dt.datetime:
    return state.clock()


NowDep = Annotated[dt.datetime, Depends(_now)]  # the app's clock (``create_app(settings, clock=...)``), UTC


async def _job_deadline(settings: SettingsDep) -> Deadline:
    return Deadline(settings.job_time_limit_s)


DeadlineDep = Annotated[Deadline, Depends(_job_deadline)]  # the wall-clock limit of this request's heavy work


# Dependencies that do no I/O are ``async def``: they run on the event loop, where a sync one would take a hop to a
# worker thread and back (CPU and a wait for the GIL on every request). Those that query the database stay sync.
# Sync handlers run on AnyIO's worker threads (40 by default); the app's pool keeps as many connections (its overflow
# serves the live floor's own threads), and as many requests at a time hold one (``_connection``).
WORKER_THREADS = 40


def _db_slots(request: Request) -> anyio.Semaphore:
    """The app's slots for requests holding a connection: as many as the pool keeps (``WORKER_THREADS``)."""
    slots = getattr(request.app.state, "db_slots", None)
    if slots is None:
        slots = request.app.state.db_slots = anyio.Semaphore(WORKER_THREADS)
    return slots


async def _connection(request: Request, engine: EngineDep) -> AsyncIterator[sa.Connection]:
    """The request's one connection and its transaction boundary: committed when the handler returns, rolled
    back when it raises (an error page or 4xx from an exception handler then leaves nothing half-written).
    Handlers never commit; one that answers an error without raising calls ``conn.rollback()`` first.

    A request waits for a slot on the event loop (holding no thread and no connection) before it takes a
    connection; there are as many slots as pooled connections, so it then never waits on the pool, however
    many users ask at once."""
    async with _db_slots(request):
        conn = await run_in_threadpool(engine.connect)
        try:
            yield conn
        except BaseException:
            await run_in_threadpool(_end, conn, commit=False)
            raise
        await run_in_threadpool(_end, conn, commit=True)


def _end(conn: sa.Connection, *, commit: bool) -> None:
    """Commit (or roll back) and give the connection back to the pool: one trip to a worker thread for both."""
    try:
        if commit:
            conn.commit()
        else:
            conn.rollback()
    finally:
        conn.close()


ConnDep = Annotated[sa.Connection, Depends(_connection, scope="function")]  # exits before the response is sent


def request_user(request: Request, state: WebState, conn: sa.Connection, now: dt.datetime) -> User | None:
    """The user of the bearer token or the cookie session, when it is still valid.

    Not valid: a user disabled or deleted since, a session epoch raised since (logout, password or role
    change), or a cookie session idle longer than ``Settings.idle_timeout_min``. An invalid cookie session is
    cleared, keeping the language.
    """
    token = bearer_token(request)
    claim = state.tokens.claim(token) if token is not None else session_claim(request)
    if claim is None:
        return None
    idle = dt.timedelta(minutes=state.settings.idle_timeout_min)
    try:
        user = get_user(conn, claim.user_id)
    except NotFound:  # disabled or deleted since the session began
        user = None
    if (user is None or user.session_epoch != claim.epoch
            or (claim.seen_at is not None and now - claim.seen_at > idle)):
        if token is None:
            end_session(request)
        return None
    if token is None:
        touch_session(request, now)
    request.state.user = user
    return user


def _optional_user(request: Request, state: StateDep, conn: ConnDep, now: NowDep) -> User | None:
    return request_user(request, state, conn, now)


OptionalUser = Annotated[User | None, Depends(_optional_user)]


async def _current_user(user: OptionalUser) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


async def _viewer(request: Request, user: OptionalUser) -> Viewer:
    return viewer_for(request, user)


ViewerDep = Annotated[Viewer, Depends(_viewer)]


def _agent_label(state: StateDep, user: CurrentUser, conn: ConnDep) -> AgentLabel:
    """A team lead sees the agents of their teams by id and the others as pseudonyms, as agents do."""
    return agent_labeller(user, state.pseudonym_key, team_scope(conn, user))


AgentLabelDep = Annotated[AgentLabel, Depends(_agent_label)]  # how this user sees agent ids (QA transparency)


def require(permission: Permission) -> Any:
    """A dependency giving the current user when their role has ``permission``, else 403."""

    async def dependency(user: CurrentUser) -> User:
        permissions.require(user.role, permission)
        return user

    return Depends(dependency)
