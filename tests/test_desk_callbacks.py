"""Callbacks and the customer timeline on SQLite and PostgreSQL: abandoned callers who did not get through are
called back (once), a resolved ticket gets its satisfaction callback, attempts end a callback, the contact form
saves a ticket and a callback in one go, and a customer's calls, tickets and callbacks share one timeline."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.desk import AttemptOutcome, CallbackSource, CallbackStatus, Category, TicketState
from callops.errors import InvalidInput, PermissionDenied
from callops.records import Call, Direction, Outcome, Role
from callops.services.desk import TicketChange, change_ticket
from callops.services.desk_callbacks import ContactForm, due_callbacks, plan_callbacks, record_attempt, save_contact
from callops.store.desk_callbacks import customer_of_phone, customer_timeline, get_customer, list_callbacks
from callops.store.records import insert_calls
from callops.store.schema import agents, teams
from callops.store.users import User, get_user
from callops.store.users import add_user as store_add_user

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def _call(n: int, phone: str, minutes_ago: int, outcome: Outcome) -> Call:
    at = NOW - dt.timedelta(minutes=minutes_ago)
    answered = outcome is Outcome.ANSWERED
    return Call(source="t", source_call_id=f"c{n}", direction=Direction.INBOUND, outcome=outcome, queue="Q",
                caller_number=phone, queue_entered_at=at, answered_at=at + dt.timedelta(seconds=5) if answered
                else None, ended_at=at + dt.timedelta(seconds=60), agent="A1" if answered else None,
                talk_s=50.0 if answered else 0.0)


def _users(conn: sa.Connection) -> tuple[User, User]:
    conn.execute(teams.insert().values(name="T1", lead="lead"))
    conn.execute(agents.insert().values(agent_id="A1", name="A1", team="T1", active=True))
    amy = store_add_user(conn, "amy", password="long-enough-pass", role=Role.AGENT, agent_id="A1")
    qa = store_add_user(conn, "qa1", password="long-enough-pass", role=Role.QA)
    return get_user(conn, amy.id), get_user(conn, qa.id)


def test_abandoned_and_ivr_callers_are_called_back_once(engine: sa.Engine) -> None:
    """Three missed numbers: one got through later (no callback), one abandoned twice (one callback, due 30 min
    after the later call), one asked the IVR for a callback; planning again adds nothing."""
    with engine.begin() as conn:
        insert_calls(conn, [_call(1, "+8613800000001", 50, Outcome.ABANDONED),
                            _call(2, "+8613800000001", 20, Outcome.ANSWERED),
                            _call(3, "+8613800000002", 40, Outcome.ABANDONED),
                            _call(4, "+8613800000002", 10, Outcome.ABANDONED),
                            _call(5, "+8613800000003", 5, Outcome.CALLBACK)])
        assert plan_callbacks(conn, now=NOW, within_min=30) == 2
        assert plan_callbacks(conn, now=NOW, within_min=30) == 0
        planned = {c.phone: c for c in list_callbacks(conn)}
    assert set(planned) == {"+8613800000002", "+8613800000003"}
    assert planned["+8613800000002"].due_at == NOW + dt.timedelta(minutes=20)
    assert planned["+8613800000002"].source is CallbackSource.ABANDONED
    assert planned["+8613800000003"].source is CallbackSource.IVR


def test_contact_form_resolution_followup_attempts_and_timeline(engine: sa.Engine) -> None:
    """The agent saves a complaint as an open ticket with a callback tomorrow; resolving it adds the satisfaction
    callback; three unanswered attempts fail a callback; the timeline shows the call, ticket and callbacks."""
    with engine.begin() as conn:
        amy, qa = _users(conn)
        insert_calls(conn, [_call(1, "+8613800000009", 30, Outcome.ANSWERED)])
        saved = save_contact(conn, amy, ContactForm(category=Category.COMPLAINT, phone="138 0000 0009",
                                                    notes="wrong bill", open_ticket=True,
                                                    callback_at=NOW + dt.timedelta(days=1)), now=NOW)
        assert saved.ticket is not None and saved.ticket.owner == "A1" and saved.callback_id is not None
        ticket = change_ticket(conn, amy, saved.ticket.id, TicketChange(note="checked", contact=True), now=NOW)
        assert ticket.contacts == 2
        change_ticket(conn, amy, ticket.id, TicketChange(state=TicketState.RESOLVED), now=NOW)
        open_now = due_callbacks(conn, amy, now=NOW)
        assert sorted(c.source.value for c in open_now) == ["agent", "ticket"]
        follow = next(c for c in open_now if c.source is CallbackSource.TICKET)
        assert follow.due_at == NOW + dt.timedelta(hours=4)  # 4 business hours after 10:00 Monday
        for _ in range(2):
            assert record_attempt(conn, amy, follow.id, AttemptOutcome.NO_ANSWER, now=NOW).status \
                is CallbackStatus.OPEN
        assert record_attempt(conn, amy, follow.id, AttemptOutcome.NO_ANSWER, now=NOW).status is CallbackStatus.FAILED
        with pytest.raises(InvalidInput):
            record_attempt(conn, amy, follow.id, AttemptOutcome.REACHED, now=NOW)
        with pytest.raises(PermissionDenied):
            due_callbacks(conn, qa, now=NOW)
        customer = get_customer(conn, customer_of_phone(conn, "+8613800000009") or 0)
        kinds = [i.kind for i in customer_timeline(conn, customer)]
    assert sorted(kinds) == ["call", "callback", "callback", "ticket"]


def test_contact_form_refuses_contradictions(engine: sa.Engine) -> None:
    """Updating a ticket and opening one at once, no outcome, a callback in the past or without a phone: each
    names its field."""
    with engine.begin() as conn:
        amy, _ = _users(conn)
        for form, field in ((ContactForm(Category.INQUIRY, ticket_id=1, open_ticket=True), "ticket_id"),
                            (ContactForm(Category.INQUIRY), "outcome"),
                            (ContactForm(Category.INQUIRY, resolved=True, callback_at=NOW), "callback_at"),
                            (ContactForm(Category.INQUIRY, resolved=True, callback_at=NOW + dt.timedelta(hours=1)),
                             "phone")):
            with pytest.raises(InvalidInput) as err:
                save_contact(conn, amy, form, now=NOW)
            assert err.value.field == field
