"""API of the service desk beyond tickets: callbacks (``GET /api/callbacks``, ``POST
/api/callbacks/{id}/attempts``) and a customer's card with timeline (``GET /api/customers/{id}``). Rights as
the desk pages (``work_tickets``); numbers, names and notes masked without ``view_pii``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from callops.desk import AttemptOutcome, parse_choice
from callops.permissions import Permission, allowed
from callops.services.desk import desk_scope
from callops.services.desk_callbacks import due_callbacks, record_attempt
from callops.store.desk_callbacks import Callback, customer_timeline, get_customer
from callops.web.access import shown_number
from callops.web.deps import ConnDep, CurrentUser, NowDep, User

router = APIRouter(prefix="/api", tags=["desk"])


class CallbackOut(BaseModel):
    id: int
    customer_id: int | None
    phone: str | None
    ticket_id: int | None
    source: str
    due_at: str
    overdue: bool
    owner: str | None
    status: str
    attempts: int
    outcome: str | None


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(max_length=20)


class TimelineOut(BaseModel):
    at: str
    kind: str
    ref: str
    summary: dict[str, Any]


class CustomerOut(BaseModel):
    id: int
    name: str | None
    notes: str | None
    phones: list[str | None]
    timeline: list[TimelineOut]


def _callback_out(c: Callback, user: User, now: Any) -> CallbackOut:
    return CallbackOut(id=c.id, customer_id=c.customer_id, phone=shown_number(user, c.phone), ticket_id=c.ticket_id,
                       source=c.source.value, due_at=c.due_at.isoformat(), overdue=c.due_at < now, owner=c.owner,
                       status=c.status.value, attempts=c.attempts, outcome=c.outcome)


@router.get("/callbacks", response_model=list[CallbackOut])
def api_callbacks(conn: ConnDep, user: CurrentUser, now: NowDep, overdue: bool = False,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[CallbackOut]:
    """Open callbacks this user may work, earliest due first (``overdue=true``: only those past due)."""
    return [_callback_out(c, user, now) for c in due_callbacks(conn, user, now=now, overdue_only=overdue,
                                                                limit=limit)]


@router.post("/callbacks/{callback_id}/attempts", response_model=CallbackOut)
def api_callback_attempt(callback_id: int, body: AttemptIn, conn: ConnDep, user: CurrentUser,
                         now: NowDep) -> CallbackOut:
    """One attempt: reached closes it; no answer or busy keeps it open up to 3 attempts; a wrong number fails it."""
    outcome = parse_choice(AttemptOutcome, body.outcome, field="outcome")
    return _callback_out(record_attempt(conn, user, callback_id, outcome, now=now), user, now)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def api_customer(customer_id: int, conn: ConnDep, user: CurrentUser,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> CustomerOut:
    """The customer (name and notes only with view_pii) and their timeline of calls, tickets and callbacks."""
    desk_scope(conn, user)
    customer = get_customer(conn, customer_id)
    pii = allowed(user.role, Permission.VIEW_PII)
    items = customer_timeline(conn, customer, limit=limit)
    return CustomerOut(id=customer.id, name=customer.name if pii else None, notes=customer.notes if pii else None,
                       phones=[shown_number(user, p) for p in customer.phones],
                       timeline=[TimelineOut(at=i.at.isoformat(), kind=i.kind, ref=i.ref, summary=i.summary)
                                 for i in items])
