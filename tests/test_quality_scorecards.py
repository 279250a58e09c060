"""Scorecards: item kinds, the deduction pool, critical failures, versions and the catalogue."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.quality import (
    Answer,
    ItemKind,
    Scorecard,
    ScorecardItem,
    Section,
    revise_scorecard,
    score,
    starter_scorecard,
)

GOOD = {"greeting": Answer(True), "verify": Answer(True), "listening": Answer(5), "solution": Answer(5)}


def test_a_clean_call_scores_full_marks() -> None:
    """All positive items at their best and no deduction give 100 and a pass."""
    result = score(starter_scorecard(), GOOD)
    assert result.score == 100 and result.passed and not result.critical_failed


def test_weighted_yes_no_and_capped_deductions() -> None:
    """No verification (-5), listening 4/5 (-3), one argument (-10) and 4 cold stretches capped at 10: 72."""
    answers = {
        **GOOD,
        "verify": Answer(False),
        "listening": Answer(4),
        "arguing": Answer(1),
        "coldness": Answer(4),
    }
    result = score(starter_scorecard(), answers)
    assert result.score == pytest.approx(72.0) and not result.passed
    by_item = {s.item_id: s for s in result.items}
    assert by_item["coldness"].deducted == 10 and by_item["listening"].earned == pytest.approx(12)
    assert dict(result.by_section) == {"opening": 5, "handling": 27, "conduct": -20, "critical": 0}


def test_a_critical_item_fails_the_evaluation() -> None:
    """A critical failure scores 0 and fails, however good the rest."""
    result = score(starter_scorecard(), {**GOOD, "privacy": Answer(True)})
    assert result.score == 0 and result.critical_failed and not result.passed


def test_score_never_drops_below_zero() -> None:
    """Nothing earned and 71 points of deductions against a 60-point pool floor the score at 0."""
    answers = {
        "greeting": Answer(False),
        "verify": Answer(False),
        "listening": Answer(0),
        "solution": Answer(0),
        "arguing": Answer(2),
        "interrogating": Answer(2),
        "coldness": Answer(2),
        "monologue": Answer(2),
        "over_marketing": Answer(3),
        "speech_rate": Answer(3),
    }
    result = score(starter_scorecard(), answers)
    assert sum(s.deducted for s in result.items) == 71
    assert result.score == 0


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**GOOD, "nonexistent": Answer(1)}, "nonexistent"),
        ({k: v for k, v in GOOD.items() if k != "solution"}, "solution"),
        ({**GOOD, "greeting": Answer(3)}, "greeting"),
        ({**GOOD, "listening": Answer(9)}, "listening"),
        ({**GOOD, "arguing": Answer(1.5)}, "arguing"),
        ({**GOOD, "listening": Answer(True)}, "listening"),
    ],
)
def test_bad_answers_name_the_item(answers: dict[str, Answer], field: str) -> None:
    """Unknown, missing or ill-typed answers are refused, naming the item."""
    with pytest.raises(InvalidInput, match=field):
        score(starter_scorecard(), answers)


@given(
    st.dictionaries(
        st.sampled_from(
            ["arguing", "interrogating", "coldness", "monologue", "speech_rate", "over_marketing"]
        ),
        st.integers(0, 6),
    )
)
def test_score_stays_within_bounds_and_falls_with_deductions(counts: dict[str, int]) -> None:
    """Any deductions keep the score in [0, total], and one more occurrence never raises it."""
    form = starter_scorecard()
    base = score(form, {**GOOD, **{k: Answer(v) for k, v in counts.items()}}).score
    assert 0 <= base <= form.total
    for item in counts:
        more = score(form, {**GOOD, **{k: Answer(v + (k == item)) for k, v in counts.items()}}).score
        assert more <= base


def test_forms_are_validated_and_versioned() -> None:
    """Repeated item ids or positive points above the total are refused; a revision bumps the version."""
    item = ScorecardItem("x", "X", ItemKind.YES_NO, points=60)
    with pytest.raises(InvalidInput, match="repeat"):
        Scorecard("f", 1, "F", (Section("s", "S", (item, item)),))
    with pytest.raises(InvalidInput, match="total"):
        Scorecard(
            "f", 1, "F", (Section("s", "S", (item, ScorecardItem("y", "Y", ItemKind.YES_NO, points=50))),)
        )
    form = starter_scorecard()
    v2 = revise_scorecard(form, sections=form.sections[:2], pass_score=85)
    assert (v2.form_id, v2.version, v2.pass_score) == (form.form_id, 2, 85)
    assert form.version == 1


def test_catalogue_lists_deductions_with_descriptions() -> None:
    """The deduction catalogue has every deduction and critical item, each described."""
    catalogue = starter_scorecard().catalogue()
    assert {i.kind for i in catalogue} == {ItemKind.DEDUCTION, ItemKind.CRITICAL}
    assert all(i.description for i in catalogue)
    assert any(i.examples for i in catalogue)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": " "}, "title", "title"),
        ({"total": 0}, "total", "above 0"),
        ({"pass_score": 101}, "pass_score", "0..100"),
        ({"sections": ()}, "items", "at least one item"),
        ({"sections": (Section("s", "S", (ScorecardItem("", "X", ItemKind.YES_NO, points=5),)),)}, "item_id", "id"),
        ({"sections": (Section("s", "S", (ScorecardItem("x", "", ItemKind.YES_NO, points=5),)),)}, "label", "item x"),
        ({"sections": (Section("s", "S", (ScorecardItem("x", "X", ItemKind.YES_NO),)),
                       Section("s", "T", (ScorecardItem("y", "Y", ItemKind.YES_NO),)))}, "section_id", "repeat: s"),
    ],
)
def test_a_form_names_what_is_wrong(change: dict[str, object], field: str, message: str) -> None:
    """Blank titles and labels, a total of 0, a pass score outside 0..total, no items, repeated ids are refused."""
    base = starter_scorecard()
    kwargs: dict[str, object] = {"title": base.title, "sections": base.sections, "total": base.total,
                                 "pass_score": base.pass_score, **change}
    with pytest.raises(InvalidInput, match=message) as caught:
        Scorecard(base.form_id, 1, **kwargs)  # type: ignore[arg-type]  # fields from the parameters
    assert caught.value.field == field


def test_a_revision_may_change_total_pass_score_and_queues() -> None:
    """revise_scorecard sets total, pass score and applies_to when given and keeps them otherwise."""
    form = starter_scorecard()
    v2 = revise_scorecard(form, sections=form.sections, total=120, pass_score=90, applies_to=("vip",))
    assert (v2.version, v2.total, v2.pass_score, v2.applies_to) == (2, 120, 90, ("vip",))
    v3 = revise_scorecard(v2, sections=v2.sections, title="renamed")
    assert (v3.version, v3.total, v3.pass_score, v3.applies_to, v3.title) == (3, 120, 90, ("vip",), "renamed")
