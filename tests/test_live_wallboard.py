"""The pure wallboard projection: queue counts today and in windows, SL and ASA, agents' states, the day
boundary, and the alert thresholds; and the queue_log lines it is fed from."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from callops.live.events import LiveEvent, LiveEventKind
from callops.live.queue_log_events import QueueLogEvents
from callops.live.wallboard import Floor, Thresholds

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
K = LiveEventKind
T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=TZ).astimezone(dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def ev(kind: LiveEventKind, seconds: float, **kw: Any) -> LiveEvent:
    return LiveEvent(kind, at(seconds), "test", **kw)


def test_queue_counts_sl_asa_and_windows() -> None:
    floor = Floor(TZ, {"vip": 10})
    floor.apply_all([
        ev(K.CALL_OFFERED, 0, call_id="1", queue="vip"), ev(K.CALL_ANSWERED, 5, call_id="1", queue="vip", agent="a"),
        ev(K.CALL_OFFERED, 10, call_id="2", queue="vip"), ev(K.CALL_ANSWERED, 25, call_id="2", queue="vip", agent="b"),
        ev(K.CALL_OFFERED, 20, call_id="3", queue="vip"), ev(K.CALL_TIMEOUT, 80, call_id="3", queue="vip"),
        ev(K.CALL_OFFERED, 1000, call_id="4", queue="vip"), ev(K.CALL_ABANDONED, 1010, call_id="4", queue="vip"),
        ev(K.CALL_OFFERED, 1190, call_id="5", queue="vip"),
        ev(K.CALL_ENDED, 300, call_id="1", queue="vip", agent="a"),
    ])
    q = floor.snapshot(at(1200)).queues[0]
    assert (q.waiting, q.longest_wait_s, q.offered_today, q.answered_today, q.abandoned_today, q.timeout_today) == (
        1, 10.0, 5, 2, 1, 1)
    assert q.service_level_today == 0.25 and q.asa_s == 10.0  # 1 of 4 decided within 10 s; (5 + 15) / 2
    w15, w30 = q.windows
    assert (w15.offered, w15.answered, w15.abandoned) == (2, 0, 1) and w15.service_level == 0.0
    assert (w30.offered, w30.answered) == (5, 2)
    assert q.agents == {"on_call": 1, "ready": 1}  # a answered, so is signed in; its call ended: ready


def test_agent_states_time_in_state_and_day_boundary() -> None:
    floor = Floor(TZ)
    floor.apply_all([
        ev(K.AGENT_STATE, 0, agent="a", state="ready", data={"queues": "q1,q2"}),
        ev(K.AGENT_STATE, 0, agent="b", state="ready", queue="q1"),
        ev(K.CALL_OFFERED, 10, call_id="1", queue="q1"), ev(K.CALL_RINGING, 11, call_id="1", agent="a"),
        ev(K.CALL_ANSWERED, 12, call_id="1", queue="q1", agent="a"),
        ev(K.AGENT_STATE, 50, agent="b", state="away", reason="Lunch"),
    ])
    snap = floor.snapshot(at(100))
    agents = {a.agent: a for a in snap.agents}
    assert agents["a"].state == "on_call" and agents["a"].in_state_s == 88 and agents["a"].on_call_s == 88
    assert agents["b"].state == "away" and agents["b"].reason == "Lunch" and agents["b"].in_state_s == 50
    assert {q.queue: q.agents for q in snap.queues} == {"q1": {"away": 1, "on_call": 1}, "q2": {"on_call": 1}}
    floor.apply(ev(K.CALL_ENDED, 200, call_id="1", queue="q1", agent="a"))
    assert {a.agent: a.state for a in floor.snapshot(at(201)).agents}["a"] == "ready"
    tomorrow = at(16 * 3600)  # 01:00 the next local day
    q1 = {q.queue: q for q in floor.snapshot(tomorrow).queues}["q1"]
    assert q1.offered_today == 0 and q1.answered_today == 0


def test_thresholds_alert_after_n_minutes_below_target() -> None:
    floor = Floor(TZ)
    floor.apply_all([ev(K.CALL_OFFERED, 0, call_id="1", queue="q"), ev(K.CALL_ABANDONED, 30, call_id="1", queue="q"),
                     ev(K.CALL_OFFERED, 40, call_id="2", queue="q"),
                     ev(K.AGENT_STATE, 0, agent="a", state="away", reason="x", queue="q"),
                     ev(K.AGENT_STATE, 0, agent="b", state="ready", queue="q"),
                     ev(K.CALL_OFFERED, 1, call_id="3", queue="q"), ev(K.CALL_ANSWERED, 2, call_id="3", agent="b")])
    th = Thresholds(sl_target=0.8, sl_minutes=2, longest_wait_s=100, away_minutes=1, call_minutes=30)
    first = th.evaluate(floor.snapshot(at(60)))
    assert {a.kind for a in first.alerts} == set()  # SL 50 % but only just below; away 60 s = the limit
    later = th.evaluate(floor.snapshot(at(200)))
    assert {(a.kind, a.subject) for a in later.alerts} == {("sl_low", "q"), ("long_wait", "q"), ("long_away", "a")}


def test_queue_log_lines_as_live_events() -> None:
    m = QueueLogEvents("asterisk:x")
    assert m.line("1366720001|MANAGER|support|SIP/8007|ADDMEMBER|")[0].state == "ready"
    paused = m.line("1366720002|MANAGER|sales|SIP/8007|PAUSE|Lunch")[0]
    assert (paused.state, paused.reason, paused.data["queues"]) == ("away", "Lunch", "support")
    offered = m.line("1366720100|1366720100.1|support|NONE|ENTERQUEUE||15551234567|1")[0]
    assert (offered.kind, offered.call_id, offered.caller) == (K.CALL_OFFERED, "1366720100.1@support", "15551234567")
    assert m.line("1366720110|1366720100.1|support|SIP/8007|CONNECT|10|x|5")[0].data == {"wait_s": "10"}
    assert m.line("1366720236|1366720200.3|support|NONE|ABANDON|1|1|36")[0].data == {"wait_s": "36"}
    assert m.line("1366720460|1366720400.4|support|NONE|EXITWITHTIMEOUT|1|1|60")[0].kind is K.CALL_TIMEOUT
    assert m.line("garbage") == [] and m.line("x|1|q|a|ENTERQUEUE") == [] and m.line("1|1|q|a|CUSTOM|") == []
    gone = m.line("1366721100|MANAGER|support|SIP/8007|REMOVEMEMBER|")[0]
    assert gone.state == "logged_out" and m.members == {}


def test_intraday_reforecast_gap_and_moving_agents() -> None:
    """Done intervals ran 50 % over forecast: the rest is re-forecast up, the plan is short from now; moving agents
    from a quiet queue raises the busy one's service level and lowers the quiet one's."""
    from callops.live.intraday import PlanSlot, intraday, move_agents
    from callops.queueing.staffing import ServiceTargets, minimum_agents

    slots = [PlanSlot(at(i * 1800), 100.0, 180.0, 14) for i in range(8)]
    actual = {at(i * 1800): 150 for i in range(4)}
    view = intraday(slots, actual, at(4 * 1800 + 60), interval_s=1800, targets=ServiceTargets(0.8, 20.0))
    assert view.ratio == round(620 / 420, 4) and view.actual_so_far == 600
    assert [r.state for r in view.rows] == ["done"] * 4 + ["now"] + ["later"] * 3
    need = int(minimum_agents(calls=100 * 620 / 420, interval_s=1800, aht_s=180, targets=ServiceTargets(0.8, 20.0)))
    assert view.rows[5].required_agents == need > 14 and view.rows[5].actual_calls is None
    assert view.first_short is view.rows[4] and view.first_short.gap == 14 - need
    calm = intraday(slots, {at(i * 1800): 100 for i in range(4)}, at(4 * 1800 + 60), interval_s=1800,
                    targets=ServiceTargets(0.8, 20.0))
    assert calm.ratio == 1.0 and calm.first_short is None
    moved = move_agents(agents=3, from_calls=40, from_aht_s=180, from_agents=14, to_calls=150, to_aht_s=180,
                        to_agents=16, interval_s=1800, sl_time_s=20)
    assert moved.from_agents == (14, 11) and moved.to_agents == (16, 19)
    assert moved.from_service_level[1] < moved.from_service_level[0]
    assert moved.to_service_level[1] > moved.to_service_level[0]
