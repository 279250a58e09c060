"""The hand-computed KPI day, shared by the metric, store, CLI and web tests: every KPI's value worked out on
paper (``HAND_EXPECTED``), the day's desk tickets, contact forms and roster shares, and the same day as real
records (``hand_day``; ``inbound`` builds one inbound call) and the web app over it (``hand_day_site``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import AgentInterval, AgentState, Call, Direction, Outcome, Role
from callops.store.records import insert_calls, insert_intervals
from callops.web import create_app
from web_sign_in import insert_users

__all__ = ["T0", "HAND_EXPECTED", "HAND_ROSTER", "HAND_TICKETS", "HAND_CONTACTS", "inbound", "outbound", "hand_day",
           "hand_day_site"]

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai

HAND_EXPECTED: dict[str, float | None] = {
    "offered": 7, "answered": 3, "abandoned": 2, "short_abandoned": 1, "lost": 4, "answer_rate": 3 / 7,
    "service_level": 2 / 7, "abandon_rate": 2 / 7, "loss_rate": 4 / 7, "asa_s": 40 / 3, "avg_abandon_s": 22.0,
    "longest_wait_s": 300.0, "aht_s": 450 / 3, "avg_talk_s": 120.0, "avg_hold_s": 10.0, "avg_acw_s": 20.0,
    "transfer_rate": 1 / 3, "ivr_containment": 1 / 9, "fcr": 2 / 3, "fcr_base": 3, "fcr_flag": 1 / 2, "csat": 4.0,
    "occupancy": 3600 / 5400, "utilisation": 3600 / 7200, "away_s": 1800.0, "dials": 5, "connects": 3,
    "successful_contacts": 2, "conversions": 1, "refusal_rate": 1 / 3, "outbound_talk_s": 170.0,
    "work_hours": 2.0, "efficiency": 1.0,
    "tickets": 6, "complaints": 3, "escalated_share": 1 / 3, "fcr_ticket": 2 / 4, "median_resolution_h": 2.5,
    "repeat_complaints": 2, "csat_responses": 2, "fcr_ticket_repeat": 1 / 3, "fcr_ticket_base": 3,
    "desk_contacts": 3, "desk_acw_s": 60.0,
    "adherence": 6300 / 7200, "conformance": 7500 / 7200, "scheduled_s": 7200.0, "in_adherence_s": 6300.0,
}
# Two agents' shares of the day against the published roster (issue 11): one on shift 3,600 s, 3,000 s of it
# in the scheduled state, logged in 3,600 s; the other 3,600 s, 3,300 s in adherence, logged in 3,900 s.
HAND_ROSTER: list[dict[str, object]] = [
    {"scheduled_s": 3600.0, "in_adherence_s": 3000.0, "roster_worked_s": 3600.0},
    {"scheduled_s": 3600.0, "in_adherence_s": 3300.0, "roster_worked_s": 3900.0},
]
# The service desk's tickets of the day: three complaints (one escalated), four resolved (after 1, 2, 3, 10 h),
# one of them opened without a customer contact (contacts 0: not a first-contact resolution). With the N-day
# rule (7 days): three resolved tickets have a customer; the one-contact complaint's customer opened another
# complaint 3 days later (a repeat), the one-contact inquiry's did not: 1 / 3.
_C = {"customer_id": None, "next_issue_gap_s": None}
HAND_TICKETS: list[dict[str, object]] = [
    {**_C, "category": "complaint", "escalated": True, "contacts": 2, "resolved_ms": 1, "resolution_h": 10.0,
     "customer_id": 1},
    {**_C, "category": "complaint", "escalated": False, "contacts": 1, "resolved_ms": 1, "resolution_h": 1.0,
     "customer_id": 2, "next_issue_gap_s": 3 * 86400.0},
    {**_C, "category": "complaint", "escalated": False, "contacts": 4, "resolved_ms": None, "resolution_h": None},
    {**_C, "category": "inquiry", "escalated": False, "contacts": 1, "resolved_ms": 1, "resolution_h": 3.0,
     "customer_id": 3},
    {**_C, "category": "suggestion", "escalated": True, "contacts": 1, "resolved_ms": None, "resolution_h": None},
    {**_C, "category": "other", "escalated": False, "contacts": 0, "resolved_ms": 1, "resolution_h": 2.0},
]
# The agent's saved contact forms: two after a live call (45 s and 75 s of after-call work), one without.
HAND_CONTACTS: list[dict[str, object]] = [{"acw_s": 45.0}, {"acw_s": 75.0}, {"acw_s": None}]

_n = iter(range(1, 1_000_000))


def inbound(outcome: Outcome, wait_s: float | None, *, at: dt.datetime = T0, **kw: object) -> Call:
    """An inbound call queued at ``at`` that waited ``wait_s`` (None: ended in the IVR)."""
    n = next(_n)
    if wait_s is None:
        times: dict[str, object] = {"ivr_entered_at": at, "ended_at": at + dt.timedelta(seconds=30)}
    elif outcome.answered:
        times = {"queue_entered_at": at, "answered_at": at + dt.timedelta(seconds=wait_s),
                 "ended_at": at + dt.timedelta(seconds=wait_s + 300)}
    else:
        times = {"queue_entered_at": at, "ended_at": at + dt.timedelta(seconds=wait_s)}
    return Call(source="t", source_call_id=str(n), direction=Direction.INBOUND, outcome=outcome, queue="sales",
                **times, **kw)  # type: ignore[arg-type]


def outbound(outcome: Outcome, *, talk_s: float = 0.0, disposition: str | None = None) -> Call:
    n = next(_n)
    answered = T0 if outcome.answered else None
    return Call(source="t", source_call_id=str(n), direction=Direction.OUTBOUND, outcome=outcome, agent="a1",
                answered_at=answered, ended_at=T0 + dt.timedelta(seconds=talk_s + 20), talk_s=talk_s,
                disposition=disposition)


def hand_day() -> tuple[list[Call], list[AgentInterval]]:
    """The hand-computed day as real records (repeat calls placed to match the gaps of its metric rows)."""
    calls = [
        inbound(Outcome.ANSWERED, 10, agent="a1", talk_s=100, hold_s=20, acw_s=30, caller_number="1", csat=5,
                issue_resolved=True),
        inbound(Outcome.ANSWERED, 30, agent="a1", talk_s=200, acw_s=10, caller_number="2", csat=3,
                issue_resolved=False),
        inbound(Outcome.TRANSFERRED, 0, agent="a2", talk_s=60, hold_s=10, acw_s=20, caller_number="3"),
        inbound(Outcome.ABANDONED, 40), inbound(Outcome.ABANDONED, 4), inbound(Outcome.TIMEOUT, 300),
        inbound(Outcome.CALLBACK, 60),
        inbound(Outcome.IVR_SELF_SERVICE, None, at=T0 + dt.timedelta(hours=1), caller_number="2"),  # a repeat
        inbound(Outcome.IVR_HANGUP, None),
        inbound(Outcome.IVR_HANGUP, None, at=T0 + dt.timedelta(days=8), caller_number="3"),  # outside range, 8 days
        outbound(Outcome.ANSWERED, talk_s=90, disposition="converted"),
        outbound(Outcome.ANSWERED, talk_s=30, disposition="refused"),
        outbound(Outcome.ANSWERED, talk_s=50, disposition="contacted"),
        outbound(Outcome.NO_ANSWER), outbound(Outcome.BUSY),
    ]
    spans = [(AgentState.READY, 1800, None), (AgentState.ON_CALL, 3000, None),
             (AgentState.AFTER_CALL_WORK, 600, None), (AgentState.AWAY, 1800, "lunch"),
             (AgentState.LOGGED_OUT, 5000, None)]
    states, at = [], T0
    for state, seconds, reason in spans:
        states.append(AgentInterval(source="t", agent="a1", state=state, start_at=at,
                                    end_at=at + dt.timedelta(seconds=seconds), reason=reason))
        at += dt.timedelta(seconds=seconds)
    return calls, states


@contextmanager
def hand_day_site(engine: sa.Engine, people: list[tuple[str, Role, str | None, str]]) -> Iterator[TestClient]:
    """The app over the hand-computed day with ``people`` as (user name, role, agent id, locale)."""
    calls, states = hand_day()
    with engine.begin() as conn:
        insert_users(conn, people)
        insert_calls(conn, calls)
        insert_intervals(conn, states)
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret",
                                        site_tz="Asia/Shanghai"))) as test_client:
        yield test_client
