"""Callbacks (回访) and the customer timeline: the store's read and write side for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.desk import CallbackSource, CallbackStatus, MissedCall, PlannedCallback
from callops.errors import NotFound
from callops.store.schema import callbacks, calls, customer_phones, customers, tickets

__all__ = ["Callback", "add_callback", "add_planned_callbacks", "missed_calls", "answered_times", "list_callbacks",
           "get_callback", "set_callback_attempt", "Customer", "get_customer", "customer_of_phone",
           "TimelineItem", "customer_timeline", "MAX_TIMELINE"]

MAX_TIMELINE = 200


@dataclass(frozen=True, slots=True)
class Callback:
    id: int
    customer_id: int | None
    phone: str
    ticket_id: int | None
    call_id: int | None
    source: CallbackSource
    due_at: dt.datetime
    owner: str | None
    status: CallbackStatus
    attempts: int
    outcome: str | None
    created_at: dt.datetime
    done_at: dt.datetime | None


def _callback(row: sa.Row[Any]) -> Callback:
    m = row._mapping
    return Callback(int(m["id"]), m["customer_id"], m["phone"], m["ticket_id"], m["call_id"],
                    CallbackSource(m["source"]), m["due_at"], m["owner"], CallbackStatus(m["status"]),
                    int(m["attempts"]), m["outcome"], m["created_at"], m["done_at"])


def add_callback(conn: sa.Connection, *, phone: str, customer_id: int | None, source: CallbackSource,
                 due_at: dt.datetime, now: dt.datetime, owner: str | None = None, ticket_id: int | None = None,
                 call_id: int | None = None) -> int:
    result = conn.execute(callbacks.insert().returning(callbacks.c.id).values(
        customer_id=customer_id, phone=phone, ticket_id=ticket_id, call_id=call_id, source=source.value,
        due_at=due_at, owner=owner, status=CallbackStatus.OPEN.value, attempts=0, outcome=None, created_at=now,
        done_at=None))
    return int(result.scalar_one())


def add_planned_callbacks(conn: sa.Connection, planned: Sequence[PlannedCallback], customers_by_phone: dict[str, int],
                          *, now: dt.datetime) -> int:
    """Insert callbacks for missed calls not planned before (one per call: ``(source, call_id)`` is unique)."""
    if not planned:
        return 0
    known = set(conn.execute(sa.select(callbacks.c.call_id).where(
        callbacks.c.call_id.in_([p.call_id for p in planned]))).scalars())
    new = [p for p in planned if p.call_id not in known]
    if new:
        conn.execute(callbacks.insert(), [
            {"customer_id": customers_by_phone.get(p.phone), "phone": p.phone, "ticket_id": None,
             "call_id": p.call_id, "source": p.source.value, "due_at": p.due_at, "owner": None,
             "status": CallbackStatus.OPEN.value, "attempts": 0, "outcome": None, "created_at": now,
             "done_at": None} for p in new])
    return len(new)


def missed_calls(conn: sa.Connection, *, since: dt.datetime, until: dt.datetime) -> list[MissedCall]:
    """Real inbound calls with a caller number, abandoned or asking for an IVR callback, in ``[since, until)``."""
    c = calls.c
    query = (sa.select(c.id, c.caller_number, c.started_at, c.outcome)
             .where(c.scenario.is_(None), c.direction == "inbound", c.outcome.in_(("abandoned", "callback")),
                    c.caller_number.is_not(None), c.started_at >= since, c.started_at < until))
    return [MissedCall(int(r.id), r.caller_number, r.started_at, r.outcome == "callback") for r in conn.execute(query)]


def answered_times(conn: sa.Connection, phones: Sequence[str], *, since: dt.datetime) -> dict[str, list[dt.datetime]]:
    """When each number's inbound calls since ``since`` were answered."""
    out: dict[str, list[dt.datetime]] = {}
    c = calls.c
    for i in range(0, len(phones), 900):
        query = (sa.select(c.caller_number, c.started_at)
                 .where(c.scenario.is_(None), c.direction == "inbound", c.outcome.in_(("answered", "transferred")),
                        c.caller_number.in_(phones[i:i + 900]), c.started_at >= since))
        for phone, at in conn.execute(query):
            out.setdefault(phone, []).append(at)
    return out


def list_callbacks(conn: sa.Connection, *, status: CallbackStatus | None = CallbackStatus.OPEN,
                   scope: frozenset[str] | None = None, due_before: dt.datetime | None = None,
                   customer_id: int | None = None, limit: int = 100) -> list[Callback]:
    """Callbacks by due time (earliest first); with ``scope``, those owned by its agents or by nobody."""
    b = callbacks.c
    query = sa.select(callbacks)
    if status is not None:
        query = query.where(b.status == status.value)
    if scope is not None:
        query = query.where(sa.or_(b.owner.is_(None), b.owner.in_(sorted(scope))) if scope else b.owner.is_(None))
    if due_before is not None:
        query = query.where(b.due_at < due_before)
    if customer_id is not None:
        query = query.where(b.customer_id == customer_id)
    return [_callback(r) for r in conn.execute(query.order_by(b.due_at, b.id).limit(limit))]


def get_callback(conn: sa.Connection, callback_id: int) -> Callback:
    row = conn.execute(sa.select(callbacks).where(callbacks.c.id == callback_id)).first()
    if row is None:
        raise NotFound(f"no callback {callback_id}")
    return _callback(row)


def set_callback_attempt(conn: sa.Connection, callback_id: int, *, status: CallbackStatus, outcome: str,
                         attempts: int, now: dt.datetime, owner: str | None) -> None:
    conn.execute(callbacks.update().where(callbacks.c.id == callback_id).values(
        status=status.value, outcome=outcome, attempts=attempts, owner=owner,
        done_at=None if status is CallbackStatus.OPEN else now))


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    name: str | None
    notes: str | None
    phones: tuple[str, ...]


def get_customer(conn: sa.Connection, customer_id: int) -> Customer:
    row = conn.execute(sa.select(customers).where(customers.c.id == customer_id)).first()
    if row is None:
        raise NotFound(f"no customer {customer_id}")
    phones = tuple(conn.execute(sa.select(customer_phones.c.phone).where(
        customer_phones.c.customer_id == customer_id).order_by(customer_phones.c.phone)).scalars())
    return Customer(int(row.id), row.name, row.notes, phones)


def customer_of_phone(conn: sa.Connection, phone: str) -> int | None:
    return conn.execute(sa.select(customer_phones.c.customer_id).where(
        customer_phones.c.phone == phone)).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: dt.datetime
    kind: str  # call, ticket, callback
    ref: str
    summary: dict[str, Any]


def customer_timeline(conn: sa.Connection, customer: Customer, *, limit: int = 50) -> list[TimelineItem]:
    """The customer's calls (by any of their numbers), tickets and callbacks, newest first, at most ``limit`` of
    each kind before merging; served by the (caller_number, started_at), (customer_id, opened_at) and
    (customer_id, due_at) indexes."""
    limit = min(limit, MAX_TIMELINE)
    items: list[TimelineItem] = []
    c = calls.c
    if customer.phones:
        query = (sa.select(c.id, c.started_at, c.direction, c.outcome, c.queue, c.agent, c.talk_s, c.issue_category,
                           c.issue_resolved, c.csat)
                 .where(c.scenario.is_(None), c.caller_number.in_(customer.phones))
                 .order_by(c.started_at.desc()).limit(limit))
        for r in conn.execute(query):
            items.append(TimelineItem(r.started_at, "call", str(r.id), {
                "direction": r.direction, "outcome": r.outcome, "queue": r.queue, "agent": r.agent,
                "talk_s": r.talk_s, "category": r.issue_category, "resolved": r.issue_resolved, "csat": r.csat}))
    t = tickets.c
    ticket_query = (sa.select(t.id, t.ref, t.opened_at, t.category, t.state, t.owner, t.escalated, t.subject)
             .where(t.customer_id == customer.id).order_by(t.opened_at.desc()).limit(limit))
    for tr in conn.execute(ticket_query):
        items.append(TimelineItem(tr.opened_at, "ticket", tr.ref, {
            "id": int(tr.id), "category": tr.category, "state": tr.state, "owner": tr.owner,
            "escalated": tr.escalated, "subject": tr.subject}))
    b = callbacks.c
    callback_query = (sa.select(b.id, b.due_at, b.source, b.status, b.owner, b.attempts, b.outcome)
             .where(b.customer_id == customer.id).order_by(b.due_at.desc()).limit(limit))
    for br in conn.execute(callback_query):
        items.append(TimelineItem(br.due_at, "callback", str(br.id), {
            "source": br.source, "status": br.status, "owner": br.owner, "attempts": br.attempts,
            "outcome": br.outcome}))
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]
