"""Appeals: the full path to a corrected score, illegal steps, wrong roles, the audit trail and the tally."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.errors import CallopsError, Conflict, InvalidInput, PermissionDenied
from callops.quality import (
    Actor,
    Answer,
    Appeal,
    AppealState,
    Decision,
    Evaluation,
    accept_appeal,
    decide_appeal,
    evaluate,
    file_appeal,
    record_view,
    return_appeal,
    revise_evaluation,
    starter_scorecard,
    tally_appeals,
)
from callops.records import Role

T0 = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
AGENT = Actor("ag1", Role.AGENT)
QA = Actor("qa1", Role.QA)
LEAD = Actor("tl1", Role.TEAM_LEAD)
SUPERVISOR = Actor("sup1", Role.MANAGER)
ANSWERS = {
    "greeting": Answer(True),
    "verify": Answer(True),
    "listening": Answer(5),
    "solution": Answer(5),
    "coldness": Answer(2),
}


def _hours(h: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=h)


def _evaluation() -> Evaluation:
    return evaluate(
        starter_scorecard(), ANSWERS, evaluation_id="e1", call_id="c1", agent="ag1", actor=QA, at=T0
    )


def _filed(ev: Evaluation | None = None) -> Appeal:
    appeal, _ = file_appeal(
        ev or _evaluation(),
        appeal_id="ap1",
        actor=AGENT,
        disputed_items=["coldness"],
        reason="the customer shouted; my tone was calm",
        at=_hours(2),
    )
    return appeal


def _reviewed(views: tuple[Decision, Decision, Decision] = (Decision.UPHELD,) * 3) -> Appeal:
    appeal, _ = accept_appeal(_filed(), actor=LEAD, at=_hours(3))
    for actor, view in zip((SUPERVISOR, LEAD, QA), views, strict=True):
        appeal, _ = record_view(appeal, actor=actor, at=_hours(4), view=view, comment="listened again")
    return appeal


def test_full_path_to_a_corrected_score() -> None:
    """File, accept, three views, uphold: a new version scores 100, the old 90 kept, then closed."""
    ev = _evaluation()
    appeal = _reviewed()
    decided, closed, event = decide_appeal(
        appeal,
        ev,
        actor=SUPERVISOR,
        at=_hours(5),
        decision=Decision.UPHELD,
        corrected_answers={"coldness": Answer(0)},
    )
    assert decided.state is AppealState.DECIDED and decided.decision is Decision.UPHELD
    assert [v.result.score for v in closed.versions] == [90, 100]
    assert closed.current.reason == "appeal ap1 upheld" and closed.current.created_by == "sup1"
    assert [e.action for e in decided.events] == ["filed", "accepted", "view", "view", "view", "decided"]
    assert [e.sequence for e in decided.events] == [1, 2, 3, 4, 5, 6]
    assert event == decided.events[-1] and "90 -> 100" in event.detail
    with pytest.raises(Conflict, match="decided"):
        revise_evaluation(closed, ANSWERS, actor=QA, at=_hours(6), reason="sneaky edit")
    with pytest.raises(Conflict):
        file_appeal(
            closed, appeal_id="ap2", actor=AGENT, disputed_items=["greeting"], reason="again", at=_hours(6)
        )


def test_rejected_appeal_keeps_the_score_and_closes_the_evaluation() -> None:
    """A rejection adds no version and still closes the evaluation."""
    decided, closed, _ = decide_appeal(
        _reviewed((Decision.REJECTED,) * 3),
        _evaluation(),
        actor=SUPERVISOR,
        at=_hours(5),
        decision=Decision.REJECTED,
    )
    assert len(closed.versions) == 1 and closed.decided and decided.decision is Decision.REJECTED


def test_every_transition_returns_its_audit_event_and_only_appends() -> None:
    """Each step's event is the last of the appeal's log and earlier events stay as they were."""
    ev = _evaluation()
    appeal, e1 = file_appeal(
        ev, appeal_id="ap1", actor=AGENT, disputed_items=["coldness"], reason="r", at=_hours(1)
    )
    accepted, e2 = accept_appeal(appeal, actor=LEAD, at=_hours(2))
    assert appeal.events == (e1,) and accepted.events == (e1, e2)
    assert (e2.action, e2.user_id, e2.role) == ("accepted", "tl1", Role.TEAM_LEAD)


def test_returned_appeal_ends_there() -> None:
    """A team lead can return an appeal with a reason; it can then be neither accepted nor reviewed."""
    returned, event = return_appeal(_filed(), actor=LEAD, at=_hours(3), reason="no disputed deduction named")
    assert returned.state is AppealState.RETURNED and event.action == "returned"
    with pytest.raises(Conflict):
        accept_appeal(returned, actor=LEAD, at=_hours(4))
    with pytest.raises(Conflict):
        record_view(returned, actor=QA, at=_hours(4), view=Decision.UPHELD)


@pytest.mark.parametrize(
    ("actor", "step"),
    [
        (Actor("ag2", Role.AGENT), "file"),
        (QA, "file"),
        (AGENT, "accept"),
        (QA, "accept"),
        (AGENT, "view"),
        (Actor("pl", Role.PLANNER), "view"),
        (LEAD, "decide"),
        (QA, "decide"),
    ],
)
def test_wrong_role_is_permission_denied(actor: Actor, step: str) -> None:
    """Only the evaluated agent files, a team lead accepts, the panel views, the supervisor decides."""
    with pytest.raises(PermissionDenied):
        if step == "file":
            file_appeal(
                _evaluation(),
                appeal_id="x",
                actor=actor,
                disputed_items=["coldness"],
                reason="r",
                at=_hours(1),
            )
        elif step == "accept":
            accept_appeal(_filed(), actor=actor, at=_hours(3))
        elif step == "view":
            appeal, _ = accept_appeal(_filed(), actor=LEAD, at=_hours(3))
            record_view(appeal, actor=actor, at=_hours(4), view=Decision.UPHELD)
        else:
            decide_appeal(_reviewed(), _evaluation(), actor=actor, at=_hours(5), decision=Decision.REJECTED)


def test_illegal_transitions_are_conflicts() -> None:
    """Viewing before acceptance, viewing twice per role, deciding early, late filing: Conflict."""
    with pytest.raises(Conflict):
        record_view(_filed(), actor=QA, at=_hours(3), view=Decision.UPHELD)
    appeal, _ = accept_appeal(_filed(), actor=LEAD, at=_hours(3))
    appeal, _ = record_view(appeal, actor=QA, at=_hours(4), view=Decision.REJECTED)
    with pytest.raises(Conflict, match="already"):
        record_view(appeal, actor=Actor("qa2", Role.QA), at=_hours(4), view=Decision.UPHELD)
    with pytest.raises(Conflict, match="not finished"):
        decide_appeal(appeal, _evaluation(), actor=SUPERVISOR, at=_hours(5), decision=Decision.REJECTED)
    with pytest.raises(Conflict, match="deadline"):
        file_appeal(
            _evaluation(),
            appeal_id="late",
            actor=AGENT,
            disputed_items=["coldness"],
            reason="r",
            at=_hours(24 * 3 + 1),
        )
    decided, _, _ = decide_appeal(
        _reviewed(), _evaluation(), actor=SUPERVISOR, at=_hours(5), decision=Decision.REJECTED
    )
    with pytest.raises(Conflict):
        decide_appeal(
            decided,
            _evaluation(),
            actor=SUPERVISOR,
            at=_hours(6),
            decision=Decision.UPHELD,
            corrected_answers={"coldness": Answer(0)},
        )


def test_bad_filings_and_decisions_are_invalid_input() -> None:
    """No disputed item, an unknown item, no reason, or corrections outside the disputed items are refused."""
    ev = _evaluation()
    for items, reason in (([], "r"), (["nope"], "r"), (["coldness"], "  ")):
        with pytest.raises(InvalidInput):
            file_appeal(ev, appeal_id="x", actor=AGENT, disputed_items=items, reason=reason, at=_hours(1))
    with pytest.raises(InvalidInput, match="not disputed"):
        decide_appeal(
            _reviewed(),
            ev,
            actor=SUPERVISOR,
            at=_hours(5),
            decision=Decision.PARTLY,
            corrected_answers={"greeting": Answer(False)},
        )
    with pytest.raises(InvalidInput, match="corrected"):
        decide_appeal(_reviewed(), ev, actor=SUPERVISOR, at=_hours(5), decision=Decision.UPHELD)


def test_tally_counts_upheld_against_the_qa_and_rejected_against_the_agent() -> None:
    """Upheld and partly upheld count against the evaluating QA, rejected against the agent; open ones not."""
    ev = _evaluation()
    upheld, _, _ = decide_appeal(
        _reviewed(),
        ev,
        actor=SUPERVISOR,
        at=_hours(5),
        decision=Decision.UPHELD,
        corrected_answers={"coldness": Answer(0)},
    )
    partly, _, _ = decide_appeal(
        _reviewed(),
        ev,
        actor=SUPERVISOR,
        at=_hours(5),
        decision=Decision.PARTLY,
        corrected_answers={"coldness": Answer(1)},
    )
    rejected, _, _ = decide_appeal(
        _reviewed(), ev, actor=SUPERVISOR, at=_hours(5), decision=Decision.REJECTED
    )
    tally = tally_appeals([upheld, partly, rejected, _filed()])
    assert tally.against_qa == (("qa1", 2),) and tally.against_agent == (("ag1", 1),)


STEPS = ["file", "accept", "return", "view_sup", "view_lead", "view_qa", "decide"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(STEPS), max_size=9))
def test_any_sequence_of_steps_keeps_the_log_consistent(steps: list[str]) -> None:
    """Whatever order steps are tried in, each success appends one event and refusals change nothing."""
    ev = _evaluation()
    appeal: Appeal | None = None
    for i, step in enumerate(steps):
        at = _hours(1 + i)
        before = appeal
        try:
            if step == "file":
                if appeal is not None:
                    continue
                appeal, _ = file_appeal(
                    ev, appeal_id="a", actor=AGENT, disputed_items=["coldness"], reason="r", at=at
                )
            elif appeal is None:
                continue
            elif step == "accept":
                appeal, _ = accept_appeal(appeal, actor=LEAD, at=at)
            elif step == "return":
                appeal, _ = return_appeal(appeal, actor=LEAD, at=at, reason="r")
            elif step.startswith("view"):
                who = {"view_sup": SUPERVISOR, "view_lead": LEAD, "view_qa": QA}[step]
                appeal, _ = record_view(appeal, actor=who, at=at, view=Decision.REJECTED)
            else:
                appeal, ev, _ = decide_appeal(appeal, ev, actor=SUPERVISOR, at=at, decision=Decision.REJECTED)
        except CallopsError:
            assert appeal is before
            continue
        assert appeal is not None
        assert len(appeal.events) == (0 if before is None else len(before.events)) + 1
        if before is not None:
            assert appeal.events[: len(before.events)] == before.events
        if appeal.state is AppealState.DECIDED:
            assert len(appeal.views) == 3
