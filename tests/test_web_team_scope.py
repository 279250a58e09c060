"""Team scoping on SQLite and PostgreSQL: a team lead sees only the agents of the teams they lead (calls, agents,
KPIs, exports); an agent only their own calls; a manager everything; a lead of no team nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Agent, Call, Direction, Outcome, Role
from callops.store.directory import save_agent, save_team
from callops.store.records import insert_calls
from callops.web import create_app
from web_sign_in import insert_users, login

SH = ZoneInfo("Asia/Shanghai")
DAY = "2026-03-02"
# a1 (team t1) takes 2 calls, b1 (team t2) 3; the lead of t1 must count 2, the manager 5
CALLS = {"a1": 2, "b1": 3}


def _call(n: int, agent: str) -> Call:
    start = dt.datetime(2026, 3, 2, 9, n, tzinfo=SH)
    return Call(source="test", source_call_id=f"{agent}-{n}", direction=Direction.INBOUND, outcome=Outcome.ANSWERED,
                queue="sales", queue_entered_at=start, answered_at=start + dt.timedelta(seconds=5),
                ended_at=start + dt.timedelta(seconds=65), agent=agent, talk_s=60.0)


@pytest.fixture
def client(engine: sa.Engine, db_url: str) -> Iterator[TestClient]:
    with engine.begin() as conn:
        save_team(conn, "t1", lead="lead1")
        save_team(conn, "t2", lead="lead2")
        save_agent(conn, Agent("a1", "Amy", team="t1"))
        save_agent(conn, Agent("b1", "Bob", team="t2"))
        insert_calls(conn, [_call(i + 10 * k, agent) for k, (agent, n) in enumerate(CALLS.items()) for i in range(n)])
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("lead1", Role.TEAM_LEAD, None, "en"),
                            ("idle", Role.TEAM_LEAD, None, "en"), ("amy", Role.AGENT, "a1", "en")])
    with TestClient(create_app(Settings(database_url=db_url, secret_key="test-secret"))) as test_client:
        yield test_client


def _api_agents_of_calls(client: TestClient) -> dict[str, int]:
    items = client.get("/api/calls", params={"limit": 100}).json()["items"]
    out: dict[str, int] = {}
    for item in items:
        out[item["agent"]] = out.get(item["agent"], 0) + 1
    return out


def _offered(client: TestClient) -> float:
    rows = client.get("/api/reports/kpi", params={"from": DAY, "to": DAY, "grain": "total", "kpis": "offered"})
    assert rows.status_code == 200, rows.text
    return float(rows.json()[0]["offered"] or 0) if rows.json() else 0.0


def _export_agents(client: TestClient) -> set[str]:
    got = client.get("/reports/export", params={"from": DAY, "to": DAY, "grain": "total", "by": "agent",
                                                 "kpis": "offered", "format": "csv"})
    assert got.status_code == 200, got.text
    return {row[1] for row in list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))[1:]}  # period, agent


def test_lead_sees_only_their_teams_agents(client: TestClient) -> None:
    login(client, "lead1")
    assert _api_agents_of_calls(client) == {"a1": 2}
    assert client.get("/api/calls", params={"agent": "b1"}).status_code == 403
    b1_call = client.get("/api/calls", params={"limit": 1}).json()["items"][0]["id"] + CALLS["a1"]
    assert client.get(f"/api/calls/{b1_call}").status_code == 403
    assert client.get(f"/calls/{b1_call}").status_code == 403
    page = client.get("/calls", params={"from": DAY, "to": DAY})
    assert page.status_code == 200 and ">a1<" in page.text and ">b1<" not in page.text
    assert {a["agent_id"] for a in client.get("/api/agents").json()} == {"a1"}
    agents_page = client.get("/agents", params={"from": DAY, "to": DAY})
    assert agents_page.status_code == 200 and "Amy" in agents_page.text and "Bob" not in agents_page.text
    assert _offered(client) == 2
    assert _export_agents(client) == {"a1"}
    xlsx = client.get("/reports/export", params={"from": DAY, "to": DAY, "grain": "total", "by": "agent",
                                                 "kpis": "offered", "format": "xlsx"})
    cells = _xlsx_cells(xlsx.content)
    assert xlsx.status_code == 200 and "a1" in cells and "b1" not in cells
    scorecards = client.get("/api/reports/agents", params={"from": DAY, "to": DAY})
    assert [r["agent"] for r in scorecards.json()] == ["a1"]
    cards = client.get("/reports/agents", params={"from": DAY, "to": DAY})
    assert cards.status_code == 200 and ">a1<" in cards.text and not _mentions(cards.text, "b1")
    for url in ("/reports", f"/reports/daily?date={DAY}", f"/reports/builder?from={DAY}&to={DAY}&by=agent"):
        shown = client.get(url)
        assert shown.status_code == 200 and not _mentions(shown.text, "b1"), url


def test_lead_of_no_team_sees_nothing(client: TestClient) -> None:
    login(client, "idle")
    assert _api_agents_of_calls(client) == {}
    assert client.get("/api/agents").json() == []
    assert _offered(client) == 0
    assert _export_agents(client) == set()


def test_agent_sees_own_calls_and_manager_sees_all(client: TestClient) -> None:
    login(client, "amy")
    assert _api_agents_of_calls(client) == {"a1": 2}
    assert client.get("/api/calls", params={"agent": "b1"}).status_code == 403
    client.cookies.clear()
    login(client, "boss")
    assert _api_agents_of_calls(client) == CALLS
    page = client.get("/calls", params={"from": DAY, "to": DAY})
    assert ">a1<" in page.text and ">b1<" in page.text
    assert {a["agent_id"] for a in client.get("/api/agents").json()} == {"a1", "b1"}
    assert _offered(client) == 5
    assert _export_agents(client) == {"a1", "b1"}
    for url in ("/reports/agents", f"/reports/builder?from={DAY}&to={DAY}&by=agent"):
        assert "b1" in client.get(url, params={"from": DAY, "to": DAY} if url == "/reports/agents" else None).text


def _mentions(html: str, agent: str) -> bool:
    """Whether ``agent`` stands in ``html`` as a word of its own (not inside a random token such as the CSRF one,
    whose characters are letters, digits, '-' and '_')."""
    return re.search(rf"(?<![A-Za-z0-9_-]){re.escape(agent)}(?![A-Za-z0-9_-])", html) is not None


def _xlsx_cells(content: bytes) -> set[str]:
    """Every cell value of every sheet of an XLSX file, as text (the file itself is compressed bytes)."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
            if v is not None}
