"""The starter scorecard: a complete, valid form with the seeds' deductions in its catalogue."""

from __future__ import annotations

from callops.quality import ItemKind, starter_scorecard


def test_starter_form_is_version_one_with_a_deduction_pool() -> None:
    """Positive items give 40 of 100 points, leaving a 60-point pool for deductions; pass mark 80."""
    form = starter_scorecard()
    positive = sum(i.points for i in form.items if i.kind in (ItemKind.WEIGHTED, ItemKind.YES_NO))
    assert (form.version, form.total, positive, form.pass_score) == (1, 100, 40, 80)


def test_catalogue_covers_what_a_caller_must_never_hear() -> None:
    """Arguing, interrogating, coldness, monologue (seed 003) and the speaking-rate band (seed 000) are in."""
    ids = {i.item_id for i in starter_scorecard().catalogue()}
    assert {"arguing", "interrogating", "coldness", "monologue", "speech_rate", "over_marketing"} <= ids
    assert {"abuse", "privacy"} <= ids
