"""The desk pages on SQLite and PostgreSQL, in English and Chinese: the list with filters, a ticket's moves with
an illegal one shown again beside its field, the contact form keeping what was typed, a customer's timeline with
the name masked without view_pii, callbacks, and the complaint report from the KPI layer."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from callops.store.schema import customers, tickets
from desk_site import NOW, api_login, bearer, desk_site
from quality_site import Clock


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with desk_site(engine, Clock(NOW)) as test_client:
        yield test_client


def test_contact_form_to_ticket_to_timeline(client: TestClient, engine: sa.Engine) -> None:
    """An agent records a complaint as an open ticket with a callback; the ticket page moves it; an illegal move
    re-renders with the error at the state and the note kept; the timeline masks the name for the agent."""
    token = api_login(client, "amy")
    bad = client.post("/desk/contact", data={"csrf_token": token, "phone": "12345", "category": "complaint",
                                             "notes": "账单错误", "outcome": "open"})
    assert bad.status_code == 400 and 'id="err-phone"' in bad.text and "账单错误" in bad.text
    saved = client.post("/desk/contact", data={"csrf_token": token, "phone": "13800138000", "category": "complaint",
                                               "notes": "账单错误", "outcome": "open",
                                               "callback_at": "2026-03-03T10:00"}, follow_redirects=False)
    assert saved.status_code == 303
    path = saved.headers["location"]
    tid = int(path.rsplit("/", 1)[1])
    page = client.get(path)
    assert page.status_code == 200 and "Assigned" in page.text and "账单错误" in page.text
    moved = client.post(path, data={"csrf_token": token, "state": "resolved"}, follow_redirects=False)
    assert moved.status_code == 303
    refused = client.post(path, data={"csrf_token": token, "state": "new", "note": "keep me"})
    assert refused.status_code == 400 and 'id="err-state"' in refused.text and "keep me" in refused.text
    with engine.begin() as conn:
        assert conn.execute(sa.select(tickets.c.state).where(tickets.c.id == tid)).scalar_one() == "resolved"
        customer = conn.execute(sa.select(tickets.c.customer_id).where(tickets.c.id == tid)).scalar_one()
        conn.execute(customers.update().where(customers.c.id == customer).values(name="王先生"))
    timeline = client.get(f"/desk/customers/{customer}")
    assert timeline.status_code == 200 and "王先生" not in timeline.text and "•••" in timeline.text
    assert len(re.findall(r'class="kind-callback"', timeline.text)) == 2  # promised + satisfaction follow-up
    boss = TestClient(client.app)
    api_login(boss, "boss")
    assert "王先生" in boss.get(f"/desk/customers/{customer}").text


def test_list_filters_callbacks_and_complaint_report_in_chinese(client: TestClient) -> None:
    """The list filters by category; the callbacks page lists the promised callback; the complaint report counts
    the complaint for team T1; the pages speak Chinese for a zh-CN user."""
    amy = bearer(client, "amy")
    for category in ("complaint", "inquiry"):
        client.post("/api/tickets", json={"category": category, "phone": "13800138000"}, headers=amy)
    token = api_login(client, "amy")
    client.post("/language", data={"csrf_token": token, "locale": "zh-CN"})
    listed = client.get("/desk?category=complaint")
    assert listed.status_code == 200 and "服务台" in listed.text and listed.text.count('href="/desk/tickets/') == 1
    assert client.get("/desk?state=sleeping").status_code == 400
    lead = TestClient(client.app)
    api_login(lead, "lead")
    report = lead.get("/desk/complaints?by=team")
    cells = re.findall(r"<td>(T1)</td>\s*<td class=\"num\">(\d+)</td>", report.text)
    assert report.status_code == 200 and cells == [("T1", "1")]
    qa = TestClient(client.app)
    api_login(qa, "qa1")
    assert qa.get("/desk").status_code == 403


def test_linking_a_number_merges_customers(client: TestClient, engine: sa.Engine) -> None:
    """Linking the second customer's number to the first moves their tickets and removes the second; a bad
    number is shown again at its field; only view_pii may set the name."""
    amy = bearer(client, "amy")
    first = client.post("/api/tickets", json={"category": "inquiry", "phone": "13800138000"}, headers=amy).json()
    second = client.post("/api/tickets", json={"category": "complaint", "phone": "010-8888 6666"},
                         headers=amy).json()
    token = api_login(client, "boss")
    path = f"/desk/customers/{first['customer_id']}"
    bad = client.post(f"{path}/phones", data={"csrf_token": token, "phone": "999"})
    assert bad.status_code == 400 and 'id="err-phone"' in bad.text and 'value="999"' in bad.text
    linked = client.post(f"{path}/phones", data={"csrf_token": token, "phone": "01088886666"},
                         follow_redirects=False)
    assert linked.status_code == 303
    with engine.connect() as conn:
        owners = set(conn.execute(sa.select(tickets.c.customer_id)).scalars())
        left = set(conn.execute(sa.select(customers.c.id)).scalars())
    assert owners == {first["customer_id"]} and left == {first["customer_id"]}
    assert second["customer_id"] != first["customer_id"]
    assert client.post(path, data={"csrf_token": token, "name": "王先生", "notes": "VIP"},
                       follow_redirects=False).status_code == 303
    assert "王先生" in client.get(path).text
    agent = TestClient(client.app)
    agent_token = api_login(agent, "amy")
    assert agent.post(path, data={"csrf_token": agent_token, "name": "x", "notes": ""}).status_code == 403


def test_contact_form_pops_the_current_callers_card(client: TestClient, engine: sa.Engine) -> None:
    """A call answered at A1 from a known customer pops their card and recent ticket on the agent's form, the
    number masked for the agent; saving with the number left blank files the ticket under the live caller."""
    import datetime as dt

    from callops.live import LiveEvent, LiveEventKind
    from callops.store.live_events import append_events

    amy = bearer(client, "amy")
    old = client.post("/api/tickets", json={"category": "inquiry", "phone": "13800138000"}, headers=amy).json()
    at = NOW - dt.timedelta(minutes=3)
    with engine.begin() as conn:
        append_events(conn, [LiveEvent(LiveEventKind.CALL_OFFERED, at, "pbx", call_id="c-1", queue="Q",
                                       caller="13800138000"),
                             LiveEvent(LiveEventKind.CALL_ANSWERED, at + dt.timedelta(seconds=20), "pbx",
                                       call_id="c-1", queue="Q", agent="A1")], now=NOW)
    token = api_login(client, "amy")
    form = client.get("/desk/contact")
    assert 'id="caller-card"' in form.text and f"/desk/tickets/{old['id']}" in form.text
    assert "+86*******8000" in form.text and "13800138000" not in form.text
    saved = client.post("/desk/contact", data={"csrf_token": token, "phone": "", "live_call": "c-1",
                                               "category": "complaint", "outcome": "open"}, follow_redirects=False)
    assert saved.status_code == 303
    made = client.get(f"/api/tickets/{saved.headers['location'].rsplit('/', 1)[1]}", headers=amy).json()
    assert made["customer_id"] == old["customer_id"]
