"""Scorecards: versioned forms of sections and items, a deduction catalogue, and scoring.

Item kinds and how an answer scores (``total`` is the form's maximum, e.g. 100):
    weighted   answer r in [0, scale_max]   earns points * r / scale_max
    yes_no     answer True / False          earns points / 0
    deduction  answer = occurrences k >= 0  deducts min(points * k, cap)        (扣分项)
    critical   answer True = it happened    the evaluation fails and scores 0

    score = clamp(sum earned + (total - sum of weighted and yes/no points) - sum deducted, 0, total)

so the points not given to positive items form the pool deductions come out of. An evaluation
passes when no critical item happened and score >= pass_score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from callops.errors import InvalidInput

__all__ = [
    "ItemKind",
    "ScorecardItem",
    "Section",
    "Scorecard",
    "Answer",
    "ItemScore",
    "ScoreResult",
    "score",
    "revise_scorecard",
]


class ItemKind(StrEnum):
    WEIGHTED = "weighted"
    YES_NO = "yes_no"
    DEDUCTION = "deduction"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class ScorecardItem:
    item_id: str
    label: str
    kind: ItemKind
    points: float = 0.0  # weighted / yes_no: points earned at best; deduction: points per occurrence
    cap: float | None = None  # deduction: most that can be deducted (default: unlimited)
    scale_max: float = 5.0  # weighted: top of the rating scale
    description: str = ""  # the deduction catalogue: what counts, so the same problem gets the same deduction
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    section_id: str
    title: str
    items: tuple[ScorecardItem, ...]


@dataclass(frozen=True, slots=True)
class Scorecard:
    form_id: str
    version: int
    title: str
    sections: tuple[Section, ...]
    total: float = 100.0
    pass_score: float = 80.0
    applies_to: tuple[str, ...] = ()  # queues or campaigns

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise InvalidInput(f"form {self.form_id}: give the form a title", field="title")
        if self.total <= 0:
            raise InvalidInput(f"form {self.form_id}: the total {self.total:g} must be above 0", field="total")
        if not 0 <= self.pass_score <= self.total:
            raise InvalidInput(
                f"form {self.form_id}: the pass score {self.pass_score:g} must lie in 0..{self.total:g}",
                field="pass_score",
            )
        if not self.items:
            raise InvalidInput(f"form {self.form_id}: add at least one item", field="items")
        ids = {"section": [s.section_id for s in self.sections], "item": [i.item_id for i in self.items]}
        for what, names in ids.items():
            if any(not n.strip() for n in names):
                raise InvalidInput(f"form {self.form_id}: every {what} needs an id", field=f"{what}_id")
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise InvalidInput(
                    f"form {self.form_id} v{self.version}: {what} ids repeat: {', '.join(repeated)}",
                    field=f"{what}_id",
                )
        for item in self.items:
            if not item.label.strip():
                raise InvalidInput(f"item {item.item_id}: give it a label", field="label")
            if item.points < 0 or (item.cap is not None and item.cap < 0) or item.scale_max <= 0:
                raise InvalidInput(
                    f"item {item.item_id}: points, cap and scale must be positive", field="points"
                )
        positive = sum(i.points for i in self.items if i.kind in (ItemKind.WEIGHTED, ItemKind.YES_NO))
        if positive > self.total:
            raise InvalidInput(
                f"form {self.form_id}: positive items give {positive:g} > total {self.total:g}", field="points"
            )

    @property
    def items(self) -> tuple[ScorecardItem, ...]:
        return tuple(i for s in self.sections for i in s.items)

    def item(self, item_id: str) -> ScorecardItem:
        for it in self.items:
            if it.item_id == item_id:
                return it
        raise InvalidInput(f"form {self.form_id} v{self.version} has no item {item_id!r}", field="item_id")

    def catalogue(self) -> tuple[ScorecardItem, ...]:
        """The deduction and critical items with their descriptions and examples."""
        return tuple(i for i in self.items if i.kind in (ItemKind.DEDUCTION, ItemKind.CRITICAL))


@dataclass(frozen=True, slots=True)
class Answer:
    value: float | bool  # see the item kinds in the module docstring
    comment: str = ""
    time_marks_s: tuple[float, ...] = field(default=())  # where in the recording


@dataclass(frozen=True, slots=True)
class ItemScore:
    item_id: str
    earned: float  # weighted / yes_no
    deducted: float  # deduction
    critical: bool


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: float
    total: float
    passed: bool
    critical_failed: bool
    items: tuple[ItemScore, ...]
    by_section: tuple[tuple[str, float], ...]  # section id, earned minus deducted


def _item_score(item: ScorecardItem, answer: Answer | None) -> ItemScore:
    if answer is None:
        if item.kind in (ItemKind.DEDUCTION, ItemKind.CRITICAL):
            return ItemScore(item.item_id, 0.0, 0.0, False)
        raise InvalidInput(f"item {item.item_id} is not answered", field=item.item_id)
    value = answer.value
    if item.kind in (ItemKind.YES_NO, ItemKind.CRITICAL):
        if not isinstance(value, bool):
            raise InvalidInput(f"item {item.item_id} takes yes or no, not {value!r}", field=item.item_id)
        if item.kind is ItemKind.CRITICAL:
            return ItemScore(item.item_id, 0.0, 0.0, value)
        return ItemScore(item.item_id, float(item.points) if value else 0.0, 0.0, False)
    if isinstance(value, bool):
        raise InvalidInput(f"item {item.item_id} takes a number, not yes/no", field=item.item_id)
    if item.kind is ItemKind.WEIGHTED:
        if not 0 <= value <= item.scale_max:
            raise InvalidInput(
                f"item {item.item_id}: {value} is outside 0..{item.scale_max:g}", field=item.item_id
            )
        return ItemScore(item.item_id, item.points * value / item.scale_max, 0.0, False)
    if value < 0 or value != int(value):
        raise InvalidInput(
            f"item {item.item_id}: occurrences must be a whole number >= 0", field=item.item_id
        )
    deducted = float(item.points * value)
    return ItemScore(
        item.item_id, 0.0, deducted if item.cap is None else min(deducted, float(item.cap)), False
    )


def score(form: Scorecard, answers: Mapping[str, Answer]) -> ScoreResult:
    """Score one evaluation; unanswered deduction and critical items count as "did not happen"."""
    known = {i.item_id for i in form.items}
    for item_id in answers:
        if item_id not in known:
            raise InvalidInput(f"form {form.form_id} v{form.version} has no item {item_id!r}", field=item_id)
    items = tuple(_item_score(i, answers.get(i.item_id)) for i in form.items)
    by_id = {s.item_id: s for s in items}
    positive = sum(i.points for i in form.items if i.kind in (ItemKind.WEIGHTED, ItemKind.YES_NO))
    raw = sum(s.earned for s in items) + (form.total - positive) - sum(s.deducted for s in items)
    critical = any(s.critical for s in items)
    value = 0.0 if critical else min(form.total, max(0.0, raw))
    sections = tuple(
        (sec.section_id, sum(by_id[i.item_id].earned - by_id[i.item_id].deducted for i in sec.items))
        for sec in form.sections
    )
    return ScoreResult(
        score=value,
        total=form.total,
        passed=not critical and value >= form.pass_score,
        critical_failed=critical,
        items=items,
        by_section=sections,
    )


def revise_scorecard(
    form: Scorecard,
    *,
    sections: tuple[Section, ...],
    title: str | None = None,
    total: float | None = None,
    pass_score: float | None = None,
    applies_to: tuple[str, ...] | None = None,
) -> Scorecard:
    """The next version of a form (what is not given is kept); evaluations keep the version they were scored on."""
    return Scorecard(
        form_id=form.form_id,
        version=form.version + 1,
        title=form.title if title is None else title,
        sections=sections,
        total=form.total if total is None else total,
        pass_score=form.pass_score if pass_score is None else pass_score,
        applies_to=form.applies_to if applies_to is None else applies_to,
    )
