"""The tickets API on SQLite and PostgreSQL: open, list by state and category, move through the states with
every change audited, illegal moves refused naming both states, rights by role and team, CSRF for cookies."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from callops.store.schema import ticket_events, tickets
from desk_site import NOW, bearer, desk_site
from quality_site import Clock
from web_sign_in import PASSWORD


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def client(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    with desk_site(engine, clock) as test_client:
        yield test_client


def _open(client: TestClient, who: dict[str, str], **body: object) -> dict[str, object]:
    response = client.post("/api/tickets", json={"category": "inquiry", "phone": "138 0013 8000", **body},
                           headers=who)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_open_list_and_filter(client: TestClient) -> None:
    """A ticket opened by an agent is theirs, assigned, with a normalised phone and SLA due times; the list
    filters by state and category."""
    amy = bearer(client, "amy")
    made = _open(client, amy, category="complaint", subject="bill wrong")
    assert made["owner"] == "A1" and made["state"] == "assigned" and made["ref"] == f"T{made['id']}"
    assert made["phone_masked"] is True and made["phone"] != "+8613800138000"
    # complaint: first response 60 business minutes after Monday 10:00 Shanghai = 11:00 = 03:00 UTC
    assert made["response_due_at"] == "2026-03-02T03:00:00+00:00"
    assert made["resolution_due_at"] == "2026-03-02T10:00:00+00:00"  # 8 business hours: 18:00 Shanghai
    _open(client, amy, category="inquiry")
    boss = bearer(client, "boss")
    listed = client.get("/api/tickets?state=assigned&category=complaint", headers=boss).json()
    assert [t["id"] for t in listed] == [made["id"]]
    assert listed[0]["phone"] == "+8613800138000"  # the manager has view_pii
    assert len(client.get("/api/tickets?category=inquiry", headers=boss).json()) == 1
    bad = client.get("/api/tickets?state=sleeping", headers=boss)
    assert bad.status_code == 400 and bad.json()["field"] == "state"


def test_transitions_are_audited_and_illegal_ones_refused(client: TestClient, engine: sa.Engine,
                                                          clock: Clock) -> None:
    """assigned → in progress → waiting → resolved → closed → reopened: one event each; closed → resolved is
    refused (400 naming both states) and leaves the ticket as it was."""
    amy = bearer(client, "amy")
    tid = _open(client, amy)["id"]
    for state in ("in_progress", "waiting_department", "in_progress", "resolved"):
        clock.now += dt.timedelta(minutes=10)
        response = client.patch(f"/api/tickets/{tid}", json={"state": state}, headers=amy)
        assert response.status_code == 200, response.text
    assert response.json()["resolved_at"] == (NOW + dt.timedelta(minutes=40)).isoformat()
    assert client.patch(f"/api/tickets/{tid}", json={"state": "closed"}, headers=amy).status_code == 200
    refused = client.patch(f"/api/tickets/{tid}", json={"state": "resolved", "note": "x"}, headers=amy)
    assert refused.status_code == 400
    body = refused.json()
    assert body["field"] == "state" and "closed" in body["message"] and "resolved" in body["message"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(tickets.c.state).where(tickets.c.id == tid)).scalar_one() == "closed"
        kinds = list(conn.execute(sa.select(ticket_events.c.kind).where(ticket_events.c.ticket_id == tid)
                                  .order_by(ticket_events.c.id)).scalars())
    assert kinds == ["opened", "transition", "transition", "transition", "transition", "transition"]
    reopened = client.patch(f"/api/tickets/{tid}", json={"state": "in_progress"}, headers=amy).json()
    assert reopened["state"] == "in_progress" and reopened["resolved_at"] is None
    history = client.get(f"/api/tickets/{tid}", headers=amy).json()["events"]
    assert history[-1]["kind"] == "reopen" and history[-1]["from_state"] == "closed"


def test_complaint_escalates_to_the_lead_then_the_manager(client: TestClient, clock: Clock) -> None:
    """A complaint whose notes say the customer will go over our heads is escalated at level 1 (team lead);
    repeated contacts add a second reason: level 2 (manager)."""
    amy = bearer(client, "amy")
    made = _open(client, amy, category="complaint", notes="客户说要投诉到12315")
    assert made["escalated"] is True and made["escalation_level"] == 1 and made["wants_escalation"] is True
    tid = made["id"]
    for _ in range(2):
        ticket = client.patch(f"/api/tickets/{tid}", json={"contact": True}, headers=amy).json()
    assert ticket["contacts"] == 3 and ticket["escalation_level"] == 2
    events = client.get(f"/api/tickets/{tid}", headers=amy).json()["events"]
    escalations = [e["detail"] for e in events if e["kind"] == "escalated"]
    assert [e["notified"] for e in escalations] == ["team_lead", "manager"]
    plain = _open(client, amy, category="complaint")
    assert plain["escalation_level"] == 0
    clock.now = NOW + dt.timedelta(days=1)  # past its 8 business hours
    late = client.patch(f"/api/tickets/{plain['id']}", json={"note": "called back"}, headers=amy).json()
    assert late["escalation_level"] == 1


def test_rights_follow_role_and_team(client: TestClient) -> None:
    """An agent sees their own and unassigned tickets, the lead their team's, QA none (403); nobody outside
    the scope can open another agent's ticket."""
    amy, bob, cid = bearer(client, "amy"), bearer(client, "bob"), bearer(client, "cid")
    t_amy = _open(client, amy)["id"]
    t_cid = _open(client, cid)["id"]
    assert client.get(f"/api/tickets/{t_amy}", headers=bob).status_code == 403
    assert {t["id"] for t in client.get("/api/tickets", headers=bob).json()} == set()
    lead = bearer(client, "lead")
    assert {t["id"] for t in client.get("/api/tickets", headers=lead).json()} == {t_amy}
    assert client.patch(f"/api/tickets/{t_cid}", json={"state": "in_progress"}, headers=lead).status_code == 403
    assert client.get("/api/tickets", headers=bearer(client, "qa1")).status_code == 403
    assert client.post("/api/tickets", json={"category": "inquiry", "owner": "C1"}, headers=amy).status_code == 403


def test_bad_input_names_the_field(client: TestClient) -> None:
    """A malformed phone, an unknown category and an empty change are 400 naming their field; nothing stored."""
    amy = bearer(client, "amy")
    bad_phone = client.post("/api/tickets", json={"category": "inquiry", "phone": "12345"}, headers=amy)
    assert bad_phone.status_code == 400 and bad_phone.json()["field"] == "phone"
    bad_cat = client.post("/api/tickets", json={"category": "gossip"}, headers=amy)
    assert bad_cat.status_code == 400 and bad_cat.json()["field"] == "category"
    assert client.get("/api/tickets", headers=bearer(client, "boss")).json() == []
    tid = _open(client, amy)["id"]
    empty = client.patch(f"/api/tickets/{tid}", json={}, headers=amy)
    assert empty.status_code == 400 and empty.json()["field"] == "body"
    assert client.patch(f"/api/tickets/{tid}", json={"state": "assigned", "owner": ""},
                        headers=amy).json()["field"] == "owner"


def test_cookie_sessions_need_the_csrf_token(client: TestClient) -> None:
    """POST and PATCH with the session cookie answer 403 without X-CSRF-Token and work with it."""
    body = client.post("/api/login", json={"username": "amy", "password": PASSWORD}).json()
    assert client.post("/api/tickets", json={"category": "inquiry"}).status_code == 403
    made = client.post("/api/tickets", json={"category": "inquiry"}, headers={"X-CSRF-Token": body["csrf_token"]})
    assert made.status_code == 201
    tid = made.json()["id"]
    assert client.patch(f"/api/tickets/{tid}", json={"state": "in_progress"}).status_code == 403
    assert client.patch(f"/api/tickets/{tid}", json={"state": "in_progress"},
                        headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 200


def test_the_sweep_escalates_complaints_past_due(client: TestClient, engine: sa.Engine) -> None:
    """Without any change to it, a complaint past its 8 business hours is escalated by the sweep (level 1, by
    ``sla``), once; an inquiry past due is not."""
    from callops.services.desk import escalate_past_due

    amy = bearer(client, "amy")
    complaint = _open(client, amy, category="complaint")["id"]
    _open(client, amy, category="inquiry")
    with engine.begin() as conn:
        assert escalate_past_due(conn, now=NOW + dt.timedelta(hours=1)) == 0
        assert escalate_past_due(conn, now=NOW + dt.timedelta(days=1)) == 1
        assert escalate_past_due(conn, now=NOW + dt.timedelta(days=1)) == 0
    ticket = client.get(f"/api/tickets/{complaint}", headers=amy).json()
    assert ticket["escalation_level"] == 1 and ticket["events"][-1]["actor"] == "sla"


def test_callbacks_and_customer_api(client: TestClient, clock: Clock) -> None:
    """Resolving a ticket lists its satisfaction callback, overdue after its due time; attempts move it; the
    customer's timeline hides the name from an agent and shows it to the manager."""
    amy = bearer(client, "amy")
    made = _open(client, amy)
    client.patch(f"/api/tickets/{made['id']}", json={"state": "resolved"}, headers=amy)
    [callback] = client.get("/api/callbacks", headers=amy).json()
    assert callback["source"] == "ticket" and callback["overdue"] is False
    assert client.get("/api/callbacks?overdue=true", headers=amy).json() == []
    clock.now = NOW + dt.timedelta(days=1)
    assert [c["id"] for c in client.get("/api/callbacks?overdue=true", headers=amy).json()] == [callback["id"]]
    tried = client.post(f"/api/callbacks/{callback['id']}/attempts", json={"outcome": "busy"}, headers=amy)
    assert tried.status_code == 200 and tried.json()["attempts"] == 1 and tried.json()["status"] == "open"
    bad = client.post(f"/api/callbacks/{callback['id']}/attempts", json={"outcome": "maybe"}, headers=amy)
    assert bad.status_code == 400 and bad.json()["field"] == "outcome"
    done = client.post(f"/api/callbacks/{callback['id']}/attempts", json={"outcome": "reached"}, headers=amy)
    assert done.json()["status"] == "done"
    customer = client.get(f"/api/customers/{made['customer_id']}", headers=amy).json()
    assert customer["phones"] != ["+8613800138000"] and {i["kind"] for i in customer["timeline"]} == {"ticket",
                                                                                                    "callback"}
    boss = client.get(f"/api/customers/{made['customer_id']}", headers=bearer(client, "boss")).json()
    assert boss["phones"] == ["+8613800138000"]
