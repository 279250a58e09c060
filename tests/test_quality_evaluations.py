"""Evaluations: versions instead of edits, roles, and closing once decided."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from callops.errors import Conflict, InvalidInput, PermissionDenied
from callops.quality import Actor, Answer, evaluate, revise_evaluation, starter_scorecard
from callops.records import Role

AT = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
QA = Actor("qa1", Role.QA)
ANSWERS = {
    "greeting": Answer(True),
    "verify": Answer(True),
    "listening": Answer(5),
    "solution": Answer(5),
    "coldness": Answer(2, comment="flat tone", time_marks_s=(34.0, 80.5)),
}


def test_evaluate_creates_version_one() -> None:
    """A QA's scoring is version 1 with its score, comments and time marks."""
    ev = evaluate(
        starter_scorecard(), ANSWERS, evaluation_id="e1", call_id="c1", agent="ag1", actor=QA, at=AT
    )
    assert ev.current.version == 1 and ev.current.result.score == 90
    assert ev.current.answer_map()["coldness"].time_marks_s == (34.0, 80.5)


def test_only_a_qa_evaluates_and_never_their_own_call() -> None:
    """A team lead cannot score; an agent rotated into QA cannot score their own call."""
    with pytest.raises(PermissionDenied):
        evaluate(
            starter_scorecard(),
            ANSWERS,
            evaluation_id="e1",
            call_id="c1",
            agent="ag1",
            actor=Actor("tl", Role.TEAM_LEAD),
            at=AT,
        )
    with pytest.raises(PermissionDenied, match="own"):
        evaluate(
            starter_scorecard(),
            ANSWERS,
            evaluation_id="e1",
            call_id="c1",
            agent="ag1",
            actor=Actor("ag1", Role.QA),
            at=AT,
        )


def test_a_correction_is_a_new_version_and_the_old_is_kept() -> None:
    """Revising appends version 2 with its reason; version 1 is unchanged."""
    ev = evaluate(
        starter_scorecard(), ANSWERS, evaluation_id="e1", call_id="c1", agent="ag1", actor=QA, at=AT
    )
    fixed = revise_evaluation(
        ev,
        {**ANSWERS, "coldness": Answer(0)},
        actor=QA,
        at=AT + dt.timedelta(hours=1),
        reason="misheard the tone",
    )
    assert [v.version for v in fixed.versions] == [1, 2]
    assert fixed.versions[0] == ev.versions[0] and fixed.current.result.score == 100
    assert fixed.current.reason == "misheard the tone"


def test_corrections_need_the_evaluator_a_reason_and_an_open_evaluation() -> None:
    """Another QA cannot revise, a reason is required, and a decided evaluation is closed."""
    ev = evaluate(
        starter_scorecard(), ANSWERS, evaluation_id="e1", call_id="c1", agent="ag1", actor=QA, at=AT
    )
    with pytest.raises(PermissionDenied):
        revise_evaluation(ev, ANSWERS, actor=Actor("qa2", Role.QA), at=AT, reason="x")
    with pytest.raises(InvalidInput, match="reason"):
        revise_evaluation(ev, ANSWERS, actor=QA, at=AT, reason=" ")
    with pytest.raises(Conflict, match="decided"):
        revise_evaluation(replace(ev, decided=True), ANSWERS, actor=QA, at=AT, reason="x")
