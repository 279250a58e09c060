"""Stored evaluations (versions), notes, appeals with their JSON state, and the audit rows of each step."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.quality import Actor, Answer, Decision, accept_appeal, decide_appeal, evaluate, file_appeal, record_view
from callops.records import Call, Direction, Outcome, Role
from callops.store.qa_forms import ensure_starter_scorecard
from callops.store.qa_reviews import (
    add_note,
    evaluation_keys,
    follow_ups_due,
    insert_version,
    list_appeals,
    list_audit,
    list_notes,
    load_appeal,
    load_evaluation,
    reserve_appeal,
    save_appeal,
    write_appeal_event,
)
from callops.store.records import insert_calls
from callops.store.schema import calls

NOW = dt.datetime(2026, 3, 9, 8, tzinfo=dt.UTC)
ANSWERS = {"greeting": Answer(True), "verify": Answer(True), "listening": Answer(5.0), "solution": Answer(5.0),
           "arguing": Answer(1.0, "argued", (42.0,))}


def _later(minutes: int) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


def test_appeal_path_is_stored_with_versions_and_audit(engine: sa.Engine) -> None:
    """Evaluation v1, appeal filed, accepted, three views, upheld: v2 stored, v1 kept, six audit rows."""
    with engine.begin() as conn:
        insert_calls(conn, [Call(source="t", source_call_id="c1", direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue_entered_at=NOW, answered_at=NOW, agent="A1",
                                 talk_s=90.0)])
        call_pk = int(conn.execute(sa.select(calls.c.id)).scalar_one())
        form = ensure_starter_scorecard(conn, now=NOW)
        ev = evaluate(form.form, ANSWERS, evaluation_id="e1", call_id=str(call_pk), agent="A1",
                      actor=Actor("qa1", Role.QA), at=NOW)
        insert_version(conn, ev, call_pk=call_pk, scorecard_id=form.scorecard_id)
        stored = load_evaluation(conn, "e1")
        assert stored.evaluation == ev and stored.targeted is False
        add_note(conn, "e1", author="A1", kind="acknowledgement", text="seen", at=_later(1))
        add_note(conn, "e1", author="lead", kind="follow_up", text="listen again", at=_later(2), due_at=_later(60))
        appeal_id = reserve_appeal(conn, ev, at=_later(3), deadline_at=_later(3 * 24 * 60))
        appeal, event = file_appeal(ev, appeal_id=appeal_id, actor=Actor("A1", Role.AGENT),
                                    disputed_items=["arguing"], reason="no", at=_later(3))
        events = [event]
        appeal, event = accept_appeal(appeal, actor=Actor("lead", Role.TEAM_LEAD), at=_later(4))
        events.append(event)
        for n, (who, role) in enumerate([("lead", Role.TEAM_LEAD), ("qa2", Role.QA), ("boss", Role.MANAGER)]):
            appeal, event = record_view(appeal, actor=Actor(who, role), at=_later(5 + n), view=Decision.UPHELD)
            events.append(event)
        appeal, closed, event = decide_appeal(appeal, ev, actor=Actor("boss", Role.MANAGER), at=_later(9),
                                              decision=Decision.UPHELD, corrected_answers={"arguing": Answer(0.0)})
        events.append(event)
        insert_version(conn, closed, call_pk=call_pk, scorecard_id=form.scorecard_id)
        save_appeal(conn, appeal, decided_at=_later(9))
        for e in events:
            write_appeal_event(conn, e)
    with engine.connect() as conn:
        again = load_evaluation(conn, "e1").evaluation
        assert [v.result.score for v in again.versions] == [90.0, 100.0] and again.decided
        assert again.versions[1].created_by == "boss" and again.versions[1].reason.startswith(f"appeal {appeal_id}")
        assert load_appeal(conn, appeal_id)[0] == appeal
        assert list_appeals(conn, agent="A1") == [appeal] and list_appeals(conn, agent="A2") == []
        assert [r.action for r in list_audit(conn, subject=f"appeal:{appeal_id}")] == [
            "appeal.filed", "appeal.accepted", "appeal.view", "appeal.view", "appeal.view", "appeal.decided"]
        assert [n.kind for n in list_notes(conn, "e1")] == ["acknowledgement", "follow_up"]
        assert [(n.text, agent) for n, agent in follow_ups_due(conn, until=_later(120))] == [("listen again", "A1")]
        assert follow_ups_due(conn, until=_later(30)) == []
        assert evaluation_keys(conn, agent="A1") == ["e1"] and evaluation_keys(conn, evaluator="qa2") == []
