"""People pages: the manager's dashboard, a person's record (edited, audited) and an agent's own record."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import CallopsError, Infeasible, InvalidInput, NotFound, PermissionDenied
from callops.people import (
    ExitReason,
    HistoryRow,
    Position,
    Stint,
    attrition,
    survival_curves,
)
from callops.people.hr_csv import parse_position, parse_reason
from callops.people.nesting import parse_skill_levels
from callops.people.tenure import exits_by_reason, released_destinations, tenure_distribution
from callops.permissions import Permission
from callops.services.people_records import (
    CoachingKind,
    all_stints,
    coaching_sessions,
    early_warning,
    hire_ramp,
    read_person,
    save_person,
    team_choices,
)
from callops.services.people_team import (
    coaching_visible,
    nesting_visible,
    record_coaching,
    set_nesting,
    team_activities,
    team_load,
    warning_teams,
)
from callops.web.deps import ConnDep, CurrentUser, NowDep, SettingsDep, User, ViewerDep, require
from callops.web.filters import parse_date
from callops.web.form_input import FORM_ERRORS, FormValuesDep, field_errors
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.routes.people_api import CoachingIn, NestingIn, coaching_of, nesting_plan_of
from callops.web.routes.people_charts import attrition_chart, ramp_chart, survival_chart, tenure_chart
from callops.web.routes.people_query import people_query
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.people", "/people", permission=Permission.VIEW_PII, order=45,
               description_key="people.card"),
       # a lead's teams (load, coaching, the early-warning link); the page 403s for a lead of no team
       NavItem("nav.people_team", "/people/team", permission=Permission.SUPERVISE_FLOOR, order=46))

MAX_FORM_ROWS = 50
RAMP_PEOPLE = 300  # new hires whose first 13 weeks the dashboard reads (two queries each)
_FORM_COLUMNS = {"hire_date": "start_on", "exit_date": "end_on"}
FIELDS = ("start_on", "end_on", "team", "position", "contract", "exit_reason", "destination")


def _current(stints: list[Stint]) -> dict[str, object]:
    last = stints[-1]
    spell = last.spells[-1]
    return {"person": last.person, "hire_on": last.hire_on, "exit_on": last.exit_on, "team": spell.team,
            "position": spell.position.value, "exit_reason": last.exit_reason.value if last.exit_reason else None}


@router.get("/people", response_class=HTMLResponse)
def people_dashboard(request: Request, conn: ConnDep, user: Annotated[User, require(Permission.VIEW_PII)],
                     viewer: ViewerDep, now: NowDep, settings: SettingsDep, to: str | None = None,
                     grain: str | None = None,
                     by: str | None = None,
                     survival_by: str | None = None, as_of: str | None = None) -> HTMLResponse:
    query = people_query(today=now.astimezone(viewer.tz).date(), date_from=request.query_params.get("from"),
                         date_to=to, grain=grain, by=by, survival_by=survival_by, as_of=as_of)
    stints = all_stints(conn)
    rows = attrition(stints, date_from=query.date_from, date_to=query.date_to, grain=query.grain, by=query.by)
    curves = survival_curves(stints, as_of=query.as_of, by=query.survival_by)
    bands = tenure_distribution(stints, as_of=query.as_of)
    by_person: dict[str, list[Stint]] = {}
    for stint in stints:
        by_person.setdefault(stint.person, []).append(stint)
    hired = [s for s in stints if query.date_from <= s.hire_on <= query.date_to]
    ramp = hire_ramp(conn, hired[:RAMP_PEOPLE], tz=zoneinfo.ZoneInfo(settings.site_tz), weeks=13)
    return render(request, viewer, "people/dashboard.html", {
        "query": query, "rows": rows, "curves": curves, "bands": bands, "ramp": ramp,
        "ramp_chart": ramp_chart(viewer.t, ramp), "ramp_cut": len(hired) > RAMP_PEOPLE,
        "reasons": exits_by_reason(stints, date_from=query.date_from, date_to=query.date_to),
        "destinations": released_destinations(stints, date_from=query.date_from, date_to=query.date_to),
        "people": [_current(v) for _, v in sorted(by_person.items())],
        "attrition_chart": attrition_chart(viewer.t, [r for r in rows if r.group is None] if query.by is None else []),
        "survival_chart": survival_chart(viewer.t, curves), "tenure_chart": tenure_chart(viewer.t, bands),
    })


def _record(request: Request, conn: ConnDep, viewer: ViewerDep, person: str, *, editable: bool,
            today: dt.date, typed: list[dict[str, str]] | None = None, error: str | None = None) -> HTMLResponse:
    """The person's record; with ``typed`` (rows as posted) and ``error``, the edit form as it was sent (400)."""
    record = read_person(conn, person, with_audit=editable)
    if not record.stints and not editable:
        raise NotFound(f"no people record for {person!r}")
    return render(request, viewer, "people/person.html", {
        "person": person, "spells": typed if typed is not None else record.spells, "stints": record.stints,
        "editable": editable, "errors": {"": error} if error else {},
        "audit": record.audit, "teams": team_choices(conn),
        "positions": [p.value for p in Position], "reasons": [r.value for r in ExitReason],
        "today": today,
        "sessions": [c.as_dict() for c in coaching_sessions(conn, agent=person)],
    }, status_code=400 if error else 200)


@router.get("/people/warning", response_class=HTMLResponse)
def warning_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                 settings: SettingsDep, as_of: Annotated[str | None, Query(max_length=20)] = None) -> HTMLResponse:
    """Managers see every agent; a team lead sees their own teams' agents; nobody else (403)."""
    teams = warning_teams(conn, user)
    day = parse_date(as_of, field="as_of") or now.astimezone(viewer.tz).date()
    report: dict[str, object] | None = None
    problem: str | None = None
    try:
        report = early_warning(conn, as_of=day, tz=zoneinfo.ZoneInfo(settings.site_tz), teams=teams)
    except Infeasible as exc:
        problem = str(exc)
    return render(request, viewer, "people/warning.html", {"report": report, "problem": problem, "day": day})


@router.get("/people/team", response_class=HTMLResponse)
def team_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
              settings: SettingsDep, to: Annotated[str | None, Query(max_length=20)] = None) -> HTMLResponse:
    """A lead's page (managers see every team): emotional load of the last four weeks and coaching sessions."""
    return _team_page(request, conn, user, viewer, now, settings, to=to)


def _team_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, now: dt.datetime,
               settings: SettingsDep, *, to: str | None = None, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    last = parse_date(to, field="to") or now.astimezone(viewer.tz).date()
    first = last - dt.timedelta(days=27)
    zone = zoneinfo.ZoneInfo(settings.site_tz)
    load = team_load(conn, user, first=first, last=last, tz=zone)
    today = now.astimezone(zone).date()
    return render(request, viewer, "people/team.html", {
        "load": load, "first": first, "last": last, "sessions": coaching_visible(conn, user),
        "activities": team_activities(conn, user, first=today, days=7, tz=zone),
        "kinds": [k.value for k in CoachingKind], "today": now.astimezone(viewer.tz).date(),
        "values": values or {}, "errors": errors or {}}, status_code=status_code)


COACHING_FIELDS = ("agent", "held_on", "kind", "topic", "call_ids", "actions", "follow_up_on")


@router.post("/people/team/coaching")
def team_coaching(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                  settings: SettingsDep, values: FormValuesDep) -> Response:
    """The coaching form of the team page; the same rules as POST /api/people/coaching. A bad value comes back on
    the form, beside its field, with everything typed kept."""
    text = {field: values.get(field, "").strip() for field in COACHING_FIELDS}
    try:
        try:
            calls = [int(v) for v in text["call_ids"].replace(",", " ").split()]
        except ValueError:
            raise InvalidInput("linked calls are call ids separated by spaces or commas", field="call_ids") from None
        if any(not 1 <= call < 2**63 for call in calls):
            raise InvalidInput("linked calls are call ids separated by spaces or commas", field="call_ids")
        body = CoachingIn.model_validate({
            "agent": text["agent"], "held_on": text["held_on"], "kind": text["kind"] or "coaching",
            "topic": text["topic"], "call_ids": calls, "actions": text["actions"],
            "follow_up_on": text["follow_up_on"] or None})
        try:
            record_coaching(conn, user, **coaching_of(body), now=now)
        except NotFound as missing:  # no people record for the agent: the agent field is wrong
            raise InvalidInput(str(missing), field="agent") from None
    except FORM_ERRORS as exc:
        conn.rollback()
        return _team_page(request, conn, user, viewer, now, settings, values=text,
                          errors=field_errors(exc, viewer.t, COACHING_FIELDS), status_code=_refused_status(exc))
    return RedirectResponse("/people/team", status_code=303)


def _refused_status(exc: Exception) -> int:
    return exc.http_status if isinstance(exc, CallopsError) else 400


NESTING_FIELDS = ("person", "starts_on", "ends_on", "skills", "buddy", "note")


def _nesting_page(request: Request, conn: ConnDep, user: User, viewer: Viewer, now: dt.datetime, *,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  saved: str | None = None) -> HTMLResponse:
    today = now.astimezone(viewer.tz).date()
    plans = [{**p.as_dict(), "active": p.active_on(today), "skills_text": ", ".join(
        f"{k}={v}" for k, v in sorted(p.skills.items()))} for p in nesting_visible(conn, user)]
    typed = values or {"starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=28)).isoformat()}
    return render(request, viewer, "people/nesting.html", {
        "plans": plans, "values": typed, "errors": errors or {}, "saved": saved, "today": today},
        status_code=400 if errors else 200)


@router.get("/people/nesting", response_class=HTMLResponse)
def nesting_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                 saved: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
    """Nesting and buddies: a new hire's easier skills (routed while it lasts) and their buddy; managers see
    everyone, leads their teams' agents, others 403."""
    return _nesting_page(request, conn, user, viewer, now, saved=saved)


@router.post("/people/nesting", response_class=HTMLResponse)
def nesting_save(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                 values: FormValuesDep) -> Response:
    """The nesting form; the rules of POST /api/people/nesting. Errors come back next to their fields."""
    typed = {f: values.get(f, "")[:600] for f in NESTING_FIELDS}
    try:
        body = NestingIn.model_validate({
            "person": typed["person"].strip(), "starts_on": typed["starts_on"].strip(),
            "ends_on": typed["ends_on"].strip(), "skills": parse_skill_levels(typed["skills"]),
            "buddy": typed["buddy"].strip() or None, "note": typed["note"]})
        set_nesting(conn, user, nesting_plan_of(body), now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _nesting_page(request, conn, user, viewer, now, values=typed,
                             errors=field_errors(exc, viewer.t, NESTING_FIELDS))
    return RedirectResponse("/people/nesting?saved=" + quote(body.person, safe=""), status_code=303)


@router.get("/people/me", response_class=HTMLResponse)
def my_record(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep) -> HTMLResponse:
    """An agent's own record: hire date, positions, tenure. Nobody else's."""
    if user.agent_id is None:
        raise PermissionDenied("this user is not linked to an agent")
    return _record(request, conn, viewer, user.agent_id, editable=False, today=now.astimezone(viewer.tz).date())


@router.get("/people/{person}", response_class=HTMLResponse)
def person_record(request: Request, person: str, conn: ConnDep,
                  user: Annotated[User, require(Permission.VIEW_PII)], viewer: ViewerDep,
                  now: NowDep) -> HTMLResponse:
    return _record(request, conn, viewer, person, editable=True, today=now.astimezone(viewer.tz).date())


def _form_rows(values: dict[str, list[str]]) -> list[HistoryRow]:
    count = max((len(v) for v in values.values()), default=0)
    if count > MAX_FORM_ROWS:
        raise InvalidInput(f"at most {MAX_FORM_ROWS} rows", field="start_on")
    rows: list[HistoryRow] = []
    for i in range(count):
        cell = {f: (values[f][i].strip() if i < len(values[f]) else "") for f in FIELDS}
        if not any(v for f, v in cell.items() if f != "position"):  # the blank row (a position is preselected)
            continue
        line = i + 1

        def bad(field: str, reason: str, line: int = line) -> InvalidInput:
            return InvalidInput(reason, file="form", line=line, field=field)

        try:
            start = dt.date.fromisoformat(cell["start_on"])
        except ValueError:
            raise bad("start_on", f"{cell['start_on']!r} is not a date YYYY-MM-DD") from None
        try:
            end = dt.date.fromisoformat(cell["end_on"]) if cell["end_on"] else None
        except ValueError:
            raise bad("end_on", f"{cell['end_on']!r} is not a date YYYY-MM-DD") from None
        try:
            reason = parse_reason(cell["exit_reason"]) if cell["exit_reason"] else None
        except ValueError as exc:
            raise bad("exit_reason", str(exc)) from None
        try:
            position = parse_position(cell["position"] or "agent")
        except ValueError as exc:
            raise bad("position", str(exc)) from None
        for field, limit in (("contract", 40), ("destination", 120), ("team", 80)):
            if len(cell[field]) > limit:
                raise bad(field, f"at most {limit} characters")
        rows.append(HistoryRow(line=line, person="", start_on=start, end_on=end, exit_reason=reason,
                               team=cell["team"] or None, position=position, contract=cell["contract"] or None,
                               destination=cell["destination"] or None))
    return rows


@router.post("/people/{person}")
async def person_save(request: Request, person: str, conn: ConnDep,
                      user: Annotated[User, require(Permission.VIEW_PII)], viewer: ViewerDep,
                      now: NowDep) -> Response:
    """Replace the person's spells with the form's rows (blank rows dropped); audited as person.edited."""
    if not person.strip() or len(person) > 72:
        raise InvalidInput("a person id is 1-72 characters", field="person")
    form = await request.form()
    values = {f: [v[:200] if isinstance(v, str) else "" for v in form.getlist(f)] for f in FIELDS}
    try:
        rows = [HistoryRow(line=r.line, person=person, start_on=r.start_on, end_on=r.end_on,
                           exit_reason=r.exit_reason, team=r.team, position=r.position, contract=r.contract,
                           destination=r.destination) for r in _form_rows(values)]
        save_person(conn, person, rows, actor=user.username, now=now, column=_FORM_COLUMNS)
    except FORM_ERRORS as exc:  # the form comes back as typed, the error above it naming row and field
        conn.rollback()
        count = min(max((len(v) for v in values.values()), default=0), MAX_FORM_ROWS)
        typed = [{f: values[f][i] if i < len(values[f]) else "" for f in FIELDS} for i in range(count)]
        typed = [row for row in typed if any(v.strip() for f, v in row.items() if f != "position")]
        message = next(iter(field_errors(exc, viewer.t, FIELDS).values()))
        if isinstance(exc, InvalidInput) and exc.field and exc.line is not None:
            message = viewer.t("form.row_error", line=exc.line, field=exc.field, message=message)
        return _record(request, conn, viewer, person, editable=True, today=now.astimezone(viewer.tz).date(),
                       typed=typed, error=message)
    return RedirectResponse(f"/people/{quote(person, safe='')}", status_code=303)
