"""Hard-call streaks on the live floor: N distressing calls (complaint/abusive on the call's end, or recovery
taken after it) within M minutes alert, each call once; the alert is a lead's, scoped to their teams."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.live.events import LiveEvent, LiveEventKind
from callops.live.hard_calls import HardCallLog, is_hard_call_end
from callops.live.wallboard import Floor, Thresholds
from callops.store.live_events import append_events
from live_floor_site import as_user, event_ago
from live_floor_site import client as live_floor_app  # noqa: F401  # a fixture: the live floor app, a lead, a manager

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
K = LiveEventKind
T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=TZ).astimezone(dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def ev(kind: LiveEventKind, seconds: float, **kw: Any) -> LiveEvent:
    return LiveEvent(kind, at(seconds), "test", **kw)


def call(n: int, start_s: float, agent: str, *, category: str | None = None, recovery: bool = False) -> list[LiveEvent]:
    """One answered call of 100 s; its end names the category when given; recovery pressed after it if asked."""
    data = {"issue_category": category} if category else {}
    out = [
        ev(K.CALL_OFFERED, start_s, call_id=str(n), queue="q"),
        ev(K.CALL_ANSWERED, start_s + 1, call_id=str(n), queue="q", agent=agent),
        ev(K.CALL_ENDED, start_s + 100, call_id=str(n), queue="q", agent=agent, data=data),
    ]
    if recovery:
        out.append(ev(K.AGENT_STATE, start_s + 101, agent=agent, state="recovery"))
        out.append(ev(K.AGENT_STATE, start_s + 190, agent=agent, state="ready"))
    return out


def streak_alerts(floor: Floor, th: Thresholds, seconds: float) -> dict[str, tuple[float, float]]:
    return {
        a.subject: (a.value, a.limit)
        for a in th.evaluate(floor.snapshot(at(seconds))).alerts
        if a.kind == "hard_streak"
    }


def test_which_call_ends_are_hard() -> None:
    assert is_hard_call_end({"issue_category": "complaint"}) and is_hard_call_end({"category": "Abusive"})
    assert is_hard_call_end({"distressing": "1"}) and is_hard_call_end({"distressing": "true"})
    assert not is_hard_call_end({"issue_category": "inquiry"}) and not is_hard_call_end({})
    assert not is_hard_call_end({"distressing": "0"})


def test_three_hard_calls_in_thirty_minutes_alert_and_fall_out_of_the_window() -> None:
    floor = Floor(TZ)
    floor.apply(ev(K.AGENT_STATE, 0, agent="a", state="ready", queue="q"))
    floor.apply(ev(K.AGENT_STATE, 0, agent="b", state="ready", queue="q"))
    floor.apply_all(call(1, 10, "a", category="complaint"))  # ends at 110
    floor.apply_all(call(2, 300, "a"))  # an ordinary call between: still counted by window
    floor.apply_all(call(3, 600, "a", recovery=True))  # recovery pressed: hard, ends at 700
    floor.apply_all(call(4, 900, "a", category="abusive"))  # ends at 1000
    floor.apply_all(call(5, 10, "b", category="complaint"))
    floor.apply_all(call(6, 300, "b", category="complaint"))
    th = Thresholds(streak_calls=3, streak_minutes=30)
    assert streak_alerts(floor, th, 1001) == {"a": (3.0, 3.0)}  # b has two
    assert streak_alerts(floor, th, 110 + 30 * 60 - 1) == {"a": (3.0, 3.0)}
    assert streak_alerts(floor, th, 110 + 30 * 60) == {}  # the first one left the window
    assert streak_alerts(floor, Thresholds(streak_calls=2, streak_minutes=30), 1001) == {
        "a": (3.0, 2.0),
        "b": (2.0, 2.0),
    }
    assert streak_alerts(floor, Thresholds(streak_calls=0, streak_minutes=30), 1001) == {}  # 0: switched off


def test_a_call_counts_once_whatever_marks_it() -> None:
    floor = Floor(TZ)
    floor.apply_all(call(1, 0, "a", category="complaint", recovery=True))  # the category and recovery: one call
    floor.apply(ev(K.AGENT_STATE, 200, agent="a", state="recovery"))  # recovery pressed again: still one
    floor.apply_all(call(2, 300, "a", category="complaint"))
    th = Thresholds(streak_calls=2, streak_minutes=30)
    assert streak_alerts(floor, th, 500) == {"a": (2.0, 2.0)}
    assert streak_alerts(floor, Thresholds(streak_calls=3, streak_minutes=30), 500) == {}


def test_recovery_without_a_call_counts_nothing_and_pbx_call_states_count() -> None:
    log = HardCallLog()
    log.recovery("x")
    assert log.streak("x", 10_000, 30) == 0
    floor = Floor(TZ)  # a source that reports call states itself (no call events)
    for i in range(3):
        base = i * 200
        floor.apply(ev(K.AGENT_STATE, base, agent="c", state="on_call", queue="q"))
        floor.apply(ev(K.AGENT_STATE, base + 100, agent="c", state="recovery"))
    assert streak_alerts(floor, Thresholds(streak_calls=3, streak_minutes=30), 600) == {"c": (3.0, 3.0)}


def test_old_hard_calls_are_forgotten_after_the_longest_window() -> None:
    log = HardCallLog()
    for i in range(5):
        log.call_ended("a", str(i), i * 1000, hard=True)
    late = 9 * 3600 * 1000
    log.call_ended("a", "late", late, hard=True)
    assert len(log.agents["a"].hard_ms) == 1 and log.counts(late, 30) == {"a": 1}


def test_the_lead_sees_their_teams_streak_alerts_on_the_floor(
    live_floor_app: TestClient,  # noqa: F811
    engine: sa.Engine,
) -> None:
    """Over HTTP: thresholds take streak_calls / streak_minutes (validated); a lead sees the streaks of their
    team's agents only, a manager everyone's."""
    hard = {"issue_category": "complaint"}
    events = []
    for i, agent in enumerate(("A1", "A1", "A2", "A2")):
        t = 1500 - i * 200
        events += [
            event_ago(K.CALL_ANSWERED, t, call_id=f"h{i}@sales", queue="sales", agent=agent),
            event_ago(K.CALL_ENDED, t - 60, call_id=f"h{i}@sales", queue="sales", agent=agent, data=hard),
        ]
    with engine.begin() as conn:
        append_events(conn, events)
    client = as_user(live_floor_app, "lead")
    base = {"sl_target": 0.8, "sl_minutes": 60, "longest_wait_s": 600, "away_minutes": 60, "call_minutes": 60}
    bad = client.put("/api/live/thresholds", json={**base, "streak_calls": 2, "streak_minutes": 0})
    assert bad.status_code == 400 and "streak_minutes" in bad.text
    assert client.put("/api/live/thresholds", json={**base, "streak_calls": 2, "streak_minutes": 30}).status_code == 200
    floor = client.get("/api/live/floor").json()
    assert floor["thresholds"]["streak_calls"] == 2 and floor["thresholds"]["streak_minutes"] == 30
    streaks = {(a["subject"], a["value"]) for a in floor["alerts"] if a["kind"] == "hard_streak"}
    assert streaks == {("A1", 2.0)}  # A2 is not in the lead's team
    as_user(client, "boss")
    streaks = {
        (a["subject"], a["value"]) for a in client.get("/api/live/floor").json()["alerts"] if a["kind"] == "hard_streak"
    }
    assert streaks == {("A1", 2.0), ("A2", 2.0)}
    page = client.get("/live").text
    assert 'name="streak_calls"' in page and "hard calls" in page
