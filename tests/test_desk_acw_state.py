"""After-call work from the desk's contact form as an agent state interval (source ``callops-desk``), on SQLite
and PostgreSQL: written when the form of the agent's live call is saved, read by the agent-state KPIs, never a
second time for the same call, and never where another source already says what the agent did: a later live
event of the agent, a stored interval overlapping it, or a phone system's interval imported afterwards, which
replaces it (so no second counts twice)."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from callops.cli import cli
from callops.live import LiveEvent, LiveEventKind
from callops.records import AgentInterval, AgentState
from callops.store.desk_catalog import record_form_acw
from callops.store.live_events import append_events
from callops.store.record_batches import insert_prepared, prepare_intervals, row_of_interval
from callops.store.records import FORM_ACW_SOURCE, insert_intervals
from callops.store.schema import agent_intervals, desk_contacts
from desk_site import NOW, api_login, desk_site
from quality_site import Clock

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

END = NOW - dt.timedelta(seconds=45)  # the live call L1 ends 45 s before the form is saved


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with desk_site(engine, Clock(NOW)) as test_client:
        yield test_client


def _live_call(engine: sa.Engine, *later: LiveEvent) -> None:
    """L1 rings at A1, is answered and ends at ``END``; then ``later`` events."""
    with engine.begin() as conn:
        append_events(conn, [
            LiveEvent(LiveEventKind.CALL_OFFERED, END - dt.timedelta(minutes=3), "pbx", call_id="L1", queue="Q",
                      caller="13800138000"),
            LiveEvent(LiveEventKind.CALL_RINGING, END - dt.timedelta(seconds=170), "pbx", call_id="L1", queue="Q",
                      agent="A1"),
            LiveEvent(LiveEventKind.CALL_ANSWERED, END - dt.timedelta(minutes=2), "pbx", call_id="L1", queue="Q",
                      agent="A1"),
            LiveEvent(LiveEventKind.CALL_ENDED, END, "pbx", call_id="L1", queue="Q", agent="A1"), *later], now=NOW)


def _save_form(client: TestClient) -> None:
    amy = TestClient(client.app)
    token = api_login(amy, "amy")
    saved = amy.post("/desk/contact", data={"csrf_token": token, "live_call": "L1", "phone": "", "category": "inquiry",
                                            "outcome": "resolved"}, follow_redirects=False)
    assert saved.status_code == 303


def _intervals(engine: sa.Engine) -> list[tuple[str, str, str, dt.datetime, dt.datetime]]:
    a = agent_intervals.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(a.source, a.agent, a.state, a.start_at, a.end_at)
                            .order_by(a.start_at, a.source)).all()
    return [(r.source, r.agent, r.state, r.start_at, r.end_at) for r in rows]


def _agent_kpis(engine: sa.Engine) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["report", "kpi", "--kpis", "work_hours,utilisation", "--grain", "total",
                                      "--by", "agent", "--tz", "UTC", "--format", "json", "--from", "2026-03-02",
                                      "--to", "2026-03-02"],
                                env={"CALLOPS_DATABASE_URL": engine.url.render_as_string(hide_password=False)})
    assert result.exit_code == 0, result.output
    rows: dict[str, dict[str, object]] = {r["agent"]: r for r in json.loads(result.output)}
    return rows["A1"]


def test_the_forms_acw_is_an_interval_the_agent_reports_read(client: TestClient, engine: sa.Engine) -> None:
    """The form saved 45 s after the call's end writes A1's after-call work from the end to the save; the
    agent-state KPIs count its 45 s (all of it handling); saving a second form on the call writes none."""
    _live_call(engine)
    _save_form(client)
    assert _intervals(engine) == [(FORM_ACW_SOURCE, "A1", "after_call_work", END, NOW)]
    kpis = _agent_kpis(engine)
    assert kpis["work_hours"] == pytest.approx(45 / 3600) and kpis["utilisation"] == 1.0
    _save_form(client)
    assert len(_intervals(engine)) == 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(desk_contacts)).scalar_one() == 2


@pytest.mark.parametrize(("later", "acw_s"), [
    (LiveEvent(LiveEventKind.AGENT_STATE, END + dt.timedelta(seconds=5), "web", agent="A1", state="ready"), 45.0),
    (LiveEvent(LiveEventKind.CALL_RINGING, END + dt.timedelta(seconds=20), "pbx", call_id="L2", queue="Q",
               agent="A1"), None),
], ids=["agent-went-ready", "next-call-rang"])
def test_no_interval_when_the_agent_did_something_else_before_the_save(client: TestClient, engine: sa.Engine,
                                                                        later: LiveEvent, acw_s: float | None) -> None:
    """A state set after the call's end (by the agent or the phone system) says what the agent did before the
    save: the contact row keeps its measured ACW, but no interval is written. Another call ringing makes that
    call the agent's current one, so the form of L1 measures nothing at all."""
    _live_call(engine, later)
    _save_form(client)
    assert [r for r in _intervals(engine) if r[0] == FORM_ACW_SOURCE] == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(desk_contacts.c.acw_s)).scalar_one() == acw_s


def test_a_stored_phone_system_interval_keeps_the_form_out(client: TestClient, engine: sa.Engine) -> None:
    """The phone system's own after-call work already stored for those seconds stands: no desk interval."""
    _live_call(engine)
    with engine.begin() as conn:
        insert_intervals(conn, [AgentInterval("queue_log", "A1", AgentState.AFTER_CALL_WORK, END,
                                              END + dt.timedelta(seconds=30))])
    _save_form(client)
    assert [r[0] for r in _intervals(engine)] == ["queue_log"]


@pytest.mark.parametrize("path", ["insert_intervals", "import_batches"])
def test_a_phone_system_interval_imported_later_replaces_the_forms(client: TestClient, engine: sa.Engine,
                                                                   path: str) -> None:
    """The phone system's intervals imported after the save (by either write path) replace the desk's
    interval they overlap: A1's logged-in time is the phone system's 120 s, not 165 s; the desk's intervals of
    other agents and times are left alone."""
    _live_call(engine)
    _save_form(client)
    elsewhere = AgentInterval(FORM_ACW_SOURCE, "A1", AgentState.AFTER_CALL_WORK, NOW + dt.timedelta(hours=2),
                              NOW + dt.timedelta(hours=2, seconds=30))
    other_agent = AgentInterval(FORM_ACW_SOURCE, "A2", AgentState.AFTER_CALL_WORK, END, NOW)
    with engine.begin() as conn:
        insert_intervals(conn, [elsewhere, other_agent])
    pbx = AgentInterval("queue_log", "A1", AgentState.READY, END - dt.timedelta(seconds=60),
                        END + dt.timedelta(seconds=60))
    with engine.begin() as conn:
        if path == "insert_intervals":
            insert_intervals(conn, [pbx])
        else:
            insert_prepared(conn, prepare_intervals([row_of_interval(pbx)]), 1)
    assert _intervals(engine) == [
        ("queue_log", "A1", "ready", pbx.start_at, pbx.end_at),
        (FORM_ACW_SOURCE, "A2", "after_call_work", END, NOW),
        (FORM_ACW_SOURCE, "A1", "after_call_work", elsewhere.start_at, elsewhere.end_at)]
    kpis = _agent_kpis(engine)
    assert kpis["work_hours"] == pytest.approx((120 + 30) / 3600)


def test_record_form_acw_keeps_out_of_a_later_call(engine: sa.Engine) -> None:
    """At the store: a later call ringing at the agent before the save keeps the form's interval out (it would
    cover that call); the same span for another agent, with nothing after the end, is written."""
    _live_call(engine, LiveEvent(LiveEventKind.CALL_RINGING, END + dt.timedelta(seconds=20), "pbx", call_id="L2",
                                 queue="Q", agent="A1"))
    with engine.begin() as conn:
        assert record_form_acw(conn, "A1", start_at=END, end_at=NOW) is False
        assert record_form_acw(conn, "A2", start_at=END, end_at=NOW) is True
    assert [(r[0], r[1]) for r in _intervals(engine)] == [(FORM_ACW_SOURCE, "A2")]
