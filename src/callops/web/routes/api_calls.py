"""API: calls, filtered and paged by cursor, and one call."""

from __future__ import annotations

from fastapi import APIRouter

from callops.store.records import bounded_count, get_call
from callops.web.access import check_call_visible, scope_filter
from callops.web.call_pages import page_calls
from callops.web.deps import ConnDep, CurrentUser, ViewerDep
from callops.web.filters import CallQueryDep, PagingDep
from callops.web.schemas import CallOut, CallPageOut

router = APIRouter(prefix="/api", tags=["calls"])


@router.get("/calls", response_model=CallPageOut)
def api_calls(conn: ConnDep, user: CurrentUser, viewer: ViewerDep, query: CallQueryDep,
              paging: PagingDep) -> CallPageOut:
    """Calls newest first. Dates are days in your zone; ``count`` stops at 1000 (``count_is_lower_bound``).

    Agents see only their own calls; caller numbers are masked without the view_pii right.
    """
    flt = scope_filter(conn, user, query.to_filter(viewer.tz))
    page = page_calls(conn, flt, paging)
    count, more = bounded_count(conn, flt)
    return CallPageOut(items=[CallOut.of(i, c, user) for i, c in page.rows], next_cursor=page.next_cursor,
                       prev_cursor=page.prev_cursor, count=count, count_is_lower_bound=more)


@router.get("/calls/{call_id}", response_model=CallOut)
def api_call(call_id: int, conn: ConnDep, user: CurrentUser) -> CallOut:
    """One call by its id."""
    call = get_call(conn, call_id)
    check_call_visible(conn, user, call)
    return CallOut.of(call_id, call, user)
