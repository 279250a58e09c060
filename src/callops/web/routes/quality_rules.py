"""QA sampling rules: the published list, filing a rule, and a rule's public draw (freeze, public randomness,
draw, verification)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from callops.errors import InvalidInput, NotFound
from callops.permissions import Permission, allowed
from callops.quality import rule_to_mapping
from callops.records import Role
from callops.services.qa_sampling import (
    draw_rule,
    enter_randomness,
    file_rule,
    freeze_rule,
    rule_from_form,
    rule_view,
    rules,
)
from callops.services.qa_transparency import redacted_draw
from callops.web.deps import AgentLabelDep, ConnDep, CurrentUser, ViewerDep
from callops.web.form_input import FORM_ERRORS, FormValuesDep, field_errors, read_number
from callops.web.rendering import render
from callops.web.routes._quality_forms import check_lengths, refused_status, see_other
from callops.web.routes._quality_shared import ClockDep
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)

RULE_FORM = {"rule_id": "", "description": "", "period_start": "", "period_end": "", "timezone": "Asia/Shanghai",
             "per": "agent_week", "pick_kind": "nth", "n": "2", "longer_than_s": "60", "after": ""}
RULE_LIMITS = {"rule_id": 120, "description": 4000, "timezone": 80, "after": 20}


def _may_run(role: Role) -> bool:
    return allowed(role, Permission.MANAGE_QA) or allowed(role, Permission.EVALUATE_CALLS)


def _rules_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, *,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    return render(request, viewer, "quality/rules.html", {
        "rules": rules(conn), "form": RULE_FORM | (values or {}), "errors": errors or {},
        "may_file": _may_run(user.role)}, status_code=status_code)


@router.get("/qa/rules", response_class=HTMLResponse)
def rules_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    return _rules_page(request, conn, user, viewer)


def _published(text: dict[str, str]) -> dict[str, object]:
    """The rule typed into the form, as ``rule_from_form`` builds it; ``InvalidInput`` names the field."""
    check_lengths(text, RULE_LIMITS)
    n = read_number(text, "n")
    if n is None or not n.is_integer() or not 1 <= n <= 100_000:
        raise InvalidInput("give a whole number of calls from 1 to 100000", field="n")
    return rule_from_form(rule_id=text["rule_id"], period_start=text["period_start"],
                          period_end=text["period_end"], timezone=text["timezone"], per=text["per"],
                          pick_kind=text["pick_kind"], n=int(n),
                          longer_than_s=read_number(text, "longer_than_s", default=0.0) or 0.0,
                          after=text["after"], description=text["description"])


@router.post("/qa/rules")
def rules_file(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep,
               values: FormValuesDep) -> Response:
    """Dates are local days in the rule's zone; the period runs from the start day to the end day inclusive."""
    text = RULE_FORM | {key: value for key, value in values.items() if key in RULE_FORM}
    try:
        stored = file_rule(conn, user, _published(text), now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _rules_page(request, conn, user, viewer, values=text,
                           errors=field_errors(exc, viewer.t, RULE_FORM), status_code=400)
    return see_other(f"/qa/rules/{quote(stored.rule.rule_id, safe='')}")


@router.get("/qa/rules/{name}", response_class=HTMLResponse)
def rule_page(request: Request, name: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
              now: ClockDep, label: AgentLabelDep) -> HTMLResponse:
    """The rule and its public draw: commitment, eligible hash, randomness, selection, seed, verification."""
    return _rule_page(request, conn, user, viewer, now, label, name)


def _rule_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, now: dt.datetime,
               label: AgentLabelDep, name: str, *, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    view = rule_view(conn, name)
    return render(request, viewer, "quality/rule.html", {
        "stored": view.stored, "published": rule_to_mapping(view.stored.rule),
        "draw": redacted_draw(view.draw, label) if view.draw is not None else None, "check": view.check,
        "may_run": _may_run(user.role), "period_over": now >= view.stored.rule.period_end, "entries": view.entries,
        "values": values or {}, "errors": errors or {}}, status_code=status_code)


@router.post("/qa/rules/{name}/{step}")
def rule_step(request: Request, name: str, step: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
              now: ClockDep, label: AgentLabelDep, values: FormValuesDep) -> Response:
    """Freeze the eligible calls, enter the public randomness (dice or beacon), or run the draw; a step refused
    (too early, entered already, a bad value) is answered on the rule's page, the typed value kept."""
    if step not in ("freeze", "random", "draw"):
        raise NotFound(f"no rule step {step!r}")
    try:
        if step == "freeze":
            freeze_rule(conn, user, name, now=now)
        elif step == "random":
            check_lengths(values, {"value": 200, "source": 20})
            enter_randomness(conn, user, name, values.get("value", ""), now=now,
                             source=values.get("source", "") or "dice")
        else:
            draw_rule(conn, user, name, now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = field_errors(exc, viewer.t, ("value", "source", "public_random"))
        if "public_random" in errors:
            errors["value"] = errors.pop("public_random")
        return _rule_page(request, conn, user, viewer, now, label, name, values=values, errors=errors,
                          status_code=refused_status(exc))
    return see_other(f"/qa/rules/{quote(name, safe='')}")
