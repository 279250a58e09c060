"""Renders a page: the template gets the viewer, ``t``, formats, navigation and the CSRF token.

Every template extends ``base.html`` and can use:

- ``t("key", name=value)``: the message in the viewer's language;
- ``fmt``: ``fmt.number(x, 1)``, ``fmt.percent(r)``, ``fmt.duration(s)``, ``fmt.datetime(at, zone=True)``;
- ``user`` (a ``callops.store.users.User`` or None), ``locale``, ``zone_label``;
- ``csrf_token``: put ``{{ csrf_field() }}`` inside every POST form;
- ``say_reason(text)``: a refusal or an importer's reason in the viewer's language (``reason_keys.say_reason``);
- ``nav``: the entries this user may open.

``render_fragment`` renders a partial (a template named ``_*.html``) to text for a page to keep and show again
(``KpiReads.kept_text``): it gets ``t``, ``fmt``, ``locale``, ``zone_label`` and ``say_reason`` but no user, request,
navigation or CSRF token, since the text is shown to every viewer with the same language and zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from callops.web.csrf import CSRF_FIELD
from callops.web.i18n import LOCALES
from callops.web.nav import visible_items
from callops.web.reason_keys import say_reason
from callops.web.sessions import csrf_token
from callops.web.state import web_state
from callops.web.viewer import Viewer

__all__ = ["TEMPLATES_DIR", "make_templates", "render", "render_fragment"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def make_templates(folder: Path = TEMPLATES_DIR) -> Jinja2Templates:
    templates = Jinja2Templates(directory=folder)
    templates.env.autoescape = True
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates


def render(request: Request, viewer: Viewer, template: str, context: Mapping[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    """The page ``template`` for ``viewer``, with the shared context described above."""
    state = web_state(request)
    token = csrf_token(request)
    nav = visible_items(state.nav, viewer.user.role) if viewer.user is not None else []

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))

    full: dict[str, Any] = {
        **_shared(viewer), "user": viewer.user, "viewer": viewer, "csrf_token": token, "csrf_field": csrf_field,
        "nav": nav, "current_path": request.url.path, "debug": state.settings.debug,
    }
    full.update(context or {})
    response = state.templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers["Content-Language"] = viewer.locale
    return response


def _shared(viewer: Viewer) -> dict[str, Any]:
    """What pages and fragments get alike: the viewer's language, formats and zone."""
    return {"t": viewer.t, "fmt": viewer.fmt, "locale": viewer.locale, "locales": LOCALES,
            "zone_label": viewer.fmt.zone_label(), "say_reason": lambda text: say_reason(str(text), viewer.t)}


def render_fragment(request: Request, viewer: Viewer, template: str, context: Mapping[str, Any]) -> Markup:
    """The partial ``template`` as markup for ``viewer``'s language and zone, with no user, request or CSRF token in
    its context (see the module's text)."""
    if not Path(template).name.startswith("_"):
        raise ValueError(f"{template} is a page, not a partial (_*.html)")
    return Markup(web_state(request).templates.get_template(template).render({**_shared(viewer), **context}))
