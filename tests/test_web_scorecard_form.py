"""The scorecard editor's form: the draft round-trips a form, rows read in number order, empty and removed rows
drop out, and every unreadable field is named at once."""

from __future__ import annotations

import pytest

from callops.errors import InvalidInput
from callops.quality import ItemKind, starter_scorecard
from callops.web.scorecard_form import (
    DraftRejected,
    draft_from_form,
    draft_of,
    scorecard_from_draft,
)


def _fields(form_data: dict[str, str]) -> dict[str, str]:
    """The fields a browser posts for the starter form's draft (as the editor page writes them)."""
    draft = draft_of(starter_scorecard())
    out = {"title": draft.title, "total": draft.total, "pass_score": draft.pass_score, "applies_to": draft.applies_to}
    for section in draft.sections:
        out[f"{section.key}-id"] = section.section_id
        out[f"{section.key}-title"] = section.title
        for item in section.items:
            out.update({f"{item.key}-id": item.item_id, f"{item.key}-label": item.label, f"{item.key}-kind": item.kind,
                        f"{item.key}-points": item.points, f"{item.key}-cap": item.cap,
                        f"{item.key}-scale": item.scale, f"{item.key}-description": item.description,
                        f"{item.key}-examples": item.examples})
    out.update(form_data)
    return out


def test_the_starter_form_round_trips_as_the_next_version() -> None:
    """Posting the starter form's fields unchanged gives the same form, one version up."""
    base = starter_scorecard()
    made = scorecard_from_draft(draft_from_form(_fields({})), base)
    assert made.version == base.version + 1
    assert (made.sections, made.title, made.total, made.pass_score, made.applies_to) == (
        base.sections, base.title, base.total, base.pass_score, base.applies_to)


def test_rows_follow_their_numbers_and_empty_or_removed_rows_drop_out() -> None:
    """Row s2-i10 comes after s2-i9 (numeric order); an empty row and a ticked row are not part of the form."""
    data = _fields({"s2-i10-id": "hold", "s2-i10-label": "Hold without notice", "s2-i10-kind": "deduction",
                    "s2-i10-points": "3", "s2-i10-cap": "9", "s2-i9-id": "", "s2-i9-kind": "weighted",
                    "s2-i0-remove": "1", "s3-remove": "1", "applies_to": "inbound，vip、 billing"})
    form = scorecard_from_draft(draft_from_form(data), starter_scorecard())
    conduct = form.sections[2]
    assert [i.item_id for i in conduct.items][-1] == "hold" and "arguing" not in [i.item_id for i in conduct.items]
    assert conduct.items[-1].cap == 9 and conduct.items[-1].kind is ItemKind.DEDUCTION
    assert [s.section_id for s in form.sections] == ["opening", "handling", "conduct"]
    assert form.applies_to == ("inbound", "vip", "billing")


def test_every_unreadable_field_is_named() -> None:
    """A non-number, a missing id, a malformed id and a missing total are all reported, each with its field."""
    data = _fields({"s0-i0-points": "five", "s1-i1-id": "", "s2-i0-id": "bad id", "total": ""})
    with pytest.raises(DraftRejected) as caught:
        scorecard_from_draft(draft_from_form(data), starter_scorecard())
    found = {(p.field, p.problem, p.where) for p in caught.value.problems}
    assert found == {("s0-i0-points", "number", "greeting"), ("s1-i1-id", "required", "Correct solution 解决方案正确"),
                     ("s2-i0-id", "id", "bad id"), ("total", "required", "")}


@pytest.mark.parametrize(("changes", "message"), [
    ({"s1-i0-id": "greeting"}, "item ids repeat: greeting"),
    ({"total": "30", "pass_score": "20"}, "positive items give 40 > total 30"),
    ({"pass_score": "120"}, "pass score 120"),
    ({"s2-i0-cap": "-1"}, "item arguing: points, cap and scale must be positive"),
    ({"s1-i0-scale": "0"}, "item listening: points, cap and scale must be positive"),
])
def test_the_domain_rules_refuse_a_bad_form(changes: dict[str, str], message: str) -> None:
    """Readable but invalid forms are refused by the Scorecard itself, naming the item or field."""
    with pytest.raises(InvalidInput, match=message):
        scorecard_from_draft(draft_from_form(_fields(changes)), starter_scorecard())
