"""The audit page: every administrative change (who, when, which entity, before -> after), newest first, with
filters by entity, key, actor and date range, 100 a page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from callops.errors import InvalidInput
from callops.permissions import Permission
from callops.services.audit_trail import audit_window
from callops.store.audit_log import ENTITIES, AuditEntry, count_entries, list_entries
from callops.web.deps import ConnDep, User, ViewerDep, require
from callops.web.filters import parse_date
from callops.web.routes._admin_forms import admin_render

router = APIRouter(include_in_schema=False)

Auditor = Annotated[User, require(Permission.VIEW_AUDIT)]
PAGE_SIZE = 100
MAX_PAGE = 10_000


def audit_query(*, entity: str | None, start: str | None, end: str | None, tz: str) -> dict[str, Any]:
    """The filters as ``list_entries`` keywords: the entity checked, the local days as a UTC range."""
    if entity and entity not in ENTITIES:
        raise InvalidInput(f"{entity!r} is not one of {', '.join(ENTITIES)}", field="entity")
    since, until = audit_window(parse_date(start, field="from"), parse_date(end, field="to"), tz)
    return {"entity": entity or None, "since": since, "until": until}


def entry_json(entry: AuditEntry, tz: dt.tzinfo) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.astimezone(tz).isoformat(), "actor": entry.actor, "entity": entry.entity,
            "key": entry.key, "action": entry.action, "before": entry.before, "after": entry.after,
            "changes": [{"field": f, "before": b, "after": a} for f, b, a in entry.changes()]}


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, conn: ConnDep, user: Auditor, viewer: ViewerDep, entity: str = "",
               key: str = "", actor: str = "", page: int = 1) -> HTMLResponse:
    params = request.query_params
    filters = {"entity": entity, "key": key, "actor": actor, "from": params.get("from", ""),
               "to": params.get("to", "")}
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"page {page} is outside 1-{MAX_PAGE}", field="page")
    query = audit_query(entity=entity, start=params.get("from"), end=params.get("to"), tz=viewer.tz.key)
    query.update(key=key.strip()[:120] or None, actor=actor.strip()[:80] or None)
    total = count_entries(conn, **query)
    entries = list_entries(conn, **query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return admin_render(request, viewer, "admin/audit.html", {
        "entries": entries, "filters": filters, "entities": ENTITIES, "total": total, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)), "section": "audit"})
