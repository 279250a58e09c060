"""People pages and API on SQLite and PostgreSQL: the CLI's JSON, view_pii only, audited edits, bad input is 4xx."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.records import Role
from callops.store.directory import save_team
from callops.store.people import person_audit
from callops.store.schema import users
from callops.web import create_app
from people_site import HR, save_forty
from web_sign_in import login, password_hash


@pytest.fixture
def client(engine: sa.Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with engine.begin() as conn:
        save_team(conn, "t1", lead="lead")
        save_team(conn, "t2")
        conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": role.value,
                                       "agent_id": agent, "locale": locale, "tz": "Asia/Shanghai", "active": True}
                                      for name, role, agent, locale in (("boss", Role.MANAGER, None, "en"),
                                                                        ("lead", Role.TEAM_LEAD, None, "en"),
                                                                        ("amy", Role.AGENT, "a1", "zh-CN"))])
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    assert CliRunner().invoke(cli, ["people", "import", str(tmp_path / "hr.csv")]).exit_code == 0
    with TestClient(create_app(Settings(database_url=db_url, secret_key="test-secret"))) as test_client:
        yield test_client


def _cli_json(*args: str) -> object:
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_api_gives_the_cli_json_to_managers_only(client: TestClient) -> None:
    client.headers["X-CSRF-Token"] = login(client, "boss")
    api = client.get("/api/people/attrition", params={"from": "2024-01-01", "to": "2024-06-30", "grain": "quarter",
                                                      "by": "team"})
    assert api.status_code == 200
    assert api.json() == _cli_json("people", "attrition", "--from", "2024-01-01", "--to", "2024-06-30", "--grain",
                                   "quarter", "--by", "team")
    survival = client.get("/api/people/survival", params={"as_of": "2024-06-01", "by": "cohort"}).json()
    assert survival == _cli_json("people", "survival", "--as-of", "2024-06-01", "--by", "cohort")
    assert client.get("/api/people/a3").json()["spells"][1]["position"] == "senior"
    bad = client.get("/api/people/attrition", params={"from": "2024-01-01", "grain": "week"})
    assert bad.status_code == 400 and "grain" in bad.text
    assert client.get("/api/people/attrition", params={"from": "2024-13-01"}).status_code == 400
    assert client.get("/api/people/nobody").status_code == 404


def test_leads_and_agents_see_no_records_but_an_agent_sees_their_own(client: TestClient) -> None:
    login(client, "lead")
    assert client.get("/api/people/attrition").status_code == 403
    assert client.get("/people", follow_redirects=False).status_code == 403
    client.cookies.clear()
    login(client, "amy")
    assert client.get("/api/people/a2").status_code == 403
    assert client.get("/people/a2", follow_redirects=False).status_code == 403
    mine = client.get("/api/people/me").json()
    assert mine["person"] == "a1" and mine["spells"][0]["start_on"] == "2024-01-01"
    page = client.get("/people/me")
    assert page.status_code == 200 and "2024-01-01" in page.text and "2024-01-15" not in page.text


def test_edit_is_validated_and_audited(client: TestClient, engine: sa.Engine) -> None:
    token = login(client, "boss")
    form = {"csrf_token": token, "start_on": ["2024-01-01", "2024-04-01"], "end_on": ["", "2024-05-01"],
            "team": ["t1", "t2"], "position": ["agent", "senior"], "contract": ["", "part_time"],
            "exit_reason": ["", "transferred_out"], "destination": ["", "sales"]}
    saved = client.post("/people/a1", data=form, follow_redirects=False)
    assert saved.status_code == 303
    with engine.connect() as conn:
        (edit,) = [a for a in person_audit(conn, "a1") if a["action"] == "person.edited"]
    assert edit["actor"] == "boss" and len(edit["details"]["after"]) == 2
    assert client.get("/api/people/a1").json()["spells"][1]["destination"] == "sales"
    bad = dict(form, end_on=["2023-12-01", ""], exit_reason=["pay", ""])
    refused = client.post("/people/a1", data=bad, follow_redirects=False)
    assert refused.status_code == 400 and "field end_on" in refused.text
    # the edit form comes back as typed, the error above it naming the row
    assert 'id="person-form"' in refused.text and 'value="2023-12-01"' in refused.text
    assert re.search(r'id="form-error"[^>]*>row \d+, field end_on', refused.text)
    unknown = dict(form, team=["ghost", "t2"])
    assert client.post("/people/a1", data=unknown, follow_redirects=False).status_code == 400
    with engine.connect() as conn:
        assert len(person_audit(conn, "a1")) == 2
    page = client.get("/people")
    assert page.status_code == 200 and "attrition-chart" in page.text and "survival-chart" in page.text
    assert client.get("/people", params={"grain": "fortnight"}).status_code == 400


def test_warning_is_for_managers_and_own_leads_only(client: TestClient, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        save_forty(conn)
    login(client, "amy")
    assert client.get("/api/people/warning").status_code == 403
    assert client.get("/people/warning", follow_redirects=False).status_code == 403
    client.cookies.clear()
    login(client, "lead")  # lead of t1
    mine = client.get("/api/people/warning", params={"as_of": "2024-06-30"}).json()
    assert mine["agents"] and {a["team"] for a in mine["agents"]} == {"t1"}
    assert mine["model"]["coefficients"][0]["signal"] == "away_share"
    page = client.get("/people/warning", params={"as_of": "2024-06-30"})
    assert page.status_code == 200 and "coefficients-table" in page.text and ">p02<" not in page.text
    client.cookies.clear()
    login(client, "boss")
    everyone = client.get("/api/people/warning", params={"as_of": "2024-06-30"}).json()
    assert {a["team"] for a in everyone["agents"]} == {"t1", "t2"}
    assert client.get("/api/people/warning", params={"as_of": "junk"}).status_code == 400
    early = client.get("/people/warning", params={"as_of": "2023-02-01"})
    assert early.status_code == 200 and "warning-problem" in early.text


def test_team_page_load_and_coaching_for_own_leads(client: TestClient, engine: sa.Engine) -> None:
    import datetime as dt

    from callops.records import AgentInterval, AgentState, Call, Direction, IssueCategory, Outcome
    from callops.store.records import insert_calls, insert_intervals

    at = dt.datetime(2024, 4, 2, 10, tzinfo=dt.UTC)
    with engine.begin() as conn:
        insert_calls(conn, [Call("t", f"k{i}", Direction.INBOUND, Outcome.ANSWERED, queue="q", queue_entered_at=at,
                                 answered_at=at + dt.timedelta(minutes=i), agent=agent, talk_s=60.0,
                                 issue_category=IssueCategory.COMPLAINT)
                            for i, agent in enumerate(["a1", "a1", "a4"])])
        insert_intervals(conn, [AgentInterval("t", "a1", AgentState.RECOVERY, at, at + dt.timedelta(seconds=30))])
    token = login(client, "lead")  # lead of t1: a1 (and a2, a3 in their t1 days); not a4 (t2)
    load = client.get("/api/people/load", params={"from": "2024-04-01", "to": "2024-04-28"}).json()
    assert [(w["person"], w["distressing"], w["recovery_taken_s"]) for w in load] == [("a1", 2, 30.0)]
    assert client.get("/api/people/load", params={"from": "2024-01-01", "to": "2024-12-31"}).status_code == 400
    form = {"csrf_token": token, "agent": "a1", "held_on": "2024-04-03", "kind": "coaching", "topic": "Complaints",
            "call_ids": "", "actions": "Take the recovery minute", "follow_up_on": "2024-04-17"}
    assert client.post("/people/team/coaching", data=form, follow_redirects=False).status_code == 303
    assert client.post("/people/team/coaching", data=dict(form, agent="a4"), follow_redirects=False).status_code == 403
    assert client.post("/people/team/coaching", data=dict(form, held_on="someday"),
                       follow_redirects=False).status_code == 400
    page = client.get("/people/team", params={"to": "2024-04-28"})
    assert page.status_code == 200 and "Take the recovery minute" in page.text and "load-table" in page.text
    assert client.get("/api/people/ramp").status_code == 403  # cohorts are view_pii
    client.cookies.clear()
    login(client, "amy")  # agent a1 sees her own session, not the team page
    assert [s["topic"] for s in client.get("/api/people/coaching").json()] == ["Complaints"]
    assert client.get("/people/team", follow_redirects=False).status_code == 403
    assert "Take the recovery minute" in client.get("/people/me").text
    client.cookies.clear()
    client.headers["X-CSRF-Token"] = login(client, "boss")
    made = client.post("/api/people/coaching", json={"agent": "a4", "held_on": "2024-04-05", "kind": "recognition",
                                                      "topic": "Best call"})
    assert made.status_code == 201
    assert len(client.get("/api/people/coaching").json()) == 2
    assert client.post("/api/people/coaching", json={"agent": "a4", "held_on": "x", "topic": "t"}).status_code == 400
    ramp = client.get("/api/people/ramp", params={"from": "2024-01-01", "to": "2024-01-31", "weeks": 20}).json()
    assert [(p["cohort"], p["week"], p["calls"]) for p in ramp] == [("2024-01", 14, 2)]  # 2024-04-02 is day 92
    assert client.get("/api/people/ramp", params={"weeks": 60}).status_code == 400
    dashboard = client.get("/people", params={"from": "2024-01-01", "to": "2024-12-31"})
    assert dashboard.status_code == 200 and "No calls by people hired in this span yet." in dashboard.text  # wk 14
