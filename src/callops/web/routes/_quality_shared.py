"""What the QA API and pages share: the clock, the JSON shapes, answers read from forms.

The clock: the app's wall clock, unless ``app.state.qa_clock`` holds a callable returning an aware UTC
datetime (tests and demonstrations move time forward with it). Times are cut to whole milliseconds,
the precision the store keeps.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from callops.errors import InvalidInput
from callops.quality import Answer, Appeal, ItemKind, Scorecard
from callops.services.qa_reviews import EvaluationFile
from callops.store.qa_reviews import Note, StoredEvaluation

__all__ = ["ClockDep", "AnswerIn", "answers_in", "answer_fields", "answers_from_form", "EvaluationOut", "AppealOut",
           "NoteOut", "evaluation_out", "appeal_out", "parse_time_marks", "EvidenceOut", "evidence_out"]


def _now(request: Request) -> dt.datetime:
    clock: Callable[[], dt.datetime] | None = getattr(request.app.state, "qa_clock", None)
    now = clock() if clock is not None else dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


ClockDep = Annotated[dt.datetime, Depends(_now)]


class AnswerIn(BaseModel):
    value: bool | float
    comment: str = Field(default="", max_length=2000)
    time_marks_s: list[float] = Field(default_factory=list, max_length=50)


def answers_in(raw: Mapping[str, AnswerIn]) -> dict[str, Answer]:
    return {k: Answer(a.value, a.comment, tuple(a.time_marks_s)) for k, a in raw.items()}


def parse_time_marks(text: str, item_id: str) -> tuple[float, ...]:
    """"12, 1:05, 90.5" -> (12.0, 65.0, 90.5): seconds or m:ss into the recording."""
    marks = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if ":" in part:
                minutes, _, seconds = part.partition(":")
                value = int(minutes) * 60 + float(seconds)
            else:
                value = float(part)
        except ValueError:
            raise InvalidInput(f"{part!r} is not a time mark like 75 or 1:15", field=f"t_{item_id}") from None
        if not math.isfinite(value):
            raise InvalidInput(f"{part!r} is not a time mark like 75 or 1:15", field=f"t_{item_id}")
        if value < 0:
            raise InvalidInput("time marks are not negative", field=f"t_{item_id}")
        marks.append(value)
    return tuple(marks)


def answer_fields(form: Scorecard, *, only: set[str] | None = None) -> tuple[str, ...]:
    """The evaluation form's field names for ``form``'s items: ``v_<item>``, ``t_<item>``, ``c_<item>``."""
    return tuple(f"{prefix}_{item.item_id}" for item in form.items if only is None or item.item_id in only
                 for prefix in ("v", "t", "c"))


def answers_from_form(form: Scorecard, data: Mapping[str, Any], *, only: set[str] | None = None) -> dict[str, Answer]:
    """Answers from the evaluation form's fields ``v_<item>``, ``c_<item>`` and ``t_<item>``."""
    out = {}
    for item in form.items:
        if only is not None and item.item_id not in only:
            continue
        raw = str(data.get(f"v_{item.item_id}", "")).strip()
        if raw == "" and item.kind in (ItemKind.DEDUCTION, ItemKind.CRITICAL):
            raw = "no" if item.kind is ItemKind.CRITICAL else "0"
        value: bool | float
        if item.kind in (ItemKind.YES_NO, ItemKind.CRITICAL):
            if raw not in ("yes", "no"):
                raise InvalidInput("choose yes or no", field=f"v_{item.item_id}")
            value = raw == "yes"
        else:
            try:
                value = float(raw)
            except ValueError:
                raise InvalidInput(f"{raw!r} is not a number", field=f"v_{item.item_id}") from None
        if not math.isfinite(value):
            raise InvalidInput(f"{raw!r} is not a number", field=f"v_{item.item_id}")
        out[item.item_id] = Answer(value, str(data.get(f"c_{item.item_id}", "")).strip(),
                                   parse_time_marks(str(data.get(f"t_{item.item_id}", "")), item.item_id))
    return out


class NoteOut(BaseModel):
    note_id: int
    author: str
    kind: str
    text: str
    created_at: dt.datetime
    due_at: dt.datetime | None

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls(note_id=note.note_id, author=note.author, kind=note.kind, text=note.text,
                   created_at=note.created_at, due_at=note.due_at)


class VersionOut(BaseModel):
    version: int
    score: float
    passed: bool
    critical_failed: bool
    created_at: dt.datetime
    created_by: str
    reason: str
    answers: dict[str, dict[str, Any]]
    item_scores: dict[str, float]


class EvaluationOut(BaseModel):
    evaluation_key: str
    call_id: int
    agent: str
    evaluator: str
    scorecard: str
    scorecard_version: int
    targeted: bool
    draw_id: int | None
    decided: bool
    score: float
    versions: list[VersionOut]


def evaluation_out(stored: StoredEvaluation) -> EvaluationOut:
    ev = stored.evaluation
    versions = [VersionOut(
        version=v.version, score=v.result.score, passed=v.result.passed, critical_failed=v.result.critical_failed,
        created_at=v.created_at, created_by=v.created_by, reason=v.reason,
        answers={k: {"value": a.value, "comment": a.comment, "time_marks_s": list(a.time_marks_s)}
                 for k, a in v.answers},
        item_scores={s.item_id: s.earned - s.deducted for s in v.result.items}) for v in ev.versions]
    return EvaluationOut(evaluation_key=ev.evaluation_id, call_id=stored.call_pk, agent=ev.agent,
                         evaluator=ev.evaluator, scorecard=ev.form.form_id, scorecard_version=ev.form.version,
                         targeted=stored.targeted, draw_id=stored.draw_id, decided=ev.decided,
                         score=ev.current.result.score, versions=versions)


class ViewOut(BaseModel):
    user_id: str
    role: str
    view: str
    comment: str
    at: dt.datetime


class EventOut(BaseModel):
    sequence: int
    action: str
    user_id: str
    role: str
    at: dt.datetime
    detail: str


class AppealOut(BaseModel):
    appeal_id: str
    evaluation_key: str
    agent: str
    evaluator: str
    disputed_items: list[str]
    reason: str
    filed_at: dt.datetime
    state: str
    decision: str | None
    views: list[ViewOut]
    events: list[EventOut]


def appeal_out(appeal: Appeal) -> AppealOut:
    return AppealOut(
        appeal_id=appeal.appeal_id, evaluation_key=appeal.evaluation_id, agent=appeal.agent,
        evaluator=appeal.evaluator, disputed_items=list(appeal.disputed_items), reason=appeal.reason,
        filed_at=appeal.filed_at, state=appeal.state.value,
        decision=None if appeal.decision is None else appeal.decision.value,
        views=[ViewOut(user_id=v.user_id, role=v.role.value, view=v.view.value, comment=v.comment, at=v.at)
               for v in appeal.views],
        events=[EventOut(sequence=e.sequence, action=e.action, user_id=e.user_id, role=e.role.value, at=e.at,
                         detail=e.detail) for e in appeal.events])


class EvidenceOut(BaseModel):
    """What every panel member sees of an appeal: the call, every version, the notes and the appeal."""

    appeal: AppealOut
    evaluation: EvaluationOut
    call: dict[str, Any]
    notes: list[NoteOut]


def evidence_out(appeal: Appeal, file: EvaluationFile) -> EvidenceOut:
    call = file.call
    return EvidenceOut(
        appeal=appeal_out(appeal), evaluation=evaluation_out(file.stored),
        call={"call_id": file.stored.call_pk, "source_call_id": call.source_call_id, "agent": call.agent,
              "queue": call.queue, "started_at": call.started_at, "talk_s": call.talk_s,
              "recording_ref": call.recording_ref, "issue_notes": call.issue_notes},
        notes=[NoteOut.of(n) for n in file.notes])
