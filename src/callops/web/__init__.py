"""The web app: pages and the HTTP API in one FastAPI application.

``create_app(settings)`` builds it; nothing happens at import. Pages and API endpoints live in
``callops.web.routes``: every module there that exposes ``router`` (an ``APIRouter``) is included,
and its optional ``NAV`` tuple of :class:`NavItem` adds entries to the header and the home page.
See docs/web.md.
"""

from callops.web.app import app_from_env, create_app
from callops.web.nav import NavItem

__all__ = ["NavItem", "app_from_env", "create_app"]
