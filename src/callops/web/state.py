"""What one app instance holds: settings, engine, catalogs, templates, navigation, token signer, clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from fastapi.templating import Jinja2Templates
from starlette.requests import HTTPConnection

from callops.config import Settings
from callops.login_throttle import ThrottlePolicy
from callops.services.kpi_results import KpiResults
from callops.web.i18n import Catalogs
from callops.web.nav import NavItem
from callops.web.sessions import TokenSigner

__all__ = ["WebState", "utc_now", "web_state"]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware UTC: the app's clock unless ``create_app`` is given another."""
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class WebState:
    settings: Settings
    engine: sa.Engine
    catalogs: Catalogs
    templates: Jinja2Templates
    tokens: TokenSigner
    nav: list[NavItem] = field(default_factory=list)
    clock: Callable[[], dt.datetime] = utc_now
    login_policy: ThrottlePolicy = ThrottlePolicy()
    pseudonym_key: bytes = b""  # HMAC key of the agent pseudonyms agents see (services/qa_transparency.py)
    kpi_results: KpiResults = field(default_factory=lambda: KpiResults(0))  # create_app sizes it from the settings


def web_state(conn: HTTPConnection) -> WebState:
    state = conn.app.state.web
    if not isinstance(state, WebState):
        raise RuntimeError("the app was not built by callops.web.create_app")
    return state
