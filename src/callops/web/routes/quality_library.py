"""The best-call library page: nominate a call with what makes it good, vote, and (the supervisor) pick."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from callops.errors import Conflict, InvalidInput, NotFound
from callops.permissions import Permission, allowed
from callops.services.qa_library import library_calls, nominate_call, pick_call, vote_for_call
from callops.web.deps import AgentLabelDep, ConnDep, CurrentUser, ViewerDep
from callops.web.form_input import FORM_ERRORS, NOT_A_NUMBER, FormValuesDep, field_errors, read_number
from callops.web.rendering import render
from callops.web.routes._quality_forms import check_lengths, refused_status, see_other
from callops.web.routes._quality_shared import ClockDep
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)


@router.get("/qa/library", response_class=HTMLResponse)
def library_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                 label: AgentLabelDep) -> HTMLResponse:
    return _library_page(request, conn, user, viewer, label)


def _library_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: Viewer, label: AgentLabelDep, *,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    entries = [(entry, dataclasses.replace(call, agent=label(call.agent))) for entry, call in library_calls(conn)]
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
    try:
        check_lengths(values, {"reason": 4000})
        call_id = _call_id(values.get("call_id", ""))
        try:
            nominate_call(conn, user, call_id, reason=values.get("reason", ""), now=now)
        except NotFound as missing:  # the typed number names no call: a bad value of that field
            raise InvalidInput(str(missing), field="call_id") from None
    except FORM_ERRORS as exc:
        conn.rollback()
        return _library_page(request, conn, user, viewer, label, values=values,
                             errors=field_errors(exc, viewer.t, ("call_id", "reason")),
                             status_code=refused_status(exc))
    return see_other("/qa/library")


@router.post("/qa/library/{call_id}/{step}")
def library_step(request: Request, call_id: int, step: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                 now: ClockDep, label: AgentLabelDep) -> Response:
    """Vote for a nominated call, or (the supervisor) pick it; a second vote is answered on the library page."""
    if step not in ("vote", "pick"):
        raise NotFound(f"no library step {step!r}")
    try:
        if step == "vote":
            vote_for_call(conn, user, call_id, now=now)
        else:
            pick_call(conn, user, call_id, now=now)
    except (Conflict, InvalidInput) as exc:
        conn.rollback()
        return _library_page(request, conn, user, viewer, label, errors=field_errors(exc, viewer.t),
                             status_code=refused_status(exc))
    return see_other("/qa/library")
