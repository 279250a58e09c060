"""What one app instance holds: settings, engine, catalogs, templates, navigation, token signer."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from fastapi.templating import Jinja2Templates
from starlette.requests import HTTPConnection

from callops.config import Settings
from callops.web.i18n import Catalogs
from callops.web.nav import NavItem
from callops.web.sessions import TokenSigner

__all__ = ["WebState", "web_state"]


@dataclass(slots=True)
class WebState:
    settings: Settings
    engine: sa.Engine
    catalogs: Catalogs
    templates: Jinja2Templates
    tokens: TokenSigner
    nav: list[NavItem] = field(default_factory=list)


def web_state(conn: HTTPConnection) -> WebState:
    state = conn.app.state.web
    if not isinstance(state, WebState):
        raise RuntimeError("the app was not built by callops.web.create_app")
    return state
