"""QA pages: home (my queue, capacity), sampling rules and public draw verification, evaluating a call,
evaluations (the agent acknowledges, comments, appeals), the appeals queue and panel, reports, the library.

Forms post back here with the CSRF field and are answered with a redirect (303) to the page to read next.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.dates import parse_date
from callops.errors import CallopsError, Conflict, InvalidInput, NotFound, PermissionDenied
from callops.permissions import Permission, allowed
from callops.quality import DEFAULT_APPEAL_DEADLINE, Decision, ItemKind, Scorecard, plan_capacity, rule_to_mapping
from callops.records import Role
from callops.services.qa_access import (
    agents_see_others,
    grant_qa_duty_days,
    is_qa,
    sees_everything,
    set_transparency,
)
from callops.services.qa_recordings import recording_kind
from callops.services.qa_reports import qa_report
from callops.services.qa_reviews import (
    accept,
    agent_note,
    appeal_evaluation,
    coach,
    correct_evaluation,
    decide,
    open_appeal,
    open_evaluation,
    panel_view,
    score_call,
    send_back,
)
from callops.services.qa_sampling import (
    draw_rule,
    enter_randomness,
    file_rule,
    freeze_rule,
    rule_from_form,
    verify_stored,
)
from callops.services.qa_transparency import redacted_draw
from callops.services.qa_work import my_queue, reminders
from callops.services.team_scope import team_scope
from callops.store.qa_forms import ensure_starter_scorecard
from callops.store.qa_library import library, list_duty, nominate, pick, vote
from callops.store.qa_reviews import evaluation_keys, list_appeals, list_audit, load_call, load_evaluations
from callops.store.qa_sampling import get_draw, get_rule, list_rules
from callops.store.users import list_users
from callops.web.audit_text import appeal_step
from callops.web.deps import AgentLabelDep, ConnDep, CurrentUser, ViewerDep
from callops.web.form_input import FORM_ERRORS, NOT_A_NUMBER, TOO_LONG, FormValuesDep, field_errors, read_number
from callops.web.i18n import Translator
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.routes._quality_shared import ClockDep, answer_fields, answers_from_form
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)

NAV = (
    NavItem("nav.qa", "/qa", order=50, description_key="qa.card"),
    NavItem("nav.qa_appeals", "/qa/appeals", Permission.HANDLE_APPEALS, order=51),
    NavItem("nav.qa_reports", "/qa/reports", Permission.VIEW_REPORTS, order=52),
)


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _status(exc: Exception) -> int:
    """A refused form's status: 409 for a conflict (the state moved on), 400 for a bad value."""
    return exc.http_status if isinstance(exc, CallopsError) else 400


def _answer_errors(exc: Exception, t: Translator, form: Scorecard, *, only: set[str] | None = None,
                   extra: tuple[str, ...] = ()) -> dict[str, str]:
    """``field_errors`` for an evaluation form: a scoring error naming an item goes beside that item's value."""
    if isinstance(exc, InvalidInput) and exc.field in {i.item_id for i in form.items}:
        exc = InvalidInput(exc.reason, field=f"v_{exc.field}")
    return field_errors(exc, t, (*answer_fields(form, only=only), *extra))


def _check_lengths(values: dict[str, str], limits: dict[str, int]) -> None:
    for field, most in limits.items():
        if len(values.get(field, "")) > most:
            raise InvalidInput(TOO_LONG, field=field)


# --- home and rules --------------------------------------------------------------------------------

@router.get("/qa", response_class=HTMLResponse)
def qa_home(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep) -> HTMLResponse:
    queue = my_queue(conn, user, now=now)
    capacity = plan_capacity(queue.reviews_per_day, qas=queue.qas)
    return render(request, viewer, "quality/home.html", {
        "queue": queue, "capacity": capacity, "is_qa": is_qa(conn, user, now),
        "reminders": reminders(conn, user, now=now),
        "rules": list_rules(conn)[:5], "agent": user.role is Role.AGENT,
        "may_manage": allowed(user.role, Permission.MANAGE_QA)})


RULE_FORM = {"rule_id": "", "description": "", "period_start": "", "period_end": "", "timezone": "Asia/Shanghai",
             "per": "agent_week", "pick_kind": "nth", "n": "2", "longer_than_s": "60", "after": ""}


def _rules_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, *,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    return render(request, viewer, "quality/rules.html", {
        "rules": list_rules(conn), "form": RULE_FORM | (values or {}), "errors": errors or {},
        "may_file": allowed(user.role, Permission.MANAGE_QA) or allowed(user.role, Permission.EVALUATE_CALLS)},
        status_code=status_code)


@router.get("/qa/rules", response_class=HTMLResponse)
def rules_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    return _rules_page(request, conn, user, viewer)


@router.post("/qa/rules")
def rules_file(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep,
               values: FormValuesDep) -> Response:
    """Dates are local days in the rule's zone; the period runs from the start day to the end day inclusive."""
    text = RULE_FORM | {key: value for key, value in values.items() if key in RULE_FORM}
    try:
        for field, most in (("rule_id", 120), ("description", 4000), ("timezone", 80), ("after", 20)):
            if len(text[field]) > most:
                raise InvalidInput(TOO_LONG, field=field)
        n = read_number(text, "n")
        if n is None or not n.is_integer() or not 1 <= n <= 100_000:
            raise InvalidInput("give a whole number of calls from 1 to 100000", field="n")
        published = rule_from_form(rule_id=text["rule_id"], period_start=text["period_start"],
                                   period_end=text["period_end"], timezone=text["timezone"], per=text["per"],
                                   pick_kind=text["pick_kind"], n=int(n),
                                   longer_than_s=read_number(text, "longer_than_s", default=0.0) or 0.0,
                                   after=text["after"], description=text["description"])
        stored = file_rule(conn, user, published, now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _rules_page(request, conn, user, viewer, values=text,
                           errors=field_errors(exc, viewer.t, RULE_FORM), status_code=400)
    return _see_other(f"/qa/rules/{quote(stored.rule.rule_id, safe='')}")


@router.get("/qa/rules/{name}", response_class=HTMLResponse)
def rule_page(request: Request, name: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
              now: ClockDep, label: AgentLabelDep) -> HTMLResponse:
    """The rule and its public draw: commitment, eligible hash, randomness, selection, seed, verification."""
    return _rule_page(request, conn, user, viewer, now, label, name)


def _rule_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, now: dt.datetime,
               label: AgentLabelDep, name: str, *, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    stored = get_rule(conn, name)
    try:
        draw = get_draw(conn, name)
    except NotFound:
        draw = None
    check = verify_stored(draw) if draw is not None and draw.record is not None else None
    draw = redacted_draw(draw, label) if draw is not None else None
    may_run = allowed(user.role, Permission.MANAGE_QA) or allowed(user.role, Permission.EVALUATE_CALLS)
    entries = [(r.actor, r.details.get("source", "")) for r in list_audit(conn, subject=f"rule:{name}")
               if r.action == "rule.random_entry"]
    return render(request, viewer, "quality/rule.html", {
        "stored": stored, "published": rule_to_mapping(stored.rule), "draw": draw, "check": check,
        "may_run": may_run, "period_over": now >= stored.rule.period_end, "entries": entries,
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
            _check_lengths(values, {"value": 200, "source": 20})
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
                          status_code=_status(exc))
    return _see_other(f"/qa/rules/{quote(name, safe='')}")


# --- evaluating --------------------------------------------------------------------------------------

def _recording(conn: Any, ref: str | None) -> dict[str, str] | None:
    """How the page offers the recording: an <audio> player, a link, or the reference as text."""
    kind = recording_kind(conn, ref)
    return None if kind is None or ref is None else {"kind": kind, "ref": ref}


def _evaluate_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, now: dt.datetime,
                   call_id: int, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    if not is_qa(conn, user, now):
        raise PermissionDenied(f"{user.username} is neither a QA nor on QA duty now")
    call = load_call(conn, call_id)
    form = ensure_starter_scorecard(conn, now=now)
    return render(request, viewer, "quality/evaluate.html", {
        "call_id": call_id, "call": call, "form": form.form, "kinds": ItemKind, "current": {},
        "action": f"/qa/evaluate/{call_id}", "values": values or {}, "errors": errors or {},
        "recording": _recording(conn, call.recording_ref)}, status_code=status_code)


@router.get("/qa/evaluate/{call_id}", response_class=HTMLResponse)
def evaluate_page(request: Request, call_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                  now: ClockDep) -> HTMLResponse:
    return _evaluate_page(request, conn, user, viewer, now, call_id)


@router.post("/qa/evaluate/{call_id}")
def evaluate_submit(request: Request, call_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                    now: ClockDep, values: FormValuesDep) -> Response:
    """Score the call; a bad answer comes back on the form, beside its item, with every answer as typed."""
    form = ensure_starter_scorecard(conn, now=now)
    try:
        answers = answers_from_form(form.form, values)
        stored = score_call(conn, user, call_id, answers, now=now, scorecard=form.form.form_id)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = _answer_errors(exc, viewer.t, form.form)
        return _evaluate_page(request, conn, user, viewer, now, call_id, values=values, errors=errors,
                              status_code=_status(exc))
    return _see_other(f"/qa/evaluations/{stored.evaluation.evaluation_id}")


# --- evaluations (the agent's side) ---------------------------------------------------------------------

def _correct_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, key: str, *,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    file = open_evaluation(conn, user, key)
    ev = file.stored.evaluation
    if ev.decided:
        raise Conflict(f"evaluation {key} is decided; nobody edits it")
    return render(request, viewer, "quality/evaluate.html", {
        "call_id": file.stored.call_pk, "call": file.call, "form": ev.form, "kinds": ItemKind,
        "recording": _recording(conn, file.call.recording_ref), "current": ev.current.answer_map(),
        "action": f"/qa/evaluations/{key}/correct", "values": values or {}, "errors": errors or {}},
        status_code=status_code)


@router.get("/qa/evaluations/{key}/correct", response_class=HTMLResponse)
def correct_page(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    """The evaluating QA's form for a corrected version, filled with the current answers."""
    return _correct_page(request, conn, user, viewer, key)


@router.post("/qa/evaluations/{key}/correct")
def correct_submit(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep,
                   values: FormValuesDep) -> Response:
    stored = open_evaluation(conn, user, key).stored
    try:
        _check_lengths(values, {"reason": 180})
        answers = answers_from_form(stored.evaluation.form, values)
        correct_evaluation(conn, user, key, answers, reason=values.get("reason", ""), now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = _answer_errors(exc, viewer.t, stored.evaluation.form, extra=("reason",))
        return _correct_page(request, conn, user, viewer, key, values=values, errors=errors,
                             status_code=_status(exc))
    return _see_other(f"/qa/evaluations/{key}")


@router.get("/qa/evaluations", response_class=HTMLResponse)
def evaluations_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    agent = None if sees_everything(user) or (user.role is Role.AGENT and agents_see_others(conn)) else (
        user.agent_id or "")
    evaluations = load_evaluations(conn, evaluation_keys(conn, agent=agent, agents=team_scope(conn, user)))
    return render(request, viewer, "quality/evaluations.html", {"evaluations": evaluations,
                                                                "mine_only": agent is not None})


@router.get("/qa/evaluations/{key}", response_class=HTMLResponse)
def evaluation_page(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                    now: ClockDep) -> HTMLResponse:
    return _evaluation_page(request, conn, user, viewer, now, key)


def _evaluation_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, now: dt.datetime,
                     key: str, *, failed: str = "", values: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    """The evaluation; ``failed`` names the form (a note kind or ``appeal``) refused with ``errors``, its
    ``values`` kept as typed."""
    file = open_evaluation(conn, user, key)
    ev = file.stored.evaluation
    is_agent = user.role is Role.AGENT and user.agent_id == ev.agent
    open_appeal_exists = any(a.state.value in ("filed", "under_review") for a in file.appeals)
    may_coach = allowed(user.role, Permission.EVALUATE_CALLS) or allowed(user.role, Permission.HANDLE_APPEALS)
    return render(request, viewer, "quality/evaluation.html", {
        "file": file, "ev": ev, "is_agent": is_agent, "appeal_by": ev.current.created_at + DEFAULT_APPEAL_DEADLINE,
        "may_correct": not ev.decided and user.username == ev.evaluator and is_qa(conn, user, now),
        "may_appeal": is_agent and not ev.decided and not open_appeal_exists, "may_coach": may_coach,
        "recording": _recording(conn, file.call.recording_ref),
        "failed": failed, "values": values or {}, "errors": errors or {}}, status_code=status_code)


@router.post("/qa/evaluations/{key}/note")
def evaluation_note(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep,
                    values: FormValuesDep) -> Response:
    """The agent's acknowledgement or comment, or a coaching note with an optional follow-up day."""
    kind = values.get("kind", "")
    try:
        _check_lengths(values, {"text": 4000, "due": 20})
        if kind in ("acknowledgement", "agent_comment"):
            agent_note(conn, user, key, kind=kind, text=values.get("text", ""), now=now)
        else:
            due_day = parse_date(values.get("due", ""), field="due")
            due_at = None if due_day is None else dt.datetime.combine(due_day, dt.time(23, 59), dt.UTC)
            coach(conn, user, key, text=values.get("text", ""), now=now, due_at=due_at)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = field_errors(exc, viewer.t, ("text", "due", "due_at"))
        if "due_at" in errors:
            errors["due"] = errors.pop("due_at")
        return _evaluation_page(request, conn, user, viewer, now, key, failed=kind or "coaching", values=values,
                                errors=errors, status_code=_status(exc))
    return _see_other(f"/qa/evaluations/{key}")


@router.post("/qa/evaluations/{key}/appeal")
async def evaluation_appeal(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                            now: ClockDep) -> Response:
    data = await request.form()
    items = [str(v)[:200] for v in data.getlist("items")][:100]
    reason = str(data.get("reason", ""))
    try:
        _check_lengths({"reason": reason}, {"reason": 4000})
        appeal = appeal_evaluation(conn, user, key, items=items, reason=reason, now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = field_errors(exc, viewer.t, ("disputed_items", "reason"))
        return _evaluation_page(request, conn, user, viewer, now, key, failed="appeal",
                                values={"items": items, "reason": reason}, errors=errors, status_code=_status(exc))
    return _see_other(f"/qa/appeals/{appeal.appeal_id}")


# --- appeals -----------------------------------------------------------------------------------------

@router.get("/qa/appeals", response_class=HTMLResponse)
def appeals_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    agent = None if allowed(user.role, Permission.HANDLE_APPEALS) else (user.agent_id or "")
    appeals = list_appeals(conn, agent=agent, agents=team_scope(conn, user))
    return render(request, viewer, "quality/appeals.html", {"appeals": appeals})


@router.get("/qa/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal_page(request: Request, appeal_id: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                now: ClockDep) -> HTMLResponse:
    return _appeal_page(request, conn, user, viewer, now, appeal_id)


def _appeal_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, now: dt.datetime,
                 appeal_id: str, *, failed: str = "", values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    """The appeal and its panel; ``failed`` names the step (accept, return, view, decide) refused with
    ``errors``, its ``values`` kept as typed."""
    appeal, file = open_appeal(conn, user, appeal_id)
    role = user.role
    viewed = {v.role for v in appeal.views}
    panel_role = role if role in (Role.MANAGER, Role.TEAM_LEAD) else (Role.QA if is_qa(conn, user, now) else None)
    return render(request, viewer, "quality/appeal.html", {
        "appeal": appeal, "file": file, "ev": file.stored.evaluation, "decisions": [d.value for d in Decision],
        "kinds": ItemKind, "current": {},
        "may_accept": role is Role.TEAM_LEAD and appeal.state.value == "filed",
        "may_view": panel_role is not None and appeal.state.value == "under_review" and panel_role not in viewed,
        "may_decide": role is Role.MANAGER and appeal.state.value == "under_review" and len(viewed) == 3,
        "recording": _recording(conn, file.call.recording_ref), "step": lambda e: appeal_step(e, viewer.t),
        "failed": failed, "values": values or {}, "errors": errors or {}}, status_code=status_code)


def _decision(text: str) -> Decision:
    try:
        return Decision(text)
    except ValueError:
        raise InvalidInput("choose upheld, partly or rejected", field="decision") from None


@router.post("/qa/appeals/{appeal_id}/{step}")
def appeal_step_form(request: Request, appeal_id: str, step: str, conn: ConnDep, user: CurrentUser,
                     viewer: ViewerDep, now: ClockDep, values: FormValuesDep) -> Response:
    """One step of the appeal: the lead accepts it or returns it with a reason, a panel member records a view,
    the manager decides (corrected answers for the disputed items unless rejected). A refused step comes back
    on the appeal page, beside its field, as typed."""
    if step not in ("accept", "return", "view", "decide"):
        raise NotFound(f"no appeal step {step!r}")
    fields: tuple[str, ...] = ()
    scorecard: tuple[Scorecard, set[str]] | None = None
    try:
        _check_lengths(values, {"reason": 4000, "comment": 4000})
        if step == "accept":
            accept(conn, user, appeal_id, now=now)
        elif step == "return":
            fields = ("reason",)
            send_back(conn, user, appeal_id, reason=values.get("reason", ""), now=now)
        elif step == "view":
            fields = ("view", "decision", "comment")
            view = _decision(values.get("view", ""))
            panel_view(conn, user, appeal_id, view=view, comment=values.get("comment", ""), now=now)
        else:
            appeal, file = open_appeal(conn, user, appeal_id)
            form = file.stored.evaluation.form
            fields = ("decision", "comment")
            scorecard = (form, set(appeal.disputed_items))
            decision = _decision(values.get("decision", ""))
            corrected = None
            if decision is not Decision.REJECTED:
                corrected = answers_from_form(form, values, only=set(appeal.disputed_items))
            decide(conn, user, appeal_id, decision=decision, corrected=corrected,
                   comment=values.get("comment", ""), now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = field_errors(exc, viewer.t, fields) if scorecard is None else _answer_errors(
            exc, viewer.t, scorecard[0], only=scorecard[1], extra=fields)
        if step == "view" and "decision" in errors:
            errors["view"] = errors.pop("decision")
        return _appeal_page(request, conn, user, viewer, now, appeal_id, failed=step, values=values,
                            errors=errors, status_code=_status(exc))
    return _see_other(f"/qa/appeals/{appeal_id}")


# --- reports and the library ------------------------------------------------------------------------

@router.get("/qa/reports", response_class=HTMLResponse)
def reports_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    if not allowed(user.role, Permission.VIEW_REPORTS):
        raise PermissionDenied(f"the {user.role.value} role lacks the right view_reports")
    report = qa_report(conn, agents=team_scope(conn, user))
    chart = {"type": "line", "data": {"labels": [d.key for d in report.by_week], "datasets": [
        {"label": viewer.t("qa.mean_score"), "data": [round(d.mean, 1) for d in report.by_week]}]},
        "options": {"maintainAspectRatio": False, "scales": {"y": {"min": 0, "max": 100}}}}
    return render(request, viewer, "quality/reports.html", {"report": report, "chart": chart})


@router.get("/qa/library", response_class=HTMLResponse)
def library_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                 label: AgentLabelDep) -> HTMLResponse:
    return _library_page(request, conn, user, viewer, label)


def _library_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, label: AgentLabelDep, *,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    entries = [(e, dataclasses.replace(call, agent=label(call.agent)))
               for e, call in ((e, load_call(conn, e.call_pk)) for e in library(conn))]
    return render(request, viewer, "quality/library.html", {
        "entries": entries, "may_pick": allowed(user.role, Permission.DECIDE_APPEALS),
        "values": values or {}, "errors": errors or {}}, status_code=status_code)


def _call_id(text: str) -> int:
    number = read_number({"call_id": text}, "call_id")
    if number is None or not number.is_integer() or not 1 <= number < 2**63:
        raise InvalidInput(NOT_A_NUMBER if number is None else f"no call with id {text.strip()}", field="call_id")
    return int(number)


@router.post("/qa/library")
def library_nominate(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep,
                     label: AgentLabelDep, values: FormValuesDep) -> Response:
    """Nominate a call for the library with what makes it good; a bad call number or an empty reason comes back
    on the form, as typed."""
    reason = values.get("reason", "").strip()
    try:
        _check_lengths(values, {"reason": 4000})
        call_id = _call_id(values.get("call_id", ""))
        try:
            load_call(conn, call_id)
        except NotFound as missing:
            raise InvalidInput(str(missing), field="call_id") from None
        if not reason:
            raise InvalidInput("say what makes the call good", field="reason")
        nominate(conn, call_id, nominator=user.username, reason=reason, at=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        return _library_page(request, conn, user, viewer, label, values=values,
                             errors=field_errors(exc, viewer.t, ("call_id", "reason")), status_code=_status(exc))
    return _see_other("/qa/library")


@router.post("/qa/library/{call_id}/{step}")
def library_step(request: Request, call_id: int, step: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                 now: ClockDep, label: AgentLabelDep) -> Response:
    """Vote for a nominated call, or (the supervisor) pick it; a second vote is answered on the library page."""
    if step not in ("vote", "pick"):
        raise NotFound(f"no library step {step!r}")
    if step == "pick" and not allowed(user.role, Permission.DECIDE_APPEALS):
        raise PermissionDenied("only the supervisor picks for the library")
    try:
        if step == "vote":
            vote(conn, call_id, voter=user.username, at=now)
        else:
            pick(conn, call_id, by=user.username, at=now)
    except (Conflict, InvalidInput) as exc:
        conn.rollback()
        return _library_page(request, conn, user, viewer, label, errors=field_errors(exc, viewer.t),
                             status_code=_status(exc))
    return _see_other("/qa/library")


# --- QA duty and the transparency right (scorecard pages: quality_scorecards.py) ---------------------------

@router.get("/qa/settings", response_class=HTMLResponse)
def settings_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    return _settings_page(request, conn, user, viewer)


def _settings_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, *,
                   values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    if not allowed(user.role, Permission.MANAGE_QA):
        raise PermissionDenied(f"the {user.role.value} role lacks the right manage_qa")
    return render(request, viewer, "quality/settings.html", {
        "see_others": agents_see_others(conn), "duty": list_duty(conn),
        "agents": [u.username for u in list_users(conn) if u.role is Role.AGENT],
        "values": values or {}, "errors": errors or {}}, status_code=status_code)


@router.post("/qa/settings/transparency")
def settings_transparency(conn: ConnDep, user: CurrentUser, enabled: Annotated[str, Form()] = "") -> Response:
    set_transparency(conn, user, enabled == "on")
    return _see_other("/qa/settings")


@router.post("/qa/settings/duty")
def settings_duty(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                  values: FormValuesDep) -> Response:
    """Grant QA duty from the first to the last day (inclusive, days in the viewer's zone); a bad day or an
    unknown user comes back on the form, as typed."""
    try:
        _check_lengths(values, {"username": 80, "first_day": 20, "last_day": 20})
        username = values.get("username", "")
        try:
            grant_qa_duty_days(conn, user, username, first_day=values.get("first_day", ""),
                               last_day=values.get("last_day", ""), tz=viewer.tz)
        except NotFound as missing:
            raise InvalidInput(str(missing), field="username") from None
    except FORM_ERRORS as exc:
        conn.rollback()
        return _settings_page(request, conn, user, viewer, values=values,
                              errors=field_errors(exc, viewer.t, ("username", "first_day", "last_day")),
                              status_code=_status(exc))
    return _see_other("/qa/settings")
