"""The live floor over HTTP on SQLite and PostgreSQL: GET /api/live/queues per its contract, the full floor with
alerts, agent state buttons and a team lead's state changes through the agent state machine into agent intervals."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.store.live_events import append_events
from callops.store.schema import agent_intervals, live_events
from live_floor_site import NOW, TZ, K, as_user, event_ago
from live_floor_site import client as client  # noqa: F401  # the fixture: the app over FLOOR


def test_api_live_queues_follows_the_contract(client: TestClient, engine: sa.Engine) -> None:
    """Logged in: as_of and per queue exactly the contract's fields, rebuilt from the event log."""
    assert client.get("/api/live/queues").status_code == 401
    body = as_user(client, "amy").get("/api/live/queues").json()
    assert dt.datetime.fromisoformat(body["as_of"]) == NOW
    assert body["queues"] == [{"queue": "sales", "waiting": 1, "longest_wait_s": 30.0, "offered_today": 3,
                               "answered_today": 1, "abandoned_today": 1, "service_level_today": 0.5,
                               "agents": {"on_call": 1, "ready": 1}}]
    with engine.begin() as conn:  # appended by another process: seen within the poll interval
        append_events(conn, [event_ago(K.CALL_ANSWERED, 1, call_id="c3@sales", queue="sales", agent="A2")])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        queue = client.get("/api/live/queues").json()["queues"][0]
        if queue["waiting"] == 0:
            break
        time.sleep(0.05)
    assert queue["waiting"] == 0 and queue["answered_today"] == 2 and queue["agents"] == {"on_call": 2}


def test_floor_alerts_and_thresholds(client: TestClient) -> None:
    """The full floor has windows, ASA and alerts; thresholds need supervise_floor and are validated."""
    assert as_user(client, "pat").get("/api/live/floor").status_code == 200
    assert client.put("/api/live/thresholds", json={"sl_target": 0.8, "sl_minutes": 0, "longest_wait_s": 10,
                                                     "away_minutes": 5, "call_minutes": 1}).status_code == 403
    as_user(client, "lead")
    bad = client.put("/api/live/thresholds", json={"sl_target": 2, "sl_minutes": 0, "longest_wait_s": 10,
                                                   "away_minutes": 5, "call_minutes": 1})
    assert bad.status_code == 400 and "sl_target" in bad.text
    ok = client.put("/api/live/thresholds", json={"sl_target": 0.8, "sl_minutes": 0, "longest_wait_s": 10,
                                                  "away_minutes": 5, "call_minutes": 1})
    assert ok.status_code == 200
    floor = client.get("/api/live/floor").json()
    queue = floor["queues"][0]
    assert queue["asa_s"] == 10.0 and [w["minutes"] for w in queue["windows"]] == [15, 30]
    assert queue["windows"][0]["offered"] == 3 and queue["windows"][0]["service_level"] == 0.5
    kinds = {(a["kind"], a["subject"]) for a in floor["alerts"]}
    assert kinds == {("long_wait", "sales"), ("sl_low", "sales"), ("long_call", "A1")}
    assert client.get("/live").status_code == 200 and "live.js" in client.get("/live?big=1").text


def test_a_team_lead_sees_and_sets_only_their_teams_agents(client: TestClient) -> None:
    """Queues are the floor's; agents and their alerts are a lead's own teams'; a manager sees everyone."""
    everyone = {a["agent"] for a in as_user(client, "boss").get("/api/live/floor").json()["agents"]}
    assert {"A1", "A2"} <= everyone
    mine = as_user(client, "lead").get("/api/live/floor").json()
    assert {a["agent"] for a in mine["agents"]} == everyone & {"A1", "A9"} and mine["queues"]
    none = as_user(client, "lead2").get("/api/live/floor").json()
    assert none["agents"] == [] and all(a["kind"] not in ("long_away", "long_call") for a in none["alerts"])
    assert none["queues"] == mine["queues"]
    refused = client.post("/api/live/agents/A1/state", json={"state": "away", "reason": "meeting"})
    assert refused.status_code == 403


def test_agent_buttons_and_lead_follow_the_state_machine_into_intervals(client: TestClient,
                                                                        engine: sa.Engine) -> None:
    """Amy's buttons and a lead's changes are live events; a finished state becomes an agent interval."""
    as_user(client, "amy")
    page = client.get("/live/agent")
    assert page.status_code == 200 and "press-ready" in page.text
    acw = client.post("/live/agent", data={"state": "after_call_work", "csrf_token": client.headers["X-CSRF-Token"]},
                      follow_redirects=False)
    assert acw.status_code == 400 and 'id="live-agent-error"' in acw.text  # logged_out -> after_call_work: no
    assert client.post("/api/live/agents/A9/state", json={"state": "ready"}).status_code == 200
    away = client.post("/api/live/agents/A9/state", json={"state": "away"})
    assert away.status_code == 400 and away.json()["field"] == "reason"
    assert client.post("/api/live/agents/A9/state", json={"state": "on_call"}).status_code == 400
    assert client.post("/api/live/agents/A1/state", json={"state": "away", "reason": "x"}).status_code == 403
    assert client.post("/api/live/agents/A9/state", json={"state": "away", "reason": "Meeting"}).status_code == 200
    as_user(client, "lead")
    done = client.post("/api/live/agents/A9/state", json={"state": "ready", "reason": "back from meeting"})
    assert done.status_code == 200
    with engine.connect() as conn:
        rows = conn.execute(sa.select(agent_intervals.c.state, agent_intervals.c.reason, agent_intervals.c.source)
                            .where(agent_intervals.c.agent == "A9").order_by(agent_intervals.c.id)).all()
        states = conn.execute(sa.select(live_events.c.state, live_events.c.data).where(
            live_events.c.agent == "A9").order_by(live_events.c.id)).all()
    # the clock stands still in this test, so zero-length states write no interval; the events are all there
    assert rows == [] and [s.state for s in states] == ["ready", "away", "ready"]
    assert states[-1].data == {"by": "lead"}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        agents = {a["agent"]: a for a in client.get("/api/live/floor").json()["agents"]}
        if agents.get("A9", {}).get("state") == "ready":
            break
        time.sleep(0.05)
    assert agents["A9"]["state"] == "ready"


def _plan(name: str, queue: str, calls: float, agents: int) -> object:
    from callops.scheduling.staffing_plan import PlanInterval, StaffingPlan, StaffingTargets

    day = dt.datetime(2026, 12, 3, 8, 0, tzinfo=zoneinfo.ZoneInfo(TZ))
    return StaffingPlan(name=name, queue=queue, targets=StaffingTargets(interval_min=30), intervals=tuple(
        PlanInterval(start_at=(day + dt.timedelta(minutes=30 * i)).astimezone(dt.UTC), calls=calls, aht_s=180.0,
                     agents=agents, scheduled=agents + 5, service_level=0.8, asa_s=10.0, p_abandon=0.0,
                     occupancy=0.7) for i in range(8)))


def test_intraday_api_against_a_saved_plan(client: TestClient, engine: sa.Engine) -> None:
    """Actual calls of the plan's queue so far re-forecast the day; the first short interval; moving agents."""
    from callops.records import Call, Direction, Outcome
    from callops.store.plans import save_plan
    from callops.store.records import insert_calls

    start = dt.datetime(2026, 12, 3, 8, 0, tzinfo=zoneinfo.ZoneInfo(TZ)).astimezone(dt.UTC)
    with engine.begin() as conn:
        save_plan(conn, _plan("busy", "sales", 100.0, 14), now=NOW)  # type: ignore[arg-type]
        save_plan(conn, _plan("calm", "care", 40.0, 14), now=NOW)  # type: ignore[arg-type]
        insert_calls(conn, [Call(source="t", source_call_id=str(i), direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue="sales",
                                 queue_entered_at=start + dt.timedelta(seconds=12 * i),
                                 answered_at=start + dt.timedelta(seconds=12 * i + 5),
                                 ended_at=start + dt.timedelta(seconds=12 * i + 100)) for i in range(600)])
    as_user(client, "boss")
    body = client.get("/api/live/intraday", params={"plan": "busy"}).json()
    assert body["actual_so_far"] == 600 and body["forecast_so_far"] == 400.0  # 08:00-10:00 done, 150 each
    assert [r["actual_calls"] for r in body["intervals"][:4]] == [150, 150, 150, 150]
    assert body["first_short"]["start_at"] == "2026-12-03T02:00:00+00:00" and body["first_short"]["short_by"] > 0
    move = client.get("/api/live/intraday/move", params={"from_plan": "calm", "to_plan": "busy", "agents": 3}).json()
    assert move["to_service_level"][1] > move["to_service_level"][0]
    assert client.get("/api/live/intraday", params={"plan": "nope"}).status_code == 404
    assert client.get("/api/live/intraday/move", params={"from_plan": "calm", "to_plan": "busy",
                                                         "agents": 5000}).status_code == 400
    assert "live-intraday-plan" in client.get("/live").text
