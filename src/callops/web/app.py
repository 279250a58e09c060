"""``create_app(settings)``: the FastAPI application, pages and API, built on demand.

Nothing is done at import; the engine is made from ``settings.database_url`` when the app is
built and disposed when it shuts down. Routes come from the modules of ``callops.web.routes``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sqlalchemy as sa
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from callops.config import Settings
from callops.services.kpi_results import KpiResults
from callops.services.qa_transparency import pseudonym_key
from callops.store import make_engine
from callops.store.site_secret import shared_secret
from callops.web import routes
from callops.web.body_limit import BodyLimit
from callops.web.csrf import verify_csrf
from callops.web.deps import WORKER_THREADS
from callops.web.discovery import discover_routes
from callops.web.error_handlers import install_error_handlers
from callops.web.i18n import load_catalogs
from callops.web.import_uploads import UPLOAD_PATH, UPLOAD_SLACK_BYTES
from callops.web.login_guard import SignInSlots
from callops.web.rendering import make_templates
from callops.web.security_headers import SecurityHeaders
from callops.web.sessions import SESSION_COOKIE, SESSION_MAX_AGE_S, TokenSigner
from callops.web.state import WebState, utc_now

__all__ = ["create_app", "app_from_env", "STATIC_DIR"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return version("callops")
    except PackageNotFoundError:
        return "0"


def create_app(settings: Settings, *, clock: Callable[[], dt.datetime] = utc_now) -> FastAPI:
    """The web app for ``settings``: session cookie, CSRF, routes, error handlers, static files.

    ``clock`` gives the current UTC time to whatever asks ``NowDep`` (login throttling); tests pass their own.
    """
    settings.validate()
    engine = make_engine(settings.database_url, pool_timeout_s=settings.db_pool_timeout_s,
                         busy_timeout_s=settings.db_busy_timeout_s, pool_size=WORKER_THREADS)
    secret = settings.secret_key or _development_secret(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            live = getattr(_app.state, "live_floor", None)  # callops.web.live_floor, started on first use
            if live is not None:
                live.stop()
            engine.dispose()

    app = FastAPI(title="callops", version=_version(), lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  dependencies=[Depends(verify_csrf)],
                  description="Contact-center operations: calls, agents, reports, workforce, quality. "
                              "Log in with POST /api/login; send the token as `Authorization: Bearer`.")
    state = WebState(settings=settings, engine=engine, catalogs=load_catalogs(), templates=make_templates(),
                     tokens=TokenSigner(secret), clock=clock)
    state.pseudonym_key = pseudonym_key(secret)
    state.kpi_results = KpiResults(settings.kpi_cache_entries)
    app.state.web = state
    app.state.sign_in_slots = SignInSlots()
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE_S, same_site="lax",
                       https_only=settings.environment == "production")
    app.add_middleware(SecurityHeaders, hsts=settings.environment == "production")
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       path_limits={UPLOAD_PATH: (settings.import_max_bytes + UPLOAD_SLACK_BYTES,
                                                  settings.import_max_bytes, "CALLOPS_IMPORT_MAX_BYTES")})
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in discover_routes(routes):
        app.include_router(module.router)
        state.nav.extend(module.nav)
    install_error_handlers(app)
    return app


def _development_secret(engine: sa.Engine) -> str:
    """Without ``CALLOPS_SECRET_KEY`` (development only): the key kept in the database, shared by all workers."""
    try:
        return shared_secret(engine)
    except sa.exc.DBAPIError as exc:  # not migrated yet: this process alone signs with a random key
        _log.warning("no CALLOPS_SECRET_KEY and no migrated database to keep one in (%s): sessions and tokens "
                     "of this process are signed with a random key that other workers do not share",
                     type(exc).__name__)
        return secrets.token_urlsafe(32)


def app_from_env() -> FastAPI:
    """The app for ``CALLOPS_*`` environment settings (``uvicorn --factory callops.web:app_from_env``)."""
    return create_app(Settings.from_env())
