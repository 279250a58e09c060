"""The desk catalogue on SQLite and PostgreSQL: the category tree edited on its admin page (a bad key shown
again beside its field, every change in the audit log, a retired category refused on the contact form while its
tickets keep it), scripts edited by QA and found from the agent screen with their reading time, CSAT surveys
imported (atomic, idempotent, errors naming the line) or typed on the agent screen, both read by the csat KPIs,
after-call work measured from a call's end to the save of its form, and FCR by tickets with the N-day rule."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from callops.cli import cli
from callops.live import LiveEvent, LiveEventKind
from callops.records import Call, Direction, Outcome
from callops.store.live_events import append_events
from callops.store.records import insert_calls
from callops.store.schema import audit_log, calls, csat_surveys, desk_categories, desk_contacts, tickets
from desk_site import NOW, api_login, bearer, desk_site
from quality_site import Clock

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with desk_site(engine, Clock(NOW)) as test_client:
        yield test_client


def _as(client: TestClient, username: str) -> tuple[TestClient, str]:
    other = TestClient(client.app)
    return other, api_login(other, username)


def _call(n: int, agent: str, minutes_ago: int) -> Call:
    at = NOW - dt.timedelta(minutes=minutes_ago)
    return Call(source="pbx", source_call_id=f"c-{n}", direction=Direction.INBOUND, outcome=Outcome.ANSWERED,
                queue="Q", caller_number="+8613800138000", queue_entered_at=at,
                answered_at=at + dt.timedelta(seconds=5), ended_at=at + dt.timedelta(seconds=65), agent=agent,
                talk_s=60.0)


def _run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"CALLOPS_DATABASE_URL": db_url})
    return result.exit_code, result.output


def test_category_tree_admin_page_audit_and_retirement(client: TestClient, engine: sa.Engine) -> None:
    """The manager adds a second-level complaint category, a bad key comes back beside its field with the
    labels kept, a rename and a retirement are audited; an agent files a ticket under the new category (its kind
    is complaint, so it counts as one), and once it is retired the contact form refuses it naming the field
    while the ticket keeps it. An agent may not open the admin page."""
    boss, token = _as(client, "boss")
    page = boss.get("/desk/categories")
    assert page.status_code == 200 and 'id="cat-complaint"' in page.text and "投诉" in page.text
    bad = boss.post("/desk/categories", data={"csrf_token": token, "key": "Billing Dispute", "parent": "complaint",
                                              "label_en": "Billing dispute", "label_zh": "账单争议"})
    assert bad.status_code == 400 and 'id="err-key"' in bad.text and "账单争议" in bad.text
    made = boss.post("/desk/categories", data={"csrf_token": token, "key": "billing_dispute", "parent": "complaint",
                                               "label_en": "Billing dispute", "label_zh": "账单争议"},
                     follow_redirects=False)
    assert made.status_code == 303
    renamed = boss.post("/desk/categories/billing_dispute", data={"csrf_token": token, "label_en": "Billing",
                                                                  "label_zh": "账单问题"}, follow_redirects=False)
    assert renamed.status_code == 303
    amy, amy_token = _as(client, "amy")
    assert amy.get("/desk/categories").status_code == 403
    form = amy.get("/desk/contact")
    assert 'value="billing_dispute"' in form.text and "↳ Billing" in form.text
    by_api = client.post("/api/tickets", json={"category": "Billing-Dispute", "phone": "13800138000"},
                         headers=bearer(client, "amy")).json()
    assert (by_api["category"], by_api["category_key"]) == ("complaint", "billing_dispute")
    saved = amy.post("/desk/contact", data={"csrf_token": amy_token, "phone": "13800138000",
                                            "category": "billing_dispute", "outcome": "open"}, follow_redirects=False)
    assert saved.status_code == 303
    tid = int(saved.headers["location"].rsplit("/", 1)[1])
    assert boss.post("/desk/categories/billing_dispute/retire", data={"csrf_token": token, "retired": "1"},
                     follow_redirects=False).status_code == 303
    refused = amy.post("/desk/contact", data={"csrf_token": amy_token, "phone": "13800138000", "notes": "again",
                                              "category": "billing_dispute", "outcome": "open"})
    assert refused.status_code == 400 and 'id="err-category"' in refused.text and "again" in refused.text
    api = client.get(f"/api/tickets/{tid}", headers=bearer(client, "amy")).json()
    assert (api["category"], api["category_key"]) == ("complaint", "billing_dispute")
    assert 'id="ticket-category">Billing</dd>' in amy.get(f"/desk/tickets/{tid}").text  # its node's new label
    with engine.connect() as conn:
        actions = list(conn.execute(sa.select(audit_log.c.action).where(audit_log.c.entity == "desk_category")
                                    .order_by(audit_log.c.id)).scalars())
        retired = conn.execute(sa.select(desk_categories.c.retired_at).where(
            desk_categories.c.key == "billing_dispute")).scalar_one()
        assert conn.execute(sa.select(tickets.c.category_key).where(tickets.c.id == tid)).scalar_one() \
            == "billing_dispute"
    assert actions == ["desk_category.added", "desk_category.renamed", "desk_category.retired"]
    assert retired is not None
    audit = boss.get("/admin/audit?entity=desk_category")
    assert audit.status_code == 200 and "category renamed" in audit.text
    amy_api = bearer(client, "amy")
    again = client.post("/api/tickets", json={"category": "billing_dispute", "phone": "13800138000"}, headers=amy_api)
    assert again.status_code == 400 and again.json()["field"] == "category"
    listed = boss.get("/desk/categories")
    assert 'id="restore-billing_dispute"' in listed.text
    lone = boss.post("/desk/categories/nope", data={"csrf_token": token, "label_en": "x", "label_zh": "y"})
    assert lone.status_code == 400 and "not a category" in lone.text


def test_scripts_edited_by_qa_found_by_agents_with_reading_time(client: TestClient, engine: sa.Engine) -> None:
    """QA adds a Chinese and an English script (a blank title comes back beside its field); the agent's search
    finds them by word, case-insensitively, within a category, with length and reading time; a retired script
    is not found; an agent may not edit scripts; an overlong query is 400 naming q."""
    qa, token = _as(client, "qa1")
    assert qa.get("/desk/scripts").status_code == 200
    bad = qa.post("/desk/scripts", data={"csrf_token": token, "category": "complaint", "title": " ",
                                         "body": "您好", "language": "zh-CN"})
    assert bad.status_code == 400 and 'id="err-new-title"' in bad.text and "您好" in bad.text
    zh_body = "您好，非常抱歉给您带来不便。我已记录您的账单问题，会在两小时内回电。"
    for title, body, language in (("账单投诉安抚", zh_body, "zh-CN"),
                                  ("Billing apology", "We are sorry about the Billing error on your bill.", "en")):
        assert qa.post("/desk/scripts", data={"csrf_token": token, "category": "complaint", "title": title,
                                              "body": body, "language": language},
                       follow_redirects=False).status_code == 303
    amy = bearer(client, "amy")
    found = client.get("/api/desk/scripts?q=BILLING&category=complaint", headers=amy).json()
    assert [s["title"] for s in found] == ["Billing apology"]
    assert (found[0]["length"], found[0]["unit"], found[0]["rate_per_min"]) == (10, "words", [130, 160])
    zh = client.get("/api/desk/scripts?q=账单", headers=amy).json()
    assert [s["title"] for s in zh] == ["账单投诉安抚"]
    # 30 characters read at 250 and at 180 a minute
    assert (zh[0]["length"], zh[0]["unit"], zh[0]["reading_s"]) == (30, "characters", [7.2, 10.0])
    assert client.get("/api/desk/scripts?q=账单&category=inquiry", headers=amy).json() == []
    assert client.get("/api/desk/scripts?q=" + "x" * 101, headers=amy).status_code in (400, 422)
    many = client.get("/api/desk/scripts?q=a+b+c+d+e+f", headers=amy)
    assert many.status_code == 400 and many.json()["field"] == "q"
    agent, agent_token = _as(client, "amy")
    page = agent.get("/desk/contact?q=账单")
    assert 'id="found-script-' in page.text and "30 characters" in page.text and "180–250 characters" in page.text
    assert agent.post("/desk/scripts", data={"csrf_token": agent_token, "category": "complaint", "title": "x",
                                             "body": "y", "language": "en"}).status_code == 403
    sid = zh[0]["id"]
    assert qa.post(f"/desk/scripts/{sid}/retire", data={"csrf_token": token, "retired": "1"},
                   follow_redirects=False).status_code == 303
    assert client.get("/api/desk/scripts?q=账单", headers=amy).json() == []
    with engine.connect() as conn:
        actions = list(conn.execute(sa.select(audit_log.c.action).where(audit_log.c.entity == "desk_script")
                                    .order_by(audit_log.c.id)).scalars())
    assert actions == ["desk_script.added", "desk_script.added", "desk_script.retired"]


def test_csat_import_is_atomic_idempotent_and_feeds_the_kpis(client: TestClient, engine: sa.Engine,
                                                             tmp_path: Path) -> None:
    """Two surveys import onto their calls (csat 4 and 2, mean 3 over 2 responses at every grain); re-importing
    adds none; a file with an unknown call on line 3 writes nothing and names the line; a different score for a
    surveyed call is refused. The agent types a survey for their own call on the agent screen; a bad score comes
    back beside its field; another agent's call is refused."""
    with engine.begin() as conn:
        insert_calls(conn, [_call(1, "A1", 50), _call(2, "A1", 40), _call(3, "C1", 30)])
    db_url = engine.url.render_as_string(hide_password=False)
    good = tmp_path / "csat.csv"
    good.write_text("call,score,channel,at\nc-1,4,ivr,2026-03-02T09:20:00+08:00\nc-2,2,sms,2026-03-02T01:30:00Z\n",
                    encoding="utf-8")
    assert _run(db_url, "csat", "import", str(good), "--json") == (0, '{"inserted": 2, "duplicates": 0}\n')
    assert _run(db_url, "csat", "import", str(good), "--json") == (0, '{"inserted": 0, "duplicates": 2}\n')
    broken = tmp_path / "broken.csv"
    broken.write_text("call,score,channel,at\nc-3,5,ivr,2026-03-02T09:40:00+08:00\nc-9,5,ivr,"
                      "2026-03-02T09:40:00+08:00\n", encoding="utf-8")
    code, out = _run(db_url, "csat", "import", str(broken))
    assert code != 0 and "line 3, field call: no call 'c-9'" in out
    changed = tmp_path / "changed.csv"
    changed.write_text("call,score,channel,at\nc-1,1,ivr,2026-03-02T09:20:00+08:00\n", encoding="utf-8")
    code, out = _run(db_url, "csat", "import", str(changed))
    assert code != 0 and "line 2, field call: call 'c-1' already has a survey (score 4" in out
    for grain in ("day", "hour", "total"):
        code, out = _run(db_url, "report", "kpi", "--kpis", "csat,csat_responses", "--grain", grain, "--tz",
                         "Asia/Shanghai", "--format", "json", "--from", "2026-03-02", "--to", "2026-03-02")
        assert code == 0, out
        rows = [r for r in json.loads(out) if r["csat_responses"]]
        assert sum(r["csat_responses"] for r in rows) == 2, grain
        if grain != "hour":
            assert rows[0]["csat"] == 3.0
    amy, token = _as(client, "amy")
    bad = amy.post("/desk/csat", data={"csrf_token": token, "csat_call": "c-2", "csat_score": "9",
                                       "csat_channel": "sms"})
    assert bad.status_code == 400 and 'id="err-csat_score"' in bad.text and 'value="c-2"' in bad.text
    ok = amy.post("/desk/csat", data={"csrf_token": token, "csat_call": "c-2", "csat_score": "5",
                                      "csat_channel": "sms"}, follow_redirects=False)
    assert ok.status_code == 303 and 'id="csat-saved"' in amy.get(ok.headers["location"]).text
    assert amy.post("/desk/csat", data={"csrf_token": token, "csat_call": "c-3", "csat_score": "5",
                                        "csat_channel": "ivr"}).status_code == 403
    with engine.connect() as conn:
        scores = dict(conn.execute(sa.select(calls.c.source_call_id, calls.c.csat)).all())
        surveys = conn.execute(sa.select(sa.func.count()).select_from(csat_surveys)).scalar_one()
    assert scores == {"c-1": 4, "c-2": 5, "c-3": None} and surveys == 2
    code, out = _run(db_url, "report", "kpi", "--kpis", "csat", "--grain", "total", "--tz", "UTC", "--format",
                     "json", "--from", "2026-03-02", "--to", "2026-03-02")
    assert json.loads(out)[0]["csat"] == 4.5


def test_after_call_work_is_measured_from_the_call_end_to_the_form(client: TestClient, engine: sa.Engine) -> None:
    """A call rings, is answered and ends at A1; the agent saves its form 45 s after the end: 45 s of ACW on
    the contact row and in the desk_acw_s KPI (a form without a live call counts but measures none); a form naming
    another agent's live call measures nothing."""
    end = NOW - dt.timedelta(seconds=45)
    with engine.begin() as conn:
        append_events(conn, [
            LiveEvent(LiveEventKind.CALL_OFFERED, end - dt.timedelta(minutes=3), "pbx", call_id="L1", queue="Q",
                      caller="13800138000"),
            LiveEvent(LiveEventKind.CALL_RINGING, end - dt.timedelta(minutes=3) + dt.timedelta(seconds=2), "pbx",
                      call_id="L1", queue="Q", agent="A1"),
            LiveEvent(LiveEventKind.CALL_ANSWERED, end - dt.timedelta(minutes=2), "pbx", call_id="L1", queue="Q",
                      agent="A1"),
            LiveEvent(LiveEventKind.CALL_ENDED, end, "pbx", call_id="L1", queue="Q", agent="A1")], now=NOW)
    amy, token = _as(client, "amy")
    assert amy.post("/desk/contact", data={"csrf_token": token, "live_call": "L1", "phone": "", "category": "inquiry",
                                           "outcome": "resolved"}, follow_redirects=False).status_code == 303
    assert amy.post("/desk/contact", data={"csrf_token": token, "phone": "13900139000", "category": "inquiry",
                                           "outcome": "resolved"}, follow_redirects=False).status_code == 303
    bob, bob_token = _as(client, "bob")
    assert bob.post("/desk/contact", data={"csrf_token": bob_token, "live_call": "L1", "phone": "13900139000",
                                           "category": "inquiry", "outcome": "resolved"},
                    follow_redirects=False).status_code == 303
    with engine.connect() as conn:
        rows = conn.execute(sa.select(desk_contacts.c.agent, desk_contacts.c.live_call_id, desk_contacts.c.acw_s)
                            .order_by(desk_contacts.c.id)).all()
    assert [tuple(r) for r in rows] == [("A1", "L1", 45.0), ("A1", None, None), ("A2", None, None)]
    db_url = engine.url.render_as_string(hide_password=False)
    code, out = _run(db_url, "report", "kpi", "--kpis", "desk_contacts,desk_acw_s", "--grain", "day", "--by",
                     "agent", "--tz", "Asia/Shanghai", "--format", "json", "--from", "2026-03-02", "--to",
                     "2026-03-02")
    assert code == 0, out
    by_agent = {r["agent"]: r for r in json.loads(out)}
    assert (by_agent["A1"]["desk_contacts"], by_agent["A1"]["desk_acw_s"]) == (2, 45.0)
    assert (by_agent["A2"]["desk_contacts"], by_agent["A2"]["desk_acw_s"]) == (1, None)
    lead, _ = _as(client, "lead")
    report = lead.get("/desk/complaints?by=agent")
    assert report.status_code == 200 and "After-call work (form)" in report.text
    assert re.search(r"<td>A1</td>(\s*<td class=\"num\">[^<]*</td>){8}\s*<td class=\"num\">45</td>", report.text)


def test_fcr_by_tickets_with_the_n_day_repeat_rule(client: TestClient, engine: sa.Engine, tmp_path: Path) -> None:
    """Four resolved one-contact tickets: R1's customer opens another complaint 3 days later (a repeat within 7
    days, not within 2), R3's inquiry has a later complaint (another category: no repeat), R4 has no customer
    (outside the base). On 1 March fcr_ticket counts R1, R3, R4 as first-contact (3/3); fcr_ticket_repeat is 1/2
    at 7 days and 2/2 at 2 days."""
    csv = tmp_path / "t.csv"
    csv.write_text("ticket,phone,category,opened_at,resolved_at,escalated,contacts\n"
                   "R1,13800000001,complaint,2026-03-01T10:00:00+08:00,2026-03-01T11:00:00+08:00,false,1\n"
                   "R2,13800000001,complaint,2026-03-04T10:00:00+08:00,2026-03-04T11:00:00+08:00,false,1\n"
                   "R3,13800000002,inquiry,2026-03-01T10:00:00+08:00,2026-03-01T10:30:00+08:00,false,1\n"
                   "R5,13800000002,complaint,2026-03-02T10:00:00+08:00,,false,1\n"
                   "R4,,inquiry,2026-03-01T12:00:00+08:00,2026-03-01T12:30:00+08:00,false,1\n", encoding="utf-8")
    db_url = engine.url.render_as_string(hide_password=False)
    assert _run(db_url, "tickets", "import", str(csv))[0] == 0
    results = {}
    for days in ("7", "2"):
        code, out = _run(db_url, "report", "kpi", "--kpis", "fcr_ticket,fcr_ticket_repeat,fcr_ticket_base",
                         "--grain", "day", "--tz", "Asia/Shanghai", "--format", "json", "--from", "2026-03-01",
                         "--to", "2026-03-01", "--fcr-days", days)
        assert code == 0, out
        results[days] = json.loads(out)[0]
    assert results["7"]["fcr_ticket"] == 1.0 and results["7"]["fcr_ticket_base"] == 2
    assert results["7"]["fcr_ticket_repeat"] == 0.5  # R1 repeated by R2 within 7 days; R3 not; R4 outside
    assert results["2"]["fcr_ticket_repeat"] == 1.0


def test_0023_downgrades_and_upgrades_seeding_the_six_categories(engine: sa.Engine) -> None:
    """Below 0023 the tree, scripts, surveys and saved contacts are gone and tickets have no category_key;
    upgrading brings them back with the six top-level categories of seed 003 seeded in both languages."""
    from alembic import command

    from callops.store import upgrade
    from callops.store.engine import _alembic_config

    try:
        command.downgrade(_alembic_config(engine), "0020")
        tables = set(sa.inspect(engine).get_table_names())
        assert not tables & {"desk_categories", "desk_scripts", "csat_surveys", "desk_contacts"}
        assert "category_key" not in {c["name"] for c in sa.inspect(engine).get_columns("tickets")}
    finally:
        upgrade(engine)
    with engine.connect() as conn:
        seeded = conn.execute(sa.select(desk_categories.c.key, desk_categories.c.kind, desk_categories.c.label_zh,
                                        desk_categories.c.parent).order_by(desk_categories.c.sort)).all()
    assert [tuple(r) for r in seeded] == [("inquiry", "inquiry", "咨询", None),
                                          ("complaint", "complaint", "投诉", None),
                                          ("suggestion", "suggestion", "建议", None),
                                          ("repair_order", "repair_order", "报修/订单", None),
                                          ("transfer", "transfer", "转接", None), ("other", "other", "其他", None)]
