"""The service desk's pages: the ticket list with filters (``/desk``), a ticket with its moves, notes and
history, a customer's timeline (name and notes masked without ``view_pii``), the agent's contact form (also a
"new contact" for a call the PBX did not announce), due and overdue callbacks, and the complaint report.

Rights through ``services.desk.desk_scope`` (``work_tickets``; ``view_all_tickets`` for everything). A refused
form is shown again with what was typed and the error beside its field (status 400, nothing written).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.desk import OPEN_STATES, AttemptOutcome, Category, Priority, TicketState, allowed_targets, parse_choice
from callops.errors import InvalidInput, PermissionDenied
from callops.permissions import Permission, allowed
from callops.services.desk import (
    COMPLAINT_KPIS,
    TicketChange,
    TicketFilter,
    change_ticket,
    complaints_by_owner,
    desk_scope,
    ticket_history,
    ticket_page,
    visible_ticket,
)
from callops.services.desk_callbacks import (
    CallerCard,
    ContactForm,
    caller_card,
    due_callbacks,
    edit_customer,
    link_customer_phone,
    record_attempt,
    save_contact,
)
from callops.services.desk_catalog import MAX_QUERY, category_tree, enter_survey, find_scripts, resolve_category
from callops.store.desk_callbacks import customer_timeline, get_customer
from callops.web.access import shown_number
from callops.web.deps import ConnDep, CurrentUser, NowDep, User, ViewerDep
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.desk", "/desk", permission=Permission.WORK_TICKETS, order=42, description_key="desk.card"),)

REPORT_DAYS_MAX = 366
_Text = Annotated[str | None, Query(max_length=40)]


def _pii(user: User, text: str | None) -> str | None:
    """Customer name or notes: whole with view_pii, else hidden."""
    if text is None or allowed(user.role, Permission.VIEW_PII):
        return text
    return "•••"


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
              state: _Text = None, category: _Text = None, escalated: _Text = None) -> HTMLResponse:
    """Tickets this user may work, newest first, filtered; their open callbacks with the overdue ones marked."""
    flt = TicketFilter.from_text(state=state, category=category,
                                 escalated=True if escalated == "1" else None)
    scope = desk_scope(conn, user)
    rows = ticket_page(conn, flt, limit=100, scope=scope)
    return render(request, viewer, "desk/list.html", {
        "tickets": [(t, shown_number(user, t.phone)) for t in rows], "states": list(TicketState),
        "categories": list(Category), "chosen": {"state": state or "", "category": category or "",
                                                  "escalated": escalated or ""},
        "callbacks": [(c, shown_number(user, c.phone)) for c in due_callbacks(conn, user, now=now, limit=20)],
        "now": now, "open_states": OPEN_STATES, "labels": _labels(conn, viewer)})


def _labels(conn: ConnDep, viewer: Viewer) -> dict[str, str]:
    """Each category node's label in the viewer's language (a ticket shows its node's, else its kind's)."""
    return {n.key: n.label(viewer.locale) for n in category_tree(conn).nodes.values()}


def _ticket_context(conn: ConnDep, user: User, ticket_id: int, viewer: Viewer) -> dict[str, Any]:
    ticket = visible_ticket(conn, user, ticket_id)
    return {"ticket": ticket, "labels": _labels(conn, viewer), "phone": shown_number(user, ticket.phone),
            "events": ticket_history(conn, ticket_id), "targets": sorted(allowed_targets(ticket.state)),
            "priorities": list(Priority)}


@router.get("/desk/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_detail(request: Request, ticket_id: int, conn: ConnDep, user: CurrentUser,
                  viewer: ViewerDep) -> HTMLResponse:
    return render(request, viewer, "desk/ticket.html", {**_ticket_context(conn, user, ticket_id, viewer),
                                                        "error": None, "typed": {}})


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/desk/tickets/{ticket_id}")
async def ticket_change(request: Request, ticket_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                        now: NowDep) -> Response:
    """Move the ticket and/or add a note; an illegal move re-renders the page with the error at the state."""
    form = await request.form()
    typed = {k: _text(form, k) for k in ("state", "owner", "note", "priority")}
    try:
        change = TicketChange(
            state=parse_choice(TicketState, typed["state"], field="state") if typed["state"] else None,
            owner=typed["owner"] if "owner" in form and typed["owner"] != "" else None,
            priority=parse_choice(Priority, typed["priority"], field="priority") if typed["priority"] else None,
            note=typed["note"] or None, contact=_text(form, "contact") == "1")
        change_ticket(conn, user, ticket_id, change, now=now)
    except InvalidInput as exc:
        conn.rollback()
        return render(request, viewer, "desk/ticket.html", {**_ticket_context(conn, user, ticket_id, viewer),
                                                            "error": exc, "typed": typed}, status_code=400)
    return RedirectResponse(f"/desk/tickets/{ticket_id}", status_code=303)


def _customer_page(request: Request, conn: ConnDep, user: User, viewer: Viewer, customer_id: int, *,
                   error: InvalidInput | None = None, typed: dict[str, str] | None = None) -> HTMLResponse:
    desk_scope(conn, user)
    customer = get_customer(conn, customer_id)
    items = customer_timeline(conn, customer, limit=100)
    return render(request, viewer, "desk/customer.html", {
        "customer": customer, "name": _pii(user, customer.name), "notes": _pii(user, customer.notes),
        "phones": [shown_number(user, p) for p in customer.phones], "items": items, "error": error,
        "typed": typed or {}, "may_edit": allowed(user.role, Permission.VIEW_PII)},
        status_code=400 if error else 200)


@router.get("/desk/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, customer_id: int, conn: ConnDep, user: CurrentUser,
                  viewer: ViewerDep) -> HTMLResponse:
    """The customer's calls, tickets and callbacks on one timeline, newest first."""
    return _customer_page(request, conn, user, viewer, customer_id)


@router.post("/desk/customers/{customer_id}/phones")
async def customer_link(request: Request, customer_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                        now: NowDep) -> Response:
    """Link a number to the customer; the customer who had it is merged into this one."""
    phone = _text(await request.form(), "phone")
    try:
        link_customer_phone(conn, user, customer_id, phone, now=now)
    except InvalidInput as exc:
        conn.rollback()
        return _customer_page(request, conn, user, viewer, customer_id, error=exc, typed={"phone": phone})
    return RedirectResponse(f"/desk/customers/{customer_id}", status_code=303)


@router.post("/desk/customers/{customer_id}")
async def customer_edit(request: Request, customer_id: int, conn: ConnDep, user: CurrentUser,
                        viewer: ViewerDep) -> Response:
    """The customer's name and notes (view_pii)."""
    form = await request.form()
    typed = {"name": _text(form, "name"), "notes": _text(form, "notes")}
    try:
        edit_customer(conn, user, customer_id, name=typed["name"], notes=typed["notes"])
    except InvalidInput as exc:
        conn.rollback()
        return _customer_page(request, conn, user, viewer, customer_id, error=exc, typed=typed)
    return RedirectResponse(f"/desk/customers/{customer_id}", status_code=303)


def card_view(user: User, card: CallerCard) -> dict[str, Any]:
    """What ``desk/_card.html`` shows of a caller card: the number masked and the name hidden without view_pii."""
    return {"phone": shown_number(user, card.phone or card.call.caller), "customer": card.customer,
            "name": _pii(user, card.customer.name) if card.customer else None, "recent": card.recent,
            "call": card.call}


def _contact_page(request: Request, conn: ConnDep, viewer: Viewer, *, typed: dict[str, str],
                  error: InvalidInput | None, card: CallerCard | None = None, user: User | None = None,
                  status: int = 200, q: str = "", script_category: str = "", notice: str = "") -> HTMLResponse:
    shown = card_view(user, card) if card is not None and user is not None else None
    tree = category_tree(conn)
    scripts = None
    if user is not None and (q or script_category):
        scripts = find_scripts(conn, user, query=q, category=script_category or None, limit=10)
    return render(request, viewer, "desk/contact.html", {
        "typed": typed, "error": error, "card": shown, "categories": tree.ordered(),
        "labels": {n.key: n.label(viewer.locale) for n in tree.nodes.values()}, "q": q,
        "script_category": script_category, "scripts": scripts, "notice": notice}, status_code=status)


@router.get("/desk/contact", response_class=HTMLResponse)
def contact_form(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                 phone: Annotated[str | None, Query(max_length=40)] = None,
                 q: Annotated[str, Query(max_length=MAX_QUERY)] = "", sc: _Text = None,
                 saved: _Text = None) -> HTMLResponse:
    """The agent's form after a contact, with the card of the caller on the agent's current (or last) call from
    the live feed; ``?phone=`` fills a number by hand (a call the PBX did not announce); ``?q=`` and ``?sc=``
    search the knowledge scripts (words, category)."""
    card = caller_card(conn, user, now=now)
    typed = {"phone": phone or "", "outcome": "resolved", "live_call": ""}
    if card is not None and not phone:
        typed["live_call"] = card.call.call_id  # the number stays on the server unless the user may see it
        typed["csat_call"] = card.call.call_id
        if allowed(user.role, Permission.VIEW_PII):
            typed["phone"] = card.phone or card.call.caller or ""
    try:
        return _contact_page(request, conn, viewer, typed=typed, error=None, card=card, user=user, q=q,
                             script_category=sc or "", notice=saved or "")
    except InvalidInput as exc:
        return _contact_page(request, conn, viewer, typed=typed, error=exc, card=card, user=user, status=400,
                             q=q, script_category="")


@router.post("/desk/csat")
async def csat_entry(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                     now: NowDep) -> Response:
    """A post-call survey result typed on the agent screen (call id, score 1-5, ivr or sms); it becomes the
    call's csat. A bad value re-renders the form with the error beside its field."""
    form = await request.form()
    typed = {k: _text(form, k) for k in ("csat_call", "csat_score", "csat_channel")}
    try:
        enter_survey(conn, user, call=typed["csat_call"], score=typed["csat_score"],
                     channel=typed["csat_channel"] or "sms", now=now)
    except InvalidInput as exc:
        conn.rollback()
        error = InvalidInput(exc.reason, field=f"csat_{exc.field}" if exc.field else None)
        return _contact_page(request, conn, viewer, typed={"outcome": "resolved", **typed}, error=error, user=user,
                             status=400)
    return RedirectResponse("/desk/contact?saved=csat", status_code=303)


def _local_instant(text: str, viewer: Viewer, *, field: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date and time", field=field) from None
    return (local if local.tzinfo else local.replace(tzinfo=viewer.tz)).astimezone(dt.UTC)


@router.post("/desk/contact")
async def contact_save(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                       now: NowDep) -> Response:
    """Save the contact: resolved now, a ticket opened, or another contact on a ticket; a callback if set."""
    form = await request.form()
    typed = {k: _text(form, k) for k in ("phone", "category", "notes", "outcome", "ticket_id", "callback_at",
                                         "live_call")}
    phone = typed["phone"]
    live_call = None
    if typed["live_call"]:
        card = caller_card(conn, user, now=now)
        if card is not None and card.call.call_id == typed["live_call"]:
            live_call = card.call.call_id  # only the agent's own current (or last) call measures ACW
            if not phone:
                phone = card.phone or ""
    try:
        outcome = typed["outcome"]
        if outcome not in {"resolved", "open", "update"}:
            raise InvalidInput("choose resolved, open a ticket or update a ticket", field="outcome")
        ticket_id = None
        if outcome == "update":
            if not typed["ticket_id"].isdigit():
                raise InvalidInput("the number of the ticket to update", field="ticket_id")
            ticket_id = int(typed["ticket_id"])
        if len(typed["notes"]) > 4000:
            raise InvalidInput("at most 4000 characters", field="notes")
        kind, key = resolve_category(conn, typed["category"])
        saved = save_contact(conn, user, ContactForm(
            category=kind, category_key=key, live_call=live_call,
            phone=phone or None, notes=typed["notes"], resolved=outcome == "resolved",
            open_ticket=outcome == "open", ticket_id=ticket_id,
            callback_at=_local_instant(typed["callback_at"], viewer, field="callback_at")), now=now)
    except (InvalidInput, PermissionDenied) as exc:
        conn.rollback()
        if isinstance(exc, PermissionDenied):
            raise
        return _contact_page(request, conn, viewer, typed=typed, error=exc, user=user, status=400)
    target = f"/desk/tickets/{saved.ticket.id}" if saved.ticket is not None else "/desk"
    return RedirectResponse(target, status_code=303)


@router.get("/desk/callbacks", response_class=HTMLResponse)
def callbacks_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                   overdue: _Text = None) -> HTMLResponse:
    """Open callbacks this user may work, earliest due first; ``?overdue=1`` only those past due."""
    rows = due_callbacks(conn, user, now=now, overdue_only=overdue == "1", limit=200)
    return render(request, viewer, "desk/callbacks.html", {
        "callbacks": [(c, shown_number(user, c.phone)) for c in rows], "now": now, "overdue": overdue == "1",
        "outcomes": list(AttemptOutcome)})


@router.post("/desk/callbacks/{callback_id}/attempt")
async def callback_attempt(request: Request, callback_id: int, conn: ConnDep, user: CurrentUser,
                           now: NowDep) -> Response:
    form = await request.form()
    record_attempt(conn, user, callback_id, parse_choice(AttemptOutcome, _text(form, "outcome"), field="outcome"),
                   now=now)
    return RedirectResponse("/desk/callbacks", status_code=303)


@router.get("/desk/complaints", response_class=HTMLResponse)
def complaints_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep,
                    days: Annotated[int, Query(ge=1, le=REPORT_DAYS_MAX)] = 30,
                    by: Annotated[str, Query(pattern="^(team|agent)$")] = "team") -> HTMLResponse:
    """Complaints per team or agent over the last ``days`` days (the user's zone): volume, repeat complaints,
    escalated share, median time to resolve, from the KPI layer. A lead sees their teams' agents only."""
    scope = desk_scope(conn, user)
    today = now.astimezone(viewer.tz).date()
    start = today - dt.timedelta(days=days - 1)
    zone = str(viewer.tz)
    by_owner = complaints_by_owner(conn, start=start, end=today, tz=zone, by=by, scope=scope)
    return render(request, viewer, "desk/complaints.html", {
        "rows": [r.as_dict() for r in by_owner], "by": by, "days": days, "kpis": COMPLAINT_KPIS, "start": start,
        "end": today})
