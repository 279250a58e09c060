"""The service desk's tables: customers and their phone numbers, tickets with every change in ``ticket_events``,
callbacks. Store functions write inside the caller's transaction (they never commit) and return dataclasses."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.desk import Category, Priority, TicketRow, TicketState
from callops.errors import NotFound
from callops.store.imports import finish_import, lock_for_writing, start_import
from callops.store.schema import customer_phones, customers, ticket_events, tickets

__all__ = ["Ticket", "TicketImport", "customers_for_phones", "import_tickets", "get_ticket", "ticket_row",
           "insert_ticket", "update_ticket", "add_event", "ticket_events_of", "TicketEvent", "list_tickets",
           "open_complaints_past_due"]

_CHUNK = 900  # values per IN (...): below SQLite's variable limit


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    ref: str
    customer_id: int | None
    phone: str | None
    category: Category
    priority: Priority
    state: TicketState
    owner: str | None
    team: str | None
    department: str | None
    subject: str
    opened_at: dt.datetime
    first_response_at: dt.datetime | None
    response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalated: bool
    escalation_level: int
    wants_escalation: bool
    contacts: int
    updated_at: dt.datetime
    category_key: str | None = None  # the node of the category tree; None: filed under the kind itself

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: datetimes as ISO UTC."""
        out: dict[str, object] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, dt.datetime) else value
        return out


@dataclass(frozen=True, slots=True)
class TicketEvent:
    at: dt.datetime
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TicketImport:
    inserted: int
    duplicates: int


def ticket_row(row: sa.Row[Any]) -> Ticket:
    m = row._mapping
    return Ticket(
        id=int(m["id"]), ref=m["ref"], customer_id=m["customer_id"], phone=m["phone"],
        category=Category(m["category"]), priority=Priority(m["priority"]), state=TicketState(m["state"]),
        owner=m["owner"], team=m["team"], department=m["department"], subject=m["subject"],
        opened_at=m["opened_at"], first_response_at=m["first_response_at"], response_due_at=m["response_due_at"],
        resolution_due_at=m["resolution_due_at"], resolved_at=m["resolved_at"], closed_at=m["closed_at"],
        escalated=bool(m["escalated"]), escalation_level=int(m["escalation_level"]),
        wants_escalation=bool(m["wants_escalation"]), contacts=int(m["contacts"]), updated_at=m["updated_at"],
        category_key=m["category_key"])


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


def customers_for_phones(conn: sa.Connection, phones: Iterable[str], *, now: dt.datetime) -> dict[str, int]:
    """The customer of each E.164 number; a number nobody has yet gets a new customer of its own."""
    wanted = sorted(set(phones))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        query = sa.select(customer_phones.c.phone, customer_phones.c.customer_id).where(
            customer_phones.c.phone.in_(chunk))
        found.update({phone: int(cid) for phone, cid in conn.execute(query)})
    missing = [p for p in wanted if p not in found]
    if missing:
        result = conn.execute(customers.insert().returning(customers.c.id, sort_by_parameter_order=True),
                              [{"created_at": now} for _ in missing])
        ids = [int(r[0]) for r in result]
        conn.execute(customer_phones.insert(), [{"phone": p, "customer_id": cid, "added_at": now}
                                                for p, cid in zip(missing, ids, strict=True)])
        found.update(zip(missing, ids, strict=True))
    return found


def _existing_refs(conn: sa.Connection, refs: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(refs):
        out.update(conn.execute(sa.select(tickets.c.ref).where(tickets.c.ref.in_(chunk))).scalars())
    return out


def import_tickets(conn: sa.Connection, rows: Sequence[TicketRow], *, file: str, now: dt.datetime) -> TicketImport:
    """Insert the rows whose ticket key is new (a repeated import adds nothing), each with an ``imported`` event,
    all in the caller's transaction."""
    lock_for_writing(conn)
    import_id = start_import(conn, "tickets", [file])
    known = _existing_refs(conn, [r.ref for r in rows])
    new = [r for r in rows if r.ref not in known]
    owners = customers_for_phones(conn, (r.phone for r in new if r.phone), now=now)
    if new:
        values = [{"ref": r.ref, "customer_id": owners.get(r.phone) if r.phone else None, "phone": r.phone,
                   "category": r.category.value, "priority": Priority.NORMAL.value,
                   "state": (TicketState.RESOLVED if r.resolved_at else TicketState.NEW).value, "owner": None,
                   "team": None, "department": None, "subject": "", "opened_at": r.opened_at,
                   "first_response_at": None, "response_due_at": None, "resolution_due_at": None,
                   "resolved_at": r.resolved_at, "closed_at": None, "escalated": r.escalated,
                   "escalation_level": 1 if r.escalated else 0, "wants_escalation": False,
                   "contacts": r.contacts, "updated_at": now, "import_id": import_id} for r in new]
        result = conn.execute(tickets.insert().returning(tickets.c.id, sort_by_parameter_order=True), values)
        conn.execute(ticket_events.insert(), [
            {"ticket_id": int(tid), "at": now, "actor": "import", "kind": "imported", "from_state": None,
             "to_state": v["state"], "detail": {"file": file, "line": r.line}}
            for (tid,), v, r in zip(result, values, new, strict=True)])
    finish_import(conn, import_id, inserted=len(new), duplicates=len(rows) - len(new), rejected=0, skipped=0)
    return TicketImport(inserted=len(new), duplicates=len(rows) - len(new))


def get_ticket(conn: sa.Connection, ticket_id: int, *, for_update: bool = False) -> Ticket:
    """The ticket ``ticket_id`` (locked for the transaction with ``for_update`` where the database can)."""
    query = sa.select(tickets).where(tickets.c.id == ticket_id)
    if for_update and conn.dialect.name != "sqlite":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no ticket {ticket_id}")
    return ticket_row(row)


def insert_ticket(conn: sa.Connection, values: dict[str, Any]) -> int:
    """A new ticket from ``values`` (every column but id and ref; ref defaults to ``T<id>``)."""
    provisional = values.get("ref") or f"new-{uuid.uuid4().hex}"  # renamed T<id> below, in this transaction
    result = conn.execute(tickets.insert().returning(tickets.c.id).values({**values, "ref": provisional}))
    ticket_id = int(result.scalar_one())
    if not values.get("ref"):
        conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(ref=f"T{ticket_id}"))
    return ticket_id


def update_ticket(conn: sa.Connection, ticket_id: int, values: dict[str, Any]) -> None:
    conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(values))


def add_event(conn: sa.Connection, ticket_id: int, *, at: dt.datetime, actor: str, kind: str,
              from_state: str | None = None, to_state: str | None = None, detail: dict[str, Any] | None = None) -> None:
    conn.execute(ticket_events.insert().values(ticket_id=ticket_id, at=at, actor=actor, kind=kind,
                                               from_state=from_state, to_state=to_state, detail=detail or {}))


def ticket_events_of(conn: sa.Connection, ticket_id: int) -> list[TicketEvent]:
    """The ticket's history, oldest first."""
    e = ticket_events.c
    query = sa.select(e.at, e.actor, e.kind, e.from_state, e.to_state, e.detail).where(
        e.ticket_id == ticket_id).order_by(e.at, e.id)
    return [TicketEvent(r.at, r.actor, r.kind, r.from_state, r.to_state, dict(r.detail)) for r in conn.execute(query)]


def list_tickets(conn: sa.Connection, *, state: TicketState | None = None, category: Category | None = None,
                 owner: str | None = None, customer_id: int | None = None, escalated: bool | None = None,
                 limit: int = 50, scope: frozenset[str] | None = None) -> list[Ticket]:
    """Tickets newest first (by opened_at, then id) matching every given filter; with ``scope``, only those
    owned by one of its agents or unassigned. Served by the (state|category|customer_id, opened_at) indexes."""
    t = tickets.c
    query = sa.select(tickets)
    if state is not None:
        query = query.where(t.state == state.value)
    if category is not None:
        query = query.where(t.category == category.value)
    if owner is not None:
        query = query.where(t.owner == owner)
    if customer_id is not None:
        query = query.where(t.customer_id == customer_id)
    if escalated is not None:
        query = query.where(t.escalated == escalated)
    if scope is not None:
        query = query.where(sa.or_(t.owner.is_(None), t.owner.in_(sorted(scope))) if scope else t.owner.is_(None))
    query = query.order_by(t.opened_at.desc(), t.id.desc()).limit(limit)
    return [ticket_row(r) for r in conn.execute(query)]


def open_complaints_past_due(conn: sa.Connection, *, now: dt.datetime, limit: int) -> list[Ticket]:
    """Open complaints whose resolution is due before ``now`` and not yet escalated to the top level, oldest due
    first, at most ``limit``."""
    t = tickets.c
    open_states = [s.value for s in TicketState if s not in {TicketState.RESOLVED, TicketState.CLOSED}]
    query = (sa.select(tickets).where(t.category == Category.COMPLAINT.value, t.state.in_(open_states),
                                      t.resolution_due_at < now, t.escalation_level < 2)
             .order_by(t.resolution_due_at, t.id).limit(limit))
    return [ticket_row(r) for r in conn.execute(query)]
