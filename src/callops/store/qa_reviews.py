"""Evaluations (versions), notes, appeals and the append-only audit log.

An evaluation is the rows of ``qa_evaluations`` sharing an ``evaluation_key``, one per version; a
correction adds a row and never changes one. An evaluation counts as decided once an appeal on it is
decided. An appeal row holds the domain's ``Appeal`` as JSON; each of its audit events is also a row of
``qa_audit``, which the database itself refuses to change or delete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import NotFound
from callops.quality import Appeal, AppealState, AuditEvent, Decision, Evaluation, EvaluationVersion, PanelView, score
from callops.records import Call, Role
from callops.store.engine import new_id
from callops.store.qa_forms import answers_from_json, answers_to_json, load_scorecard
from callops.store.records import call_from_row
from callops.store.schema import calls, qa_appeals, qa_audit, qa_evaluations, qa_notes

__all__ = ["StoredEvaluation", "Note", "AuditRow", "insert_version", "load_evaluation", "evaluation_keys",
           "load_evaluations", "add_note", "list_notes", "reserve_appeal", "save_appeal", "load_appeal",
           "list_appeals", "write_audit", "write_appeal_event", "list_audit", "NOTE_KINDS", "load_call",
           "follow_ups_due"]

NOTE_KINDS = ("acknowledgement", "agent_comment", "coaching", "follow_up")


@dataclass(frozen=True, slots=True)
class StoredEvaluation:
    evaluation: Evaluation
    call_pk: int
    scorecard_id: int
    draw_id: int | None
    targeted: bool


@dataclass(frozen=True, slots=True)
class Note:
    note_id: int
    evaluation_key: str
    author: str
    kind: str
    text: str
    created_at: dt.datetime
    due_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AuditRow:
    audit_id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


# --- evaluations ---------------------------------------------------------------------------------

def insert_version(conn: sa.Connection, evaluation: Evaluation, *, call_pk: int, scorecard_id: int,
                   draw_id: int | None = None, targeted: bool = False) -> None:
    """Store the evaluation's current (newest) version as a new row."""
    v = evaluation.current
    conn.execute(qa_evaluations.insert().values(
        evaluation_key=evaluation.evaluation_id, version=v.version, call_id=call_pk, agent=evaluation.agent,
        evaluator=evaluation.evaluator, scorecard_id=scorecard_id, answers=answers_to_json(v.answer_map()),
        score=v.result.score, failed=v.result.critical_failed, status="scored" if v.version == 1 else "corrected",
        draw_id=draw_id, targeted=targeted, created_at=v.created_at, reason=f"{v.created_by}: {v.reason}"[:200]))


def _decided_keys(conn: sa.Connection, keys: Iterable[str]) -> set[str]:
    query = sa.select(qa_appeals.c.evaluation_key).where(qa_appeals.c.evaluation_key.in_(list(keys)),
                                                         qa_appeals.c.status == AppealState.DECIDED.value)
    return set(conn.execute(query).scalars())


def _assemble(conn: sa.Connection, rows: list[sa.Row[Any]], decided: bool) -> StoredEvaluation:
    first = rows[0]
    form = load_scorecard(conn, int(first.scorecard_id)).form
    versions = []
    for r in rows:
        answers = answers_from_json(r.answers)
        by, _, reason = str(r.reason or ": initial").partition(": ")
        versions.append(EvaluationVersion(int(r.version), tuple(sorted(answers.items())), score(form, answers),
                                          r.created_at, by or first.evaluator, reason))
    evaluation = Evaluation(first.evaluation_key, str(first.call_id), first.agent, first.evaluator, form,
                            tuple(versions), decided)
    return StoredEvaluation(evaluation, int(first.call_id), int(first.scorecard_id), first.draw_id,
                            bool(first.targeted))


def load_evaluation(conn: sa.Connection, key: str) -> StoredEvaluation:
    rows = list(conn.execute(sa.select(qa_evaluations).where(qa_evaluations.c.evaluation_key == key)
                             .order_by(qa_evaluations.c.version)))
    if not rows:
        raise NotFound(f"no evaluation {key!r}")
    return _assemble(conn, rows, bool(_decided_keys(conn, [key])))


def evaluation_keys(conn: sa.Connection, *, agent: str | None = None, evaluator: str | None = None,
                    call_pk: int | None = None, agents: frozenset[str] | None = None) -> list[str]:
    """Keys of evaluations (newest first), optionally of one agent, evaluator or call, or of ``agents`` only."""
    query = sa.select(qa_evaluations.c.evaluation_key, sa.func.min(qa_evaluations.c.created_at).label("first_at"))
    if agent is not None:
        query = query.where(qa_evaluations.c.agent == agent)
    if agents is not None:
        query = query.where(qa_evaluations.c.agent.in_(sorted(agents)))
    if evaluator is not None:
        query = query.where(qa_evaluations.c.evaluator == evaluator)
    if call_pk is not None:
        query = query.where(qa_evaluations.c.call_id == call_pk)
    query = query.group_by(qa_evaluations.c.evaluation_key).order_by(sa.text("first_at DESC"),
                                                                     qa_evaluations.c.evaluation_key)
    return [str(r.evaluation_key) for r in conn.execute(query)]


def load_evaluations(conn: sa.Connection, keys: list[str]) -> list[StoredEvaluation]:
    """The evaluations ``keys``, in that order (one query for all their versions)."""
    if not keys:
        return []
    grouped: dict[str, list[sa.Row[Any]]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = conn.execute(sa.select(qa_evaluations).where(qa_evaluations.c.evaluation_key.in_(chunk))
                            .order_by(qa_evaluations.c.evaluation_key, qa_evaluations.c.version))
        for r in rows:
            grouped.setdefault(r.evaluation_key, []).append(r)
    decided = _decided_keys(conn, keys)
    return [_assemble(conn, grouped[k], k in decided) for k in keys if k in grouped]


# --- notes ---------------------------------------------------------------------------------------

def add_note(conn: sa.Connection, key: str, *, author: str, kind: str, text: str, at: dt.datetime,
             due_at: dt.datetime | None = None) -> Note:
    result = conn.execute(qa_notes.insert().values(evaluation_key=key, author=author, kind=kind, text=text,
                                                   created_at=at, due_at=due_at))
    return Note(new_id(result), key, author, kind, text, at, due_at)


def list_notes(conn: sa.Connection, key: str) -> list[Note]:
    rows = conn.execute(sa.select(qa_notes).where(qa_notes.c.evaluation_key == key)
                        .order_by(qa_notes.c.created_at, qa_notes.c.id))
    return [Note(int(r.id), r.evaluation_key, r.author, r.kind, r.text, r.created_at, r.due_at) for r in rows]


# --- appeals -------------------------------------------------------------------------------------

def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


def _appeal_json(appeal: Appeal) -> dict[str, Any]:
    return {
        "appeal_id": appeal.appeal_id, "evaluation_id": appeal.evaluation_id, "agent": appeal.agent,
        "evaluator": appeal.evaluator, "disputed_items": list(appeal.disputed_items), "reason": appeal.reason,
        "filed_at": _iso(appeal.filed_at), "state": appeal.state.value,
        "decision": None if appeal.decision is None else appeal.decision.value,
        "views": [{"user_id": v.user_id, "role": v.role.value, "view": v.view.value, "comment": v.comment,
                   "at": _iso(v.at)} for v in appeal.views],
        "events": [{"sequence": e.sequence, "action": e.action, "user_id": e.user_id, "role": e.role.value,
                    "at": _iso(e.at), "detail": e.detail} for e in appeal.events],
    }


def _appeal(data: dict[str, Any]) -> Appeal:
    aid = str(data["appeal_id"])
    return Appeal(
        aid, str(data["evaluation_id"]), str(data["agent"]), str(data["evaluator"]),
        tuple(str(i) for i in data["disputed_items"]), str(data["reason"]),
        dt.datetime.fromisoformat(data["filed_at"]), AppealState(data["state"]),
        tuple(PanelView(v["user_id"], Role(v["role"]), Decision(v["view"]), v["comment"],
                        dt.datetime.fromisoformat(v["at"])) for v in data["views"]),
        None if data["decision"] is None else Decision(data["decision"]),
        tuple(AuditEvent(aid, int(e["sequence"]), e["action"], e["user_id"], Role(e["role"]),
                         dt.datetime.fromisoformat(e["at"]), e["detail"]) for e in data["events"]),
    )


def reserve_appeal(conn: sa.Connection, evaluation: Evaluation, *, at: dt.datetime, deadline_at: dt.datetime) -> str:
    """A new appeal row (its id becomes the appeal id); ``save_appeal`` fills in the state."""
    result = conn.execute(qa_appeals.insert().values(
        evaluation_key=evaluation.evaluation_id, agent=evaluation.agent, evaluator=evaluation.evaluator,
        status="reserved", state={}, filed_at=at, deadline_at=deadline_at))
    return str(new_id(result))


def save_appeal(conn: sa.Connection, appeal: Appeal, *, decided_at: dt.datetime | None = None) -> None:
    conn.execute(qa_appeals.update().where(qa_appeals.c.id == int(appeal.appeal_id)).values(
        status=appeal.state.value, state=_appeal_json(appeal), decided_at=decided_at))


def load_appeal(conn: sa.Connection, appeal_id: str) -> tuple[Appeal, dt.datetime | None]:
    """The appeal and its deadline for filing (the evaluation's publication plus the allowed days)."""
    try:
        pk = int(appeal_id)
    except ValueError:
        raise NotFound(f"no appeal {appeal_id!r}") from None
    row = conn.execute(sa.select(qa_appeals).where(qa_appeals.c.id == pk,
                                                   qa_appeals.c.status != "reserved")).first()
    if row is None:
        raise NotFound(f"no appeal {appeal_id!r}")
    return _appeal(row.state), row.deadline_at


def list_appeals(conn: sa.Connection, *, agent: str | None = None, evaluation_key: str | None = None,
                 status: str | None = None, agents: frozenset[str] | None = None) -> list[Appeal]:
    """Appeals (oldest first), optionally of one agent, evaluation or status, or of ``agents`` only."""
    query = sa.select(qa_appeals.c.state).where(qa_appeals.c.status != "reserved")
    if agent is not None:
        query = query.where(qa_appeals.c.agent == agent)
    if agents is not None:
        query = query.where(qa_appeals.c.agent.in_(sorted(agents)))
    if evaluation_key is not None:
        query = query.where(qa_appeals.c.evaluation_key == evaluation_key)
    if status is not None:
        query = query.where(qa_appeals.c.status == status)
    return [_appeal(s) for s in conn.execute(query.order_by(qa_appeals.c.id)).scalars()]


# --- audit ---------------------------------------------------------------------------------------

def write_audit(conn: sa.Connection, *, at: dt.datetime, actor: str, action: str, subject: str,
                details: dict[str, Any]) -> None:
    conn.execute(qa_audit.insert().values(at=at, actor=actor, action=action, subject=subject, details=details))


def write_appeal_event(conn: sa.Connection, event: AuditEvent) -> None:
    write_audit(conn, at=event.at, actor=event.user_id, action=f"appeal.{event.action}",
                subject=f"appeal:{event.appeal_id}",
                details={"sequence": event.sequence, "role": event.role.value, "detail": event.detail})


def list_audit(conn: sa.Connection, *, subject: str | None = None) -> list[AuditRow]:
    query = sa.select(qa_audit).order_by(qa_audit.c.id)
    if subject is not None:
        query = query.where(qa_audit.c.subject == subject)
    return [AuditRow(int(r.id), r.at, r.actor, r.action, r.subject, dict(r.details)) for r in conn.execute(query)]


def load_call(conn: sa.Connection, call_pk: int) -> Call:
    """The stored call with primary key ``call_pk``."""
    row = conn.execute(sa.select(calls).where(calls.c.id == call_pk)).first()
    if row is None:
        raise NotFound(f"no call with id {call_pk}")
    return call_from_row(row)


def follow_ups_due(conn: sa.Connection, *, until: dt.datetime) -> list[tuple[Note, str]]:
    """Follow-up notes due by ``until``, each with the agent of its evaluation, soonest first."""
    agent = sa.select(qa_evaluations.c.agent).where(qa_evaluations.c.evaluation_key == qa_notes.c.evaluation_key,
                                                    qa_evaluations.c.version == 1).scalar_subquery()
    rows = conn.execute(sa.select(qa_notes, agent.label("agent")).where(
        qa_notes.c.kind == "follow_up", qa_notes.c.due_at.is_not(None), qa_notes.c.due_at <= until)
        .order_by(qa_notes.c.due_at, qa_notes.c.id))
    return [(Note(int(r.id), r.evaluation_key, r.author, r.kind, r.text, r.created_at, r.due_at), str(r.agent))
            for r in rows]
