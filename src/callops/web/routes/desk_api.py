"""API of the service desk: tickets as JSON (``POST /api/tickets``, ``PATCH /api/tickets/{id}``,
``GET /api/tickets?state=&category=``, ``GET /api/tickets/{id}`` with its history).

Bearer tokens or cookie sessions (these need the CSRF token on POST/PATCH, like every unsafe request); rights
from ``callops.permissions`` (``work_tickets``, ``view_all_tickets``) through ``services.desk.desk_scope``.
Customer phone numbers are masked without ``view_pii``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from callops.desk import Category, Priority, TicketState, parse_choice
from callops.permissions import Permission, allowed
from callops.services.desk import (
    MAX_PAGE,
    NewTicket,
    TicketChange,
    TicketFilter,
    change_ticket,
    desk_scope,
    open_ticket,
    ticket_page,
    visible_ticket,
)
from callops.services.desk_catalog import resolve_category
from callops.store.desk import Ticket, ticket_events_of
from callops.web.deps import ConnDep, CurrentUser, NowDep, User
from callops.web.masking import mask_number

router = APIRouter(prefix="/api/tickets", tags=["desk"])


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(max_length=40)
    phone: str | None = Field(default=None, max_length=40)
    priority: str = Field(default="normal", max_length=10)
    subject: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=4000)
    owner: str | None = Field(default=None, max_length=80)
    team: str | None = Field(default=None, max_length=80)
    department: str | None = Field(default=None, max_length=80)
    wants_escalation: bool = False
    resolved: bool = False


class TicketPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str | None = Field(default=None, max_length=40)
    owner: str | None = Field(default=None, max_length=80)
    priority: str | None = Field(default=None, max_length=10)
    category: str | None = Field(default=None, max_length=40)
    department: str | None = Field(default=None, max_length=80)
    note: str | None = Field(default=None, max_length=4000)
    wants_escalation: bool | None = None
    contact: bool = False


class TicketOut(BaseModel):
    id: int
    ref: str
    customer_id: int | None
    phone: str | None
    phone_masked: bool
    category: str
    priority: str
    state: str
    owner: str | None
    team: str | None
    department: str | None
    subject: str
    opened_at: str
    first_response_at: str | None
    response_due_at: str | None
    resolution_due_at: str | None
    resolved_at: str | None
    closed_at: str | None
    escalated: bool
    escalation_level: int
    wants_escalation: bool
    contacts: int
    updated_at: str
    category_key: str | None = None  # the node of the category tree (category is its kind)


class EventOut(BaseModel):
    at: str
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


class TicketDetailOut(TicketOut):
    events: list[EventOut]


def _out(ticket: Ticket, user: User) -> dict[str, Any]:
    data = ticket.as_dict()
    pii = allowed(user.role, Permission.VIEW_PII)
    data["phone_masked"] = not pii and ticket.phone is not None
    if data["phone_masked"]:
        data["phone"] = mask_number(ticket.phone)
    return data


@router.get("", response_model=list[TicketOut])
def api_tickets(conn: ConnDep, user: CurrentUser, state: Annotated[str | None, Query(max_length=40)] = None,
                category: Annotated[str | None, Query(max_length=40)] = None,
                owner: Annotated[str | None, Query(max_length=80)] = None,
                escalated: bool | None = None,
                limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> list[TicketOut]:
    """The newest tickets this user may see, filtered by state, category, owner and escalation."""
    flt = TicketFilter.from_text(state=state, category=category, owner=owner, escalated=escalated)
    page = ticket_page(conn, flt, limit=limit, scope=desk_scope(conn, user))
    return [TicketOut(**_out(t, user)) for t in page]


@router.post("", response_model=TicketOut, status_code=201)
def api_open_ticket(body: TicketIn, conn: ConnDep, user: CurrentUser, now: NowDep) -> TicketOut:
    """Open a ticket (work_tickets): SLA due times from its category, escalated when the rules say so."""
    kind, key = resolve_category(conn, body.category)
    new = NewTicket(category=kind, category_key=key, phone=body.phone,
                    priority=parse_choice(Priority, body.priority, field="priority"), subject=body.subject,
                    notes=body.notes, owner=body.owner, team=body.team, department=body.department,
                    wants_escalation=body.wants_escalation, resolved=body.resolved)
    return TicketOut(**_out(open_ticket(conn, user, new, now=now), user))


@router.get("/{ticket_id}", response_model=TicketDetailOut)
def api_ticket(ticket_id: int, conn: ConnDep, user: CurrentUser) -> TicketDetailOut:
    """One ticket with its history (every change: who, when, what)."""
    ticket = visible_ticket(conn, user, ticket_id)
    events = [EventOut(at=e.at.isoformat(), actor=e.actor, kind=e.kind, from_state=e.from_state,
                       to_state=e.to_state, detail=e.detail) for e in ticket_events_of(conn, ticket_id)]
    return TicketDetailOut(**_out(ticket, user), events=events)


@router.patch("/{ticket_id}", response_model=TicketOut)
def api_change_ticket(ticket_id: int, body: TicketPatch, conn: ConnDep, user: CurrentUser,
                      now: NowDep) -> TicketOut:
    """Move or update a ticket: an illegal move answers 400 naming both states; every change is audited."""
    change = TicketChange(
        state=parse_choice(TicketState, body.state, field="state") if body.state else None, owner=body.owner,
        priority=parse_choice(Priority, body.priority, field="priority") if body.priority else None,
        category=parse_choice(Category, body.category, field="category") if body.category else None,
        department=body.department, note=body.note, wants_escalation=body.wants_escalation, contact=body.contact)
    return TicketOut(**_out(change_ticket(conn, user, ticket_id, change, now=now), user))
