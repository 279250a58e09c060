"""The appeals queue and an appeal's page: the lead accepts or returns it, the three-party panel records its
views, the supervisor decides (corrected answers for the disputed items unless rejected)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from callops.errors import InvalidInput, NotFound
from callops.quality import Decision, ItemKind, Scorecard
from callops.records import Role
from callops.services.qa_access import is_qa
from callops.services.qa_reviews import accept, decide, open_appeal, panel_view, send_back, visible_appeals
from callops.web.audit_text import appeal_step
from callops.web.deps import ConnDep, CurrentUser, ViewerDep
from callops.web.form_input import FORM_ERRORS, FormValuesDep, field_errors
from callops.web.rendering import render
from callops.web.routes._quality_forms import answer_errors, check_lengths, recording_offer, refused_status, see_other
from callops.web.routes._quality_shared import ClockDep, answers_from_form
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)


@router.get("/qa/appeals", response_class=HTMLResponse)
def appeals_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    return render(request, viewer, "quality/appeals.html", {"appeals": visible_appeals(conn, user)})


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
        "recording": recording_offer(conn, file.call.recording_ref), "step": lambda e: appeal_step(e, viewer.t),
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
        check_lengths(values, {"reason": 4000, "comment": 4000})
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
        errors = field_errors(exc, viewer.t, fields) if scorecard is None else answer_errors(
            exc, viewer.t, scorecard[0], only=scorecard[1], extra=fields)
        if step == "view" and "decision" in errors:
            errors["view"] = errors.pop("decision")
        return _appeal_page(request, conn, user, viewer, now, appeal_id, failed=step, values=values,
                            errors=errors, status_code=refused_status(exc))
    return see_other(f"/qa/appeals/{appeal_id}")
