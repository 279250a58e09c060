"""The Calls page (filters, keyset paging) and the call detail page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from callops.errors import InvalidInput
from callops.metrics.call_sets import CallSet
from callops.permissions import Permission, allowed
from callops.records import Outcome
from callops.services.agent_directory import call_filter_choices
from callops.services.qa_access import is_qa
from callops.store.records import bounded_count, get_call
from callops.web.access import check_call_visible, scope_filter, shown_number
from callops.web.call_pages import CallPage, page_calls
from callops.web.deps import ConnDep, CurrentUser, ViewerDep
from callops.web.filters import CallQueryDep, PagingDep
from callops.web.form_input import field_errors
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.routes._quality_shared import ClockDep

router = APIRouter(include_in_schema=False)

CALL_FILTERS = ("from", "to", "queue", "agent", "outcome", "call_type", "kpi", "sl_threshold")
# the message keys of the drill-down filters' errors (their reasons are raised in English at the edge)
_FILTER_MESSAGES = {"kpi": "reports.calls.bad_kpi", "sl_threshold": "reports.calls.bad_threshold"}

NAV = (NavItem("nav.calls", "/calls", order=10, description_key="home.card_calls"),)


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, query: CallQueryDep,
               paging: PagingDep) -> HTMLResponse:
    errors: dict[str, str] = {}
    try:
        flt = scope_filter(conn, user, query.to_filter(viewer.tz))
    except InvalidInput as exc:  # a bad filter answers on the filter form, what was typed kept
        errors = field_errors(exc, viewer.t, CALL_FILTERS)
        errors.update({name: viewer.t(key) for name, key in _FILTER_MESSAGES.items() if name in errors})
        flt = None
    page = page_calls(conn, flt, paging) if flt is not None else CallPage(rows=[], next_cursor=None, prev_cursor=None)
    count, more = bounded_count(conn, flt) if flt is not None else (0, False)
    sees_all = allowed(user.role, Permission.VIEW_ALL_CALLS)
    choices = call_filter_choices(conn, flt, sees_all=sees_all)

    def link(cursor: str | None, direction: str) -> str | None:
        if cursor is None:
            return None
        extra = {"limit": str(paging.limit)} if paging.limit != 50 else {}
        return "/calls?" + urlencode({**query.params(), **extra, "cursor": cursor, "dir": direction})

    return render(request, viewer, "calls.html", {
        "query": query, "page": page, "count": count, "more": more, "sees_all": sees_all,
        "queues": choices.queues, "agents": choices.agents,
        "outcomes": [o.value for o in Outcome], "number": lambda n: shown_number(user, n),
        "next_link": link(page.next_cursor, "next"), "prev_link": link(page.prev_cursor, "prev"),
        "first_page": paging.cursor is None, "errors": errors, "call_sets": [c.value for c in CallSet],
        "typed_moment": lambda value: bool(value) and len(value) != 10,
    }, status_code=400 if errors else 200)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, call_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
              now: ClockDep) -> HTMLResponse:
    call = get_call(conn, call_id)
    check_call_visible(conn, user, call)
    # a QA (or an agent on QA duty) may score a call that reached an agent other than themselves
    may_evaluate = bool(call.agent) and call.agent != user.agent_id and is_qa(conn, user, now)
    return render(request, viewer, "call.html", {"call_id": call_id, "call": call, "may_evaluate": may_evaluate,
                                                 "caller": shown_number(user, call.caller_number)})
