"""Scoring a call and the evaluation's pages: the QA's form (and its corrected versions), the list, and the
evaluation itself, where the agent acknowledges, comments or appeals and staff coach."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from callops.dates import parse_date
from callops.errors import Conflict
from callops.permissions import Permission, allowed
from callops.quality import DEFAULT_APPEAL_DEADLINE, ItemKind
from callops.records import Role
from callops.services.qa_access import is_qa
from callops.services.qa_reviews import (
    agent_note,
    appeal_evaluation,
    call_to_score,
    coach,
    correct_evaluation,
    open_evaluation,
    score_call,
    scoring_form,
    sees_own_evaluations_only,
    visible_evaluations,
)
from callops.web.deps import ConnDep, CurrentUser, ViewerDep
from callops.web.form_input import FORM_ERRORS, FormValuesDep, field_errors
from callops.web.rendering import render
from callops.web.routes._quality_forms import answer_errors, check_lengths, recording_offer, refused_status, see_other
from callops.web.routes._quality_shared import ClockDep, answers_from_form
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)


# --- scoring and correcting ------------------------------------------------------------------------

def _evaluate_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, now: dt.datetime,
                   call_id: int, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    call = call_to_score(conn, user, call_id, now=now)
    form = scoring_form(conn, now=now)
    return render(request, viewer, "quality/evaluate.html", {
        "call_id": call_id, "call": call, "form": form.form, "kinds": ItemKind, "current": {},
        "action": f"/qa/evaluate/{call_id}", "values": values or {}, "errors": errors or {},
        "recording": recording_offer(conn, call.recording_ref)}, status_code=status_code)


@router.get("/qa/evaluate/{call_id}", response_class=HTMLResponse)
def evaluate_page(request: Request, call_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                  now: ClockDep) -> HTMLResponse:
    return _evaluate_page(request, conn, user, viewer, now, call_id)


@router.post("/qa/evaluate/{call_id}")
def evaluate_submit(request: Request, call_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                    now: ClockDep, values: FormValuesDep) -> Response:
    """Score the call; a bad answer comes back on the form, beside its item, with every answer as typed."""
    form = scoring_form(conn, now=now)
    try:
        answers = answers_from_form(form.form, values)
        stored = score_call(conn, user, call_id, answers, now=now, scorecard=form.form.form_id)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = answer_errors(exc, viewer.t, form.form)
        return _evaluate_page(request, conn, user, viewer, now, call_id, values=values, errors=errors,
                              status_code=refused_status(exc))
    return see_other(f"/qa/evaluations/{stored.evaluation.evaluation_id}")


def _correct_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, key: str, *,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    file = open_evaluation(conn, user, key)
    ev = file.stored.evaluation
    if ev.decided:
        raise Conflict(f"evaluation {key} is decided; nobody edits it")
    return render(request, viewer, "quality/evaluate.html", {
        "call_id": file.stored.call_pk, "call": file.call, "form": ev.form, "kinds": ItemKind,
        "recording": recording_offer(conn, file.call.recording_ref), "current": ev.current.answer_map(),
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
        check_lengths(values, {"reason": 180})
        answers = answers_from_form(stored.evaluation.form, values)
        correct_evaluation(conn, user, key, answers, reason=values.get("reason", ""), now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = answer_errors(exc, viewer.t, stored.evaluation.form, extra=("reason",))
        return _correct_page(request, conn, user, viewer, key, values=values, errors=errors,
                             status_code=refused_status(exc))
    return see_other(f"/qa/evaluations/{key}")


# --- the evaluations (the agent's side) ---------------------------------------------------------------

@router.get("/qa/evaluations", response_class=HTMLResponse)
def evaluations_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    return render(request, viewer, "quality/evaluations.html", {
        "evaluations": visible_evaluations(conn, user), "mine_only": sees_own_evaluations_only(conn, user)})


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
        "recording": recording_offer(conn, file.call.recording_ref),
        "failed": failed, "values": values or {}, "errors": errors or {}}, status_code=status_code)


@router.post("/qa/evaluations/{key}/note")
def evaluation_note(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep,
                    values: FormValuesDep) -> Response:
    """The agent's acknowledgement or comment, or a coaching note with an optional follow-up day."""
    kind = values.get("kind", "")
    try:
        check_lengths(values, {"text": 4000, "due": 20})
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
                                errors=errors, status_code=refused_status(exc))
    return see_other(f"/qa/evaluations/{key}")


@router.post("/qa/evaluations/{key}/appeal")
async def evaluation_appeal(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                            now: ClockDep) -> Response:
    data = await request.form()
    items = [str(v)[:200] for v in data.getlist("items")][:100]
    reason = str(data.get("reason", ""))
    try:
        check_lengths({"reason": reason}, {"reason": 4000})
        appeal = appeal_evaluation(conn, user, key, items=items, reason=reason, now=now)
    except FORM_ERRORS as exc:
        conn.rollback()
        errors = field_errors(exc, viewer.t, ("disputed_items", "reason"))
        return _evaluation_page(request, conn, user, viewer, now, key, failed="appeal",
                                values={"items": items, "reason": reason}, errors=errors,
                                status_code=refused_status(exc))
    return see_other(f"/qa/appeals/{appeal.appeal_id}")
