"""Saved and scheduled reports: save the builder's query under a name, optionally with a daily or weekly
schedule delivered to a folder or by e-mail (``callops reports run-due`` sends them; see
``callops.services.saved_reports``); list, download and delete them.

The module's name sorts before ``reports.py`` so that ``/reports/saved`` is routed here, not to the
printable ``/reports/{kind}`` pages (route modules are included in name order)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import InvalidInput, NotFound
from callops.metrics import kpi_request_from_text
from callops.permissions import Permission
from callops.records import Role
from callops.services.saved_reports import (
    DELIVERIES,
    FILE_FORMATS,
    SCHEDULES,
    check_recipients,
    due_period,
    render_report,
)
from callops.store.saved_reports import (
    SavedReport,
    add_saved_report,
    delete_saved_report,
    get_saved_report,
    list_saved_reports,
)
from callops.web.deps import ConnDep, User, ViewerDep, require
from callops.web.downloads import attachment
from callops.web.rendering import render
from callops.web.state import web_state
from callops.web.viewer import Viewer

router = APIRouter()

ReportsUser = Annotated[User, require(Permission.VIEW_REPORTS)]
# the builder's parameters a saved report keeps (its range is kept apart, and dropped when scheduled)
_KEPT = ("grain", "by", "dim", "tz", "kpis", "kpi", "sl_threshold", "sl_denominator", "short_abandon", "fcr_days",
         "compare_previous", "scenario", "fcr_min_base", "sl_basis")
_MAX_QUERY_CHARS = 4000


def _params(query: str) -> tuple[dict[str, str], str | None, str | None]:
    """The builder query as stored params (repeated kpi/dim joined into kpis/by) and its from/to."""
    if len(query) > _MAX_QUERY_CHARS:
        raise InvalidInput(f"the report query is longer than {_MAX_QUERY_CHARS} characters", field="query")
    pairs = parse_qsl(query, keep_blank_values=False)
    params: dict[str, str] = {}
    lists: dict[str, list[str]] = {"kpis": [], "by": []}
    for key, value in pairs:
        if key in ("kpi", "kpis"):
            lists["kpis"].extend(v for v in value.split(",") if v)
        elif key in ("dim", "by"):
            lists["by"].extend(v for v in value.split(",") if v)
        elif key in _KEPT:
            params[key] = value
    params.update({k: ",".join(dict.fromkeys(v)) for k, v in lists.items() if v})
    if params.get("sl_basis", "queue") not in ("queue", "fixed"):
        raise InvalidInput(f"sl_basis {params['sl_basis']!r} is not queue or fixed", field="query")
    values = dict(pairs)
    return params, values.get("from") or None, values.get("to") or None


def _mine(user: User) -> str | None:
    """Whose reports the page lists: an administrator's every report, anyone else's their own."""
    return None if user.role is Role.ADMIN else user.username


def _form(request: Request, viewer: Viewer, values: dict[str, str], *, error: InvalidInput | None = None,
          status_code: int = 200) -> HTMLResponse:
    return render(request, viewer, "reports/saved_form.html", {
        "values": values, "error": error, "schedules": SCHEDULES, "deliveries": DELIVERIES,
        "file_formats": FILE_FORMATS}, status_code=status_code)


@router.get("/reports/saved", response_class=HTMLResponse, include_in_schema=False)
def saved_list(request: Request, conn: ConnDep, user: ReportsUser, viewer: ViewerDep) -> HTMLResponse:
    """The saved reports (an administrator sees everyone's), with their schedule and last delivery."""
    reports = list_saved_reports(conn, owner=_mine(user))
    return render(request, viewer, "reports/saved.html", {"reports": reports, "builder_link": _builder_link})


def _builder_link(report: SavedReport) -> str:
    items = dict(report.params)
    if report.start_day and report.end_day:
        items.update({"from": report.start_day.isoformat(), "to": report.end_day.isoformat()})
    return "/reports/builder?" + urlencode(items)


@router.get("/reports/saved/new", response_class=HTMLResponse, include_in_schema=False)
def saved_new(request: Request, user: ReportsUser, viewer: ViewerDep) -> HTMLResponse:
    """The save form for the builder query this link carries."""
    return _form(request, viewer, {"query": request.url.query[:_MAX_QUERY_CHARS], "name": "", "schedule": "none",
                                   "delivery": "none", "recipients": "", "file_format": "xlsx"})


@router.post("/reports/saved", include_in_schema=False)
def saved_create(request: Request, conn: ConnDep, user: ReportsUser, viewer: ViewerDep,
                 name: Annotated[str, Form(max_length=500)], query: Annotated[str, Form(max_length=8000)],
                 schedule: Annotated[str, Form(max_length=20)] = "none",
                 delivery: Annotated[str, Form(max_length=20)] = "none",
                 recipients: Annotated[str, Form(max_length=2000)] = "",
                 file_format: Annotated[str, Form(max_length=20)] = "xlsx") -> Response:
    """Save the report; a bad value re-renders the form with the error beside its field and the input kept."""
    values = {"name": name, "query": query, "schedule": schedule, "delivery": delivery, "recipients": recipients,
              "file_format": file_format}
    try:
        report = _create(conn, user, viewer, values)
    except InvalidInput as exc:
        return _form(request, viewer, values, error=exc, status_code=400)
    return RedirectResponse(f"/reports/saved#report-{report.id}", status_code=303)


def _create(conn: ConnDep, user: User, viewer: Viewer, values: dict[str, str]) -> SavedReport:
    name = values["name"].strip()
    if not name or len(name) > 120:
        raise InvalidInput("give a name of 1 to 120 characters", field="name")
    for field, allowed_values in (("schedule", SCHEDULES), ("delivery", DELIVERIES), ("file_format", FILE_FORMATS)):
        if values[field] not in allowed_values:
            raise InvalidInput(f"{values[field]!r} is not one of {', '.join(allowed_values)}", field=field)
    if (values["schedule"] == "none") != (values["delivery"] == "none"):
        raise InvalidInput("a scheduled report needs a delivery, and a delivery needs a schedule", field="delivery")
    recipients = check_recipients(values["recipients"])
    if values["delivery"] == "email" and not recipients:
        raise InvalidInput("give at least one e-mail address", field="recipients")
    params, start, end = _params(values["query"])
    tz = params.get("tz") or viewer.tz.key
    first: dt.date | None = None
    last: dt.date | None = None
    if values["schedule"] == "none":
        if not (start and end):
            raise InvalidInput("run the report in the builder first: an unscheduled report keeps its range",
                               field="query")
        checked = kpi_request_from_text(start=start, end=end, tz=tz, site_tz=tz, grain=params.get("grain", "day"),
                                        by=params.get("by"), kpis=params.get("kpis"))
        first, last = checked.start, checked.end
    else:
        sample_first, sample_last, _ = due_period(values["schedule"], dt.datetime.now(dt.UTC), tz)
        kpi_request_from_text(start=sample_first.isoformat(), end=sample_last.isoformat(), tz=tz, site_tz=tz,
                              grain=params.get("grain", "day"), by=params.get("by"), kpis=params.get("kpis"))
    return add_saved_report(conn, owner=user.username, name=name, params=params, start_day=first, end_day=last,
                            schedule=values["schedule"], delivery=values["delivery"], recipients=recipients,
                            file_format=values["file_format"], locale=viewer.locale, tz=tz,
                            now=dt.datetime.now(dt.UTC))


def _owned(conn: ConnDep, user: User, report_id: int) -> SavedReport:
    report = get_saved_report(conn, report_id)
    owner = _mine(user)
    if owner is not None and report.owner != owner:
        raise NotFound(f"no saved report {report_id} of yours")
    return report


@router.get("/reports/saved/{report_id}/download", include_in_schema=False)
def saved_download(request: Request, conn: ConnDep, user: ReportsUser, report_id: int) -> Response:
    """The report as a file, in the language it was saved in: its saved range, or a scheduled report's last
    complete period."""
    report = _owned(conn, user, report_id)
    if report.start_day and report.end_day:
        first, last = report.start_day, report.end_day
    else:
        first, last, _ = due_period(report.schedule, dt.datetime.now(dt.UTC), report.tz)
    translate = web_state(request).catalogs.translator(report.locale)
    name, content = render_report(conn, report, first=first, last=last, t=translate)
    media: dict[str, Any] = {"media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                             if name.endswith(".xlsx") else "text/csv; charset="
                             + ("gb18030" if report.file_format == "csv-gb18030" else "utf-8")}
    return Response(content, headers=attachment(name), **media)


@router.post("/reports/saved/{report_id}/delete", include_in_schema=False)
def saved_delete(conn: ConnDep, user: ReportsUser, report_id: int) -> Response:
    delete_saved_report(conn, report_id, owner=_mine(user))
    return RedirectResponse("/reports/saved", status_code=303)
