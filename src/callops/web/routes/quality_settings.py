"""QA settings (manage_qa): whether agents see each other's evaluations, and rotating users into QA duty."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, Response

from callops.services.qa_access import grant_qa_duty_days, qa_settings, set_transparency
from callops.web.deps import ConnDep, CurrentUser, ViewerDep
from callops.web.form_input import FORM_ERRORS, FormValuesDep, field_errors
from callops.web.rendering import render
from callops.web.routes._quality_forms import check_lengths, refused_status, see_other
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)


@router.get("/qa/settings", response_class=HTMLResponse)
def settings_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    return _settings_page(request, conn, user, viewer)


def _settings_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, *,
                   values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    settings = qa_settings(conn, user)
    return render(request, viewer, "quality/settings.html", {
        "see_others": settings.see_others, "duty": settings.duty, "agents": settings.agents,
        "values": values or {}, "errors": errors or {}}, status_code=status_code)


@router.post("/qa/settings/transparency")
def settings_transparency(conn: ConnDep, user: CurrentUser, enabled: Annotated[str, Form()] = "") -> Response:
    set_transparency(conn, user, enabled == "on")
    return see_other("/qa/settings")


@router.post("/qa/settings/duty")
def settings_duty(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                  values: FormValuesDep) -> Response:
    """Grant QA duty from the first to the last day (inclusive, days in the viewer's zone); a bad day or an
    unknown user comes back on the form, as typed."""
    try:
        check_lengths(values, {"username": 80, "first_day": 20, "last_day": 20})
        grant_qa_duty_days(conn, user, values.get("username", ""), first_day=values.get("first_day", ""),
                           last_day=values.get("last_day", ""), tz=viewer.tz)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _settings_page(request, conn, user, viewer, values=values,
                              errors=field_errors(exc, viewer.t, ("username", "first_day", "last_day")),
                              status_code=refused_status(exc))
    return see_other("/qa/settings")
