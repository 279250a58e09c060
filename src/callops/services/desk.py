"""The service desk's use cases, shared by the CLI, the API and the pages: import tickets, list what a user may
see, open a ticket, move it through its states. Each call writes in the caller's one transaction (a web request,
a CLI ``begin()``): a transition and its audit event land together or not at all.

Who sees which tickets: ``view_all_tickets`` every ticket; otherwise ``work_tickets`` gives a team lead the
tickets of the agents of the teams they lead, an agent their own, both also the unassigned ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.desk import (
    BusinessCalendar,
    CallbackSource,
    Category,
    EscalationRules,
    Priority,
    SlaPolicy,
    TicketRow,
    TicketState,
    assess,
    check_transition,
    is_reopen,
    parse_choice,
)
from callops.dialer.phones import PhoneError, normalise_phone
from callops.errors import InvalidInput, PermissionDenied
from callops.metrics import Grain, KpiRequest, ReportRow
from callops.permissions import Permission, allowed
from callops.records import Role
from callops.services.team_scope import team_scope
from callops.store.desk import (
    Ticket,
    TicketEvent,
    TicketImport,
    add_event,
    customers_for_phones,
    get_ticket,
    import_tickets,
    insert_ticket,
    list_tickets,
    open_complaints_past_due,
    ticket_events_of,
    update_ticket,
)
from callops.store.desk_callbacks import add_callback
from callops.store.kpi_query import kpi_report
from callops.store.users import User

__all__ = ["DEFAULT_RULES", "TicketFilter", "NewTicket", "TicketChange", "DeskRules", "desk_scope",
           "import_ticket_rows", "ticket_page", "open_ticket", "change_ticket", "visible_ticket", "MAX_PAGE",
           "escalate_past_due", "ticket_history", "COMPLAINT_KPIS", "complaints_by_owner"]

MAX_PAGE = 200  # tickets per page: the bound on one request's work


@dataclass(frozen=True, slots=True)
class DeskRules:
    """The configuration the desk runs under: business calendar, SLA targets, escalation rules."""

    calendar: BusinessCalendar = BusinessCalendar()
    sla: SlaPolicy = SlaPolicy()
    escalation: EscalationRules = EscalationRules()
    followup_min: float = 4 * 60  # business minutes after resolution: the satisfaction callback (回访)


DEFAULT_RULES = DeskRules()


@dataclass(frozen=True, slots=True)
class TicketFilter:
    state: TicketState | None = None
    category: Category | None = None
    owner: str | None = None
    customer_id: int | None = None
    escalated: bool | None = None

    @classmethod
    def from_text(cls, *, state: str | None = None, category: str | None = None, owner: str | None = None,
                  escalated: bool | None = None) -> TicketFilter:
        """A filter from query text; an unknown state or category is InvalidInput naming it."""
        return cls(state=parse_choice(TicketState, state, field="state") if state else None,
                   category=parse_choice(Category, category, field="category") if category else None,
                   owner=(owner or "").strip() or None, escalated=escalated)


def desk_scope(conn: sa.Connection, user: User) -> frozenset[str] | None:
    """The owners whose tickets ``user`` may see and work (None: every ticket); 403 without the desk rights."""
    if allowed(user.role, Permission.VIEW_ALL_TICKETS):
        return None
    if not allowed(user.role, Permission.WORK_TICKETS):
        raise PermissionDenied(f"the {user.role.value} role lacks the right {Permission.WORK_TICKETS.value}")
    own = frozenset({user.agent_id}) if user.agent_id else frozenset()
    team = team_scope(conn, user)  # the house's one rule: a team lead reaches the teams they lead
    return own if team is None else team | own


def visible_ticket(conn: sa.Connection, user: User, ticket_id: int, *, for_update: bool = False) -> Ticket:
    """The ticket, when ``user`` may see it (an unassigned one too); 403 otherwise."""
    scope = desk_scope(conn, user)
    ticket = get_ticket(conn, ticket_id, for_update=for_update)
    if scope is not None and ticket.owner is not None and ticket.owner not in scope:
        raise PermissionDenied(f"ticket {ticket.ref} belongs to {ticket.owner}, outside this user's tickets")
    return ticket


def import_ticket_rows(conn: sa.Connection, rows: list[TicketRow], *, file: str, now: dt.datetime) -> TicketImport:
    """Existing tickets from a checked import file: new keys inserted, known ones skipped (idempotent)."""
    return import_tickets(conn, rows, file=file, now=now)


def ticket_page(conn: sa.Connection, flt: TicketFilter, *, limit: int = 50,
                scope: frozenset[str] | None = None) -> list[Ticket]:
    """The newest tickets matching ``flt`` (within ``scope`` owners plus the unassigned), at most ``limit``."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be 1-{MAX_PAGE}", field="limit")
    return list_tickets(conn, state=flt.state, category=flt.category, owner=flt.owner,
                        customer_id=flt.customer_id, escalated=flt.escalated, limit=limit, scope=scope)


@dataclass(frozen=True, slots=True)
class NewTicket:
    category: Category
    phone: str | None = None
    priority: Priority = Priority.NORMAL
    subject: str = ""
    notes: str = ""
    owner: str | None = None
    team: str | None = None
    department: str | None = None
    wants_escalation: bool = False
    resolved: bool = False  # resolved on this first contact
    category_key: str | None = None  # the node of the category tree (its kind is ``category``)


def _phone(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    try:
        return normalise_phone(text)
    except PhoneError as exc:
        raise InvalidInput(str(exc), field="phone") from None


def _check_text(value: str, *, field: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidInput(f"at most {limit} characters", field=field)
    return value


def _escalate(conn: sa.Connection, ticket: Ticket, *, actor: str, now: dt.datetime, rules: DeskRules) -> None:
    """Raise the ticket's escalation level when the rules say so, with an ``escalated`` event naming who is told."""
    found = assess(category=ticket.category, state=ticket.state, contacts=ticket.contacts,
                   wants_escalation=ticket.wants_escalation, resolution_due_at=ticket.resolution_due_at, now=now,
                   current_level=ticket.escalation_level, calendar=rules.calendar, rules=rules.escalation)
    if found.level > ticket.escalation_level:
        update_ticket(conn, ticket.id, {"escalated": True, "escalation_level": found.level, "updated_at": now})
        add_event(conn, ticket.id, at=now, actor=actor, kind="escalated",
                  detail={"level": found.level, "notified": found.notified, "reasons": list(found.reasons)})


MAX_SWEEP = 10_000  # complaints one escalation sweep looks at


def escalate_past_due(conn: sa.Connection, *, now: dt.datetime, rules: DeskRules = DEFAULT_RULES) -> int:
    """Escalate open complaints past their resolution due time (the sweep a scheduler runs, e.g. every few
    minutes); returns how many rose a level. Each rise is an ``escalated`` event by ``sla``."""
    raised = 0
    for ticket in open_complaints_past_due(conn, now=now, limit=MAX_SWEEP):
        before = ticket.escalation_level
        _escalate(conn, ticket, actor="sla", now=now, rules=rules)
        raised += get_ticket(conn, ticket.id).escalation_level > before
    return raised


def open_ticket(conn: sa.Connection, user: User, new: NewTicket, *, now: dt.datetime,
                rules: DeskRules = DEFAULT_RULES) -> Ticket:
    """A new ticket with its SLA due times and an ``opened`` event; escalated at once when the rules say so."""
    scope = desk_scope(conn, user)
    owner = (new.owner or "").strip() or None
    if owner is None and user.role is Role.AGENT:
        owner = user.agent_id
    if scope is not None and owner is not None and owner not in scope:
        raise PermissionDenied(f"this user cannot give tickets to {owner}")
    phone = _phone(new.phone)
    customer = customers_for_phones(conn, [phone], now=now)[phone] if phone else None
    due = rules.sla.due(new.category, now, rules.calendar)
    wants = new.wants_escalation or rules.escalation.wants_escalation(new.notes)
    state = TicketState.RESOLVED if new.resolved else (TicketState.ASSIGNED if owner else TicketState.NEW)
    ticket_id = insert_ticket(conn, {
        "customer_id": customer, "phone": phone, "category": new.category.value, "priority": new.priority.value,
        "state": state.value, "owner": owner, "team": (new.team or "").strip() or None,
        "department": (new.department or "").strip() or None,
        "subject": _check_text(new.subject.strip(), field="subject", limit=200), "opened_at": now,
        "first_response_at": now if new.resolved else None, "response_due_at": due.response_at,
        "resolution_due_at": due.resolution_at, "resolved_at": now if new.resolved else None, "closed_at": None,
        "escalated": False, "escalation_level": 0, "wants_escalation": wants, "contacts": 1, "updated_at": now,
        "import_id": None, "category_key": new.category_key})
    add_event(conn, ticket_id, at=now, actor=user.username, kind="opened", to_state=state.value,
              detail={"notes": _check_text(new.notes, field="notes", limit=4000)} if new.notes else {})
    _escalate(conn, get_ticket(conn, ticket_id), actor=user.username, now=now, rules=rules)
    return get_ticket(conn, ticket_id)


@dataclass(frozen=True, slots=True)
class TicketChange:
    state: TicketState | None = None
    owner: str | None = None
    priority: Priority | None = None
    category: Category | None = None
    department: str | None = None
    note: str | None = None
    wants_escalation: bool | None = None
    contact: bool = False  # the customer contacted us again about this ticket


@dataclass(frozen=True, slots=True)
class _Event:
    kind: str
    detail: dict[str, Any]
    from_state: str | None = None
    to_state: str | None = None


def change_ticket(conn: sa.Connection, user: User, ticket_id: int, change: TicketChange, *, now: dt.datetime,
                  rules: DeskRules = DEFAULT_RULES) -> Ticket:
    """Apply ``change``: a state move the current state cannot make is a TransitionError (nothing written);
    every change is one event in the same transaction."""
    ticket = visible_ticket(conn, user, ticket_id, for_update=True)
    scope = desk_scope(conn, user)
    values: dict[str, object] = {}
    events: list[_Event] = []
    owner_now = ticket.owner
    if change.owner is not None:
        owner = change.owner.strip() or None
        if scope is not None and owner is not None and owner not in scope:
            raise PermissionDenied(f"this user cannot give tickets to {owner}")
        if owner != ticket.owner:
            values["owner"] = owner_now = owner
            events.append(_Event("update", {"owner": [ticket.owner, owner]}))
    for name in ("priority", "category"):
        new = getattr(change, name)
        if new is not None and new != getattr(ticket, name):
            values[name] = new.value
            events.append(_Event("update", {name: [getattr(ticket, name).value, new.value]}))
    if change.department is not None and (change.department.strip() or None) != ticket.department:
        values["department"] = change.department.strip() or None
        events.append(_Event("update", {"department": [ticket.department, values["department"]]}))
    wants = change.wants_escalation
    if change.note:
        events.append(_Event("note", {"note": _check_text(change.note, field="note", limit=4000)}))
        if rules.escalation.wants_escalation(change.note):
            wants = True
    if wants is not None and wants != ticket.wants_escalation:
        values["wants_escalation"] = wants
        events.append(_Event("update", {"wants_escalation": [ticket.wants_escalation, wants]}))
    if change.contact:
        values["contacts"] = ticket.contacts + 1
        events.append(_Event("contact", {"contacts": ticket.contacts + 1}))
    if change.state is not None:
        target = change.state
        check_transition(ticket.state, target)
        if target is TicketState.ASSIGNED and owner_now is None:
            raise InvalidInput("an assigned ticket needs an owner: give owner", field="owner")
        values["state"] = target.value
        if ticket.first_response_at is None:
            values["first_response_at"] = now
        if target is TicketState.RESOLVED:
            values["resolved_at"] = now
        if target is TicketState.CLOSED:
            values["closed_at"] = now
        if is_reopen(ticket.state, target):
            values.update(resolved_at=None, closed_at=None)
        events.append(_Event("reopen" if is_reopen(ticket.state, target) else "transition", {},
                             ticket.state.value, target.value))
    if not events:
        raise InvalidInput("nothing to change: give state, owner, priority, category, department, note, "
                           "wants_escalation or contact", field="body")
    values["updated_at"] = now
    update_ticket(conn, ticket.id, values)
    for event in events:
        add_event(conn, ticket.id, at=now, actor=user.username, kind=event.kind, from_state=event.from_state,
                  to_state=event.to_state, detail=event.detail)
    if change.state is TicketState.RESOLVED and ticket.phone is not None:
        add_callback(conn, phone=ticket.phone, customer_id=ticket.customer_id, source=CallbackSource.TICKET,
                     due_at=rules.calendar.add_business_minutes(now, rules.followup_min), now=now,
                     owner=owner_now, ticket_id=ticket.id)
    _escalate(conn, get_ticket(conn, ticket.id), actor=user.username, now=now, rules=rules)
    return get_ticket(conn, ticket.id)


def ticket_history(conn: sa.Connection, ticket_id: int) -> list[TicketEvent]:
    """The ticket's events (state changes, notes, escalations), oldest first."""
    return ticket_events_of(conn, ticket_id)


COMPLAINT_KPIS = ("complaints", "repeat_complaints", "escalated_share", "median_resolution_h", "tickets",
                  "fcr_ticket", "fcr_ticket_repeat", "desk_contacts", "desk_acw_s", "csat", "csat_responses")


def complaints_by_owner(conn: sa.Connection, *, start: dt.date, end: dt.date, tz: str, by: str,
                        scope: frozenset[str] | None) -> list[ReportRow]:
    """The complaint KPIs (``COMPLAINT_KPIS``) per ``by`` (team or agent) over the local days ``start`` to
    ``end``, from the KPI layer; ``scope`` (a lead's agents, from ``desk_scope``) narrows the agents."""
    return kpi_report(conn, KpiRequest(start=start, end=end, grain=Grain.TOTAL, tz=tz, dims=(by,),
                                       kpis=COMPLAINT_KPIS, agent_states=False, agents=scope))
