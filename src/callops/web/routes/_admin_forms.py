"""What the administration pages share: field errors in the viewer's language, percent and number parsing,
and the rendering of a page with its form's input kept.

A form error is ``{field: message}``; the message is ``admin.err.<field>`` translated (the English detail of
the error beside it), or ``admin.err.duplicate`` when the name is taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from callops.errors import CallopsError, Conflict, InvalidInput, NotFound
from callops.permissions import MATRIX
from callops.services.directory_admin import AlreadyExists
from callops.web.rendering import render
from callops.web.viewer import Viewer

__all__ = ["admin_render", "field_errors", "parse_int", "parse_pct", "render_form"]

def field_errors(viewer: Viewer, exc: CallopsError, *, default_field: str) -> dict[str, str]:
    """``exc`` as ``{field: translated message}``; the field is the error's own or ``default_field``."""
    field = exc.field if isinstance(exc, InvalidInput) and exc.field else default_field
    if isinstance(exc, AlreadyExists | Conflict):
        return {field: viewer.t("admin.err.duplicate")}
    key = f"admin.err.{field}"
    if isinstance(exc, NotFound):
        key = f"admin.err.{field}_unknown"
    return {field: viewer.t(key) if key in viewer.t.messages else viewer.t("admin.err.generic")}


def parse_pct(text: str, field: str) -> float:
    """A percentage typed as ``80``, ``80%`` or ``80 %`` (0 to 100)."""
    raw = text.strip().removesuffix("%").strip()
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a percentage", field=field) from None
    if not 0 <= value <= 100:
        raise InvalidInput(f"{text!r} is not a percentage from 0 to 100", field=field)
    return value


def parse_int(text: str, field: str, *, lo: int, hi: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a whole number", field=field) from None
    if not lo <= value <= hi:
        raise InvalidInput(f"{value} is outside {lo}-{hi}", field=field)
    return value


def render_form(request: Request, viewer: Viewer, template: str, context: Mapping[str, Any], *,
                errors: Mapping[str, str] | None = None, values: Mapping[str, Any] | None = None) -> HTMLResponse:
    """The page with ``errors`` beside their fields and ``values`` kept in the form (400 when there are errors)."""
    full = {**context, "errors": dict(errors or {}), "values": dict(values or {})}
    return admin_render(request, viewer, template, full, status_code=400 if errors else 200)


def admin_render(request: Request, viewer: Viewer, template: str, context: Mapping[str, Any], *,
                 status_code: int = 200) -> HTMLResponse:
    """``render`` with ``rights``, the names of the viewer's rights (the section tabs show what they may open)."""
    rights = {p.value for p in MATRIX[viewer.user.role]} if viewer.user is not None else set()
    return render(request, viewer, template, {**context, "rights": rights}, status_code=status_code)
