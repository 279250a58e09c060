"""The scorecard editor's form: a draft of the strings a QA lead typed, and the next version made from it.

The draft round-trips exactly what was typed, so a refused form comes back as it was sent. Field names
(a row keeps its number when rows are added or removed; rows are read in the order of their numbers):

    title, total, pass_score, applies_to (queues or campaigns, separated by commas)
    s<N>-id, s<N>-title, s<N>-remove                                       section N
    s<N>-i<M>-id, -label, -kind, -points, -cap, -scale, -description,      item M of section N
    s<N>-i<M>-examples (one a line), s<N>-i<M>-remove

An item row with nothing typed (the kind aside) is an empty slot and is skipped, as is a section with
neither id, title nor items; a row whose ``remove`` box is ticked is dropped. Problems of the typed text
(a number that is not one, a missing or malformed id) are all collected into one ``DraftRejected``; the
form's own rules (ids unique, positive points within the total, ...) are the domain's ``InvalidInput``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from callops.errors import InvalidInput
from callops.quality import ItemKind, Scorecard, ScorecardItem, Section, revise_scorecard

__all__ = ["ItemDraft", "SectionDraft", "ScorecardDraft", "FieldProblem", "DraftRejected", "draft_of",
           "draft_from_form", "scorecard_from_draft"]

_ID = re.compile(r"[A-Za-z0-9_-]{1,60}")
_SECTION_FIELD = re.compile(r"s(\d{1,4})-(id|title|remove)")
_ITEM_FIELD = re.compile(r"s(\d{1,4})-i(\d{1,4})-(id|label|kind|points|cap|scale|description|examples|remove)")
_LIST_SEPARATORS = re.compile(r"[,，、;\n]")
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class ItemDraft:
    key: str  # "s0-i1": the prefix of the row's field names
    item_id: str = ""
    label: str = ""
    kind: str = ItemKind.DEDUCTION.value
    points: str = ""
    cap: str = ""
    scale: str = ""
    description: str = ""
    examples: str = ""

    @property
    def blank(self) -> bool:
        return not any((self.item_id, self.label, self.points, self.cap, self.scale, self.description,
                        self.examples))


@dataclass(frozen=True, slots=True)
class SectionDraft:
    key: str  # "s0"
    section_id: str = ""
    title: str = ""
    items: tuple[ItemDraft, ...] = ()

    def next_item(self) -> ItemDraft:
        """An empty item row numbered one above the highest in use."""
        return ItemDraft(f"{self.key}-i{max((int(i.key.rsplit('-i', 1)[1]) for i in self.items), default=-1) + 1}")


@dataclass(frozen=True, slots=True)
class ScorecardDraft:
    title: str
    total: str
    pass_score: str
    applies_to: str
    sections: tuple[SectionDraft, ...]

    def next_section(self) -> SectionDraft:
        """An empty section numbered one above the highest in use."""
        return SectionDraft(f"s{max((int(s.key[1:]) for s in self.sections), default=-1) + 1}")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str  # the input's name, e.g. "s1-i0-points"
    where: str  # the section or item it belongs to (its id, else its title or label, else "#row"); "" for the form
    column: str  # which input: "id", "label", "points", ... or "title", "total", "pass_score"
    problem: str  # "number", "required", "id", "kind", "long"
    value: str


class DraftRejected(InvalidInput):
    """Typed text that does not make a form; ``problems`` lists every one (the message names the first)."""

    def __init__(self, problems: tuple[FieldProblem, ...]) -> None:
        first = problems[0]
        super().__init__(f"{first.where or 'form'}: {first.column} {first.value!r} ({first.problem})",
                         field=first.field)
        self.problems = problems


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def draft_of(form: Scorecard) -> ScorecardDraft:
    """The editor's starting point: ``form`` written out as the fields the page shows."""
    return ScorecardDraft(
        title=form.title, total=_number(form.total), pass_score=_number(form.pass_score),
        applies_to=", ".join(form.applies_to),
        sections=tuple(SectionDraft(f"s{n}", s.section_id, s.title, tuple(
            ItemDraft(f"s{n}-i{m}", i.item_id, i.label, i.kind.value, _number(i.points), _number(i.cap),
                      _number(i.scale_max) if i.kind is ItemKind.WEIGHTED else "", i.description,
                      "\n".join(i.examples))
            for m, i in enumerate(s.items))) for n, s in enumerate(form.sections)))


def draft_from_form(data: Mapping[str, str]) -> ScorecardDraft:
    """The draft as posted: removed and empty rows dropped, everything else kept as typed."""
    sections: dict[int, dict[str, str]] = {}
    items: dict[int, dict[int, dict[str, str]]] = {}
    for name, value in data.items():
        if match := _SECTION_FIELD.fullmatch(name):
            sections.setdefault(int(match[1]), {})[match[2]] = value
        elif match := _ITEM_FIELD.fullmatch(name):
            sections.setdefault(int(match[1]), {})
            items.setdefault(int(match[1]), {}).setdefault(int(match[2]), {})[match[3]] = value
    drafts = []
    for n in sorted(sections):
        fields = sections[n]
        if fields.get("remove"):
            continue
        rows = []
        for m, row in sorted(items.get(n, {}).items()):
            item = ItemDraft(f"s{n}-i{m}", row.get("id", "").strip(), row.get("label", "").strip(),
                             row.get("kind", ItemKind.DEDUCTION.value), row.get("points", "").strip(),
                             row.get("cap", "").strip(), row.get("scale", "").strip(),
                             row.get("description", "").strip(), row.get("examples", "").strip())
            if not row.get("remove") and not item.blank:
                rows.append(item)
        section = SectionDraft(f"s{n}", fields.get("id", "").strip(), fields.get("title", "").strip(), tuple(rows))
        if section.section_id or section.title or section.items:
            drafts.append(section)
    return ScorecardDraft(str(data.get("title", "")).strip(), str(data.get("total", "")).strip(),
                          str(data.get("pass_score", "")).strip(), str(data.get("applies_to", "")).strip(),
                          tuple(drafts))


class _Reader:
    """Reads typed values, noting each problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def note(self, field: str, where: str, column: str, problem: str, value: str) -> None:
        self.problems.append(FieldProblem(field, where, column, problem, value))

    def text(self, field: str, where: str, column: str, value: str) -> str:
        if len(value) > MAX_TEXT:
            self.note(field, where, column, "long", value[:40] + "…")
        return value

    def ident(self, field: str, where: str, value: str) -> str:
        if not value:
            self.note(field, where, "id", "required", value)
        elif not _ID.fullmatch(value):
            self.note(field, where, "id", "id", value)
        return value

    def number(self, field: str, where: str, column: str, value: str, default: float | None) -> float | None:
        if value == "":
            if default is None:
                self.note(field, where, column, "required", value)
            return default
        try:
            parsed = float(value)
        except ValueError:
            parsed = math.nan
        if not math.isfinite(parsed):
            self.note(field, where, column, "number", value)
            return default
        return parsed


def _item(reader: _Reader, draft: ItemDraft, row: int) -> ScorecardItem:
    key, where = draft.key, draft.item_id or draft.label or f"#{row}"
    try:
        kind = ItemKind(draft.kind)
    except ValueError:
        reader.note(f"{key}-kind", where, "kind", "kind", draft.kind)
        kind = ItemKind.DEDUCTION
    points = reader.number(f"{key}-points", where, "points", draft.points,
                           0.0 if kind is ItemKind.CRITICAL else None)
    cap = reader.number(f"{key}-cap", where, "cap", draft.cap, None) if draft.cap else None
    scale = reader.number(f"{key}-scale", where, "scale", draft.scale, 5.0) if kind is ItemKind.WEIGHTED else 5.0
    examples = tuple(line.strip() for line in draft.examples.splitlines() if line.strip())
    return ScorecardItem(
        reader.ident(f"{key}-id", where, draft.item_id), reader.text(f"{key}-label", where, "label", draft.label),
        kind, points=0.0 if points is None else points, cap=cap if kind is ItemKind.DEDUCTION else None,
        scale_max=5.0 if scale is None else scale,
        description=reader.text(f"{key}-description", where, "description", draft.description),
        examples=tuple(reader.text(f"{key}-examples", where, "examples", e) for e in examples))


def scorecard_from_draft(draft: ScorecardDraft, base: Scorecard) -> Scorecard:
    """The next version of ``base`` as the draft describes it.

    Raises ``DraftRejected`` listing every field that cannot be read, else the domain's ``InvalidInput``
    when the form breaks one of its rules; either way nothing is made.
    """
    reader = _Reader()
    total = reader.number("total", "", "total", draft.total, None)
    pass_score = reader.number("pass_score", "", "pass_score", draft.pass_score, None)
    title = reader.text("title", "", "title", draft.title)
    applies_to = tuple(part.strip() for part in _LIST_SEPARATORS.split(draft.applies_to) if part.strip())
    sections = []
    for number, section in enumerate(draft.sections, start=1):
        where = section.section_id or section.title or f"#{number}"
        section_id = reader.ident(f"{section.key}-id", where, section.section_id)
        items = tuple(_item(reader, item, row) for row, item in enumerate(section.items, start=1))
        sections.append(Section(section_id, reader.text(f"{section.key}-title", where, "title", section.title),
                                items))
    if reader.problems:
        raise DraftRejected(tuple(reader.problems))
    return revise_scorecard(base, sections=tuple(sections), title=title, total=total, pass_score=pass_score,
                            applies_to=applies_to)
