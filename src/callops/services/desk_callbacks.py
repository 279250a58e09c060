"""Callbacks (回访) and the agent's contact form: plan callbacks for missed calls, list what is due, record
attempts; save a contact (resolved at once, a ticket opened or updated, a callback set). Rights and scope as
in :mod:`callops.services.desk`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.desk import (
    AttemptOutcome,
    CallbackSource,
    CallbackStatus,
    Category,
    after_attempt,
    plan_missed_callbacks,
)
from callops.dialer.phones import PhoneError, normalise_phone
from callops.errors import InvalidInput, PermissionDenied
from callops.permissions import Permission, allowed
from callops.services.desk import (
    DEFAULT_RULES,
    DeskRules,
    NewTicket,
    TicketChange,
    change_ticket,
    desk_scope,
    open_ticket,
)
from callops.store.desk import Ticket, customers_for_phones
from callops.store.desk_callbacks import (
    Callback,
    Customer,
    TimelineItem,
    add_callback,
    add_planned_callbacks,
    answered_times,
    customer_of_phone,
    customer_timeline,
    get_callback,
    get_customer,
    list_callbacks,
    missed_calls,
    set_callback_attempt,
)
from callops.store.desk_catalog import call_ended_at, insert_contact, record_form_acw
from callops.store.desk_customers import link_phone, set_customer_details
from callops.store.desk_pop import LiveCaller, current_caller
from callops.store.users import User

__all__ = ["plan_callbacks", "due_callbacks", "record_attempt", "ContactForm", "ContactSaved", "save_contact",
           "MAX_LOOKBACK_H", "link_customer_phone", "edit_customer",
           "CallerCard", "caller_card"]

MAX_LOOKBACK_H = 7 * 24
ACW_LOOKBACK = dt.timedelta(hours=1)  # a call that ended longer ago than this before the save measures no ACW


def plan_callbacks(conn: sa.Connection, *, now: dt.datetime, within_min: float = 30,
                   lookback_h: float = 24) -> int:
    """Callbacks for the missed calls (abandoned, IVR callback requests) of the last ``lookback_h`` hours whose
    callers did not get through since; re-planning adds none twice. Returns how many were added."""
    if not 0 < lookback_h <= MAX_LOOKBACK_H:
        raise InvalidInput(f"lookback must be between 0 and {MAX_LOOKBACK_H} hours", field="lookback_h")
    since = now - dt.timedelta(hours=lookback_h)
    missed = missed_calls(conn, since=since, until=now)
    answered = answered_times(conn, sorted({m.phone for m in missed}), since=since)
    planned = plan_missed_callbacks(missed, answered, within_min=within_min)
    owners = customers_for_phones(conn, [p.phone for p in planned], now=now)
    return add_planned_callbacks(conn, planned, owners, now=now)


def due_callbacks(conn: sa.Connection, user: User, *, now: dt.datetime, overdue_only: bool = False,
                  limit: int = 100) -> list[Callback]:
    """Open callbacks this user may work, earliest due first (only the overdue ones with ``overdue_only``)."""
    return list_callbacks(conn, scope=desk_scope(conn, user), due_before=now if overdue_only else None, limit=limit)


def record_attempt(conn: sa.Connection, user: User, callback_id: int, outcome: AttemptOutcome, *,
                   now: dt.datetime) -> Callback:
    """One attempt at a callback; reached: done, else open until the last attempt (failed)."""
    scope = desk_scope(conn, user)
    callback = get_callback(conn, callback_id)
    if scope is not None and callback.owner is not None and callback.owner not in scope:
        raise PermissionDenied(f"callback {callback_id} belongs to {callback.owner}")
    if callback.status is not CallbackStatus.OPEN:
        raise InvalidInput(f"callback {callback_id} is {callback.status.value}, not open", field="status")
    status = after_attempt(outcome, callback.attempts)
    set_callback_attempt(conn, callback_id, status=status, outcome=outcome.value, attempts=callback.attempts + 1,
                         now=now, owner=callback.owner or user.agent_id)
    return get_callback(conn, callback_id)


@dataclass(frozen=True, slots=True)
class ContactForm:
    """What the agent saves after a contact: category, notes, and one of resolved / open a ticket / update
    ``ticket_id``; optionally a callback at ``callback_at``."""

    category: Category
    phone: str | None = None
    notes: str = ""
    resolved: bool = False
    open_ticket: bool = False
    ticket_id: int | None = None
    callback_at: dt.datetime | None = None
    wants_escalation: bool = False
    category_key: str | None = None  # the node of the category tree (its kind is ``category``)
    live_call: str | None = None  # the live call the form is about, checked to be this agent's


@dataclass(frozen=True, slots=True)
class ContactSaved:
    ticket: Ticket | None
    callback_id: int | None
    contact_id: int
    acw_s: float | None  # after-call work: from the live call's end to this save; None without a known end
    acw_interval: bool = False  # that after-call work written as the agent's state interval (record_form_acw)


def save_contact(conn: sa.Connection, user: User, form: ContactForm, *, now: dt.datetime,
                 rules: DeskRules = DEFAULT_RULES) -> ContactSaved:
    """Save the contact form in the caller's transaction: a ticket resolved on this contact, a new open ticket,
    or another contact on ``ticket_id`` (with the notes); a callback when asked."""
    if form.ticket_id is not None and (form.open_ticket or form.resolved):
        raise InvalidInput("either update an existing ticket or open a new one", field="ticket_id")
    if form.callback_at is not None and form.callback_at <= now:
        raise InvalidInput("the callback must be in the future", field="callback_at")
    ticket: Ticket | None = None
    if form.ticket_id is not None:
        ticket = change_ticket(conn, user, form.ticket_id, TicketChange(note=form.notes or None, contact=True,
                                                                         wants_escalation=form.wants_escalation
                                                                         or None), now=now, rules=rules)
    elif form.open_ticket or form.resolved:
        ticket = open_ticket(conn, user, NewTicket(category=form.category, phone=form.phone, notes=form.notes,
                                                   wants_escalation=form.wants_escalation, resolved=form.resolved,
                                                   category_key=form.category_key),
                             now=now, rules=rules)
    else:
        raise InvalidInput("choose resolved, open a ticket, or a ticket to update", field="outcome")
    callback_id = None
    if form.callback_at is not None:
        phone = ticket.phone if ticket is not None else None
        if phone is None:
            raise InvalidInput("a callback needs the customer's phone number", field="phone")
        callback_id = add_callback(conn, phone=phone, customer_id=customer_of_phone(conn, phone),
                                   source=CallbackSource.AGENT, due_at=form.callback_at, now=now,
                                   owner=user.agent_id, ticket_id=ticket.id if ticket else None)
    ended = call_ended_at(conn, form.live_call, since=now - ACW_LOOKBACK, until=now) if form.live_call else None
    acw_s = (now - ended).total_seconds() if ended is not None else None
    contact_id = insert_contact(conn, {
        "agent": user.agent_id, "username": user.username, "live_call_id": form.live_call,
        "phone": ticket.phone if ticket is not None else None, "category": form.category.value,
        "category_key": form.category_key, "ticket_id": ticket.id if ticket is not None else None,
        "resolved": form.resolved, "call_ended_at": ended, "saved_at": now, "acw_s": acw_s})
    interval = (ended is not None and ended < now and user.agent_id is not None
                and record_form_acw(conn, user.agent_id, start_at=ended, end_at=now))
    return ContactSaved(ticket, callback_id, contact_id, acw_s, interval)


def link_customer_phone(conn: sa.Connection, user: User, customer_id: int, phone_text: str, *,
                        now: dt.datetime) -> int | None:
    """Link a number (any accepted spelling) to the customer, merging the customer who had it; the merged
    customer's id, or None."""
    desk_scope(conn, user)
    try:
        phone = normalise_phone(phone_text)
    except PhoneError as exc:
        raise InvalidInput(str(exc), field="phone") from None
    return link_phone(conn, customer_id, phone, now=now)


def edit_customer(conn: sa.Connection, user: User, customer_id: int, *, name: str, notes: str) -> None:
    """Set the customer's name and notes (PII: view_pii)."""
    if not allowed(user.role, Permission.VIEW_PII):
        raise PermissionDenied("a customer's name and notes need the right view_pii")
    if len(name) > 200:
        raise InvalidInput("at most 200 characters", field="name")
    if len(notes) > 4000:
        raise InvalidInput("at most 4000 characters", field="notes")
    set_customer_details(conn, customer_id, name=name.strip() or None, notes=notes.strip() or None)


@dataclass(frozen=True, slots=True)
class CallerCard:
    """What the agent screen pops for the current call: the number, the customer and their recent history."""

    call: LiveCaller
    phone: str | None  # E.164, None when the PBX gave no usable number
    customer: Customer | None
    recent: list[TimelineItem]


def caller_card(conn: sa.Connection, user: User, *, now: dt.datetime) -> CallerCard | None:
    """The card of the caller on this agent's current (or last, within the hour) call; None without one."""
    desk_scope(conn, user)
    if not user.agent_id:
        return None
    call = current_caller(conn, user.agent_id, now=now)
    if call is None:
        return None
    try:
        phone = normalise_phone(call.caller) if call.caller else None
    except PhoneError:
        phone = None
    customer_id = customer_of_phone(conn, phone) if phone else None
    customer = get_customer(conn, customer_id) if customer_id is not None else None
    recent = customer_timeline(conn, customer, limit=5) if customer is not None else []
    return CallerCard(call, phone, customer, recent)
