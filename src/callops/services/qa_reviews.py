"""Evaluations, the agent's side (see, acknowledge, comment), coaching, and appeals through the panel.

Every step runs the pure domain function (``callops.quality``), then stores what it returned: a new
evaluation version row, the appeal's state, and each audit event as a row of the append-only log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from callops.permissions import Permission, allowed
from callops.quality import (
    DEFAULT_APPEAL_DEADLINE,
    Answer,
    Appeal,
    AppealState,
    Decision,
    accept_appeal,
    decide_appeal,
    evaluate,
    file_appeal,
    record_view,
    return_appeal,
    revise_evaluation,
)
from callops.records import Call, Role
from callops.services.qa_access import (
    agent_actor,
    agents_see_others,
    check_can_see,
    is_qa,
    member_actor,
    qa_actor,
    require_any,
    sees_everything,
)
from callops.services.team_scope import in_team_scope, team_scope
from callops.store.qa_forms import StoredScorecard, ensure_starter_scorecard, latest_scorecard
from callops.store.qa_reviews import (
    AuditRow,
    Note,
    StoredEvaluation,
    add_note,
    evaluation_keys,
    insert_version,
    list_appeals,
    list_audit,
    list_notes,
    load_appeal,
    load_call,
    load_evaluation,
    load_evaluations,
    reserve_appeal,
    save_appeal,
    write_appeal_event,
    write_audit,
)
from callops.store.qa_sampling import list_draws
from callops.store.users import User

__all__ = ["EvaluationFile", "score_call", "correct_evaluation", "open_evaluation", "agent_note", "coach",
           "appeal_evaluation", "accept", "send_back", "panel_view", "decide", "open_appeal", "assigned_draw",
           "scoring_form", "call_to_score", "sees_own_evaluations_only", "visible_evaluations", "visible_appeals",
           "audit_entries"]


@dataclass(frozen=True, slots=True)
class EvaluationFile:
    """Everything about one evaluation that a reader may see: the same evidence for every panel member."""

    stored: StoredEvaluation
    call: Call
    notes: tuple[Note, ...]
    appeals: tuple[Appeal, ...]


def assigned_draw(conn: sa.Connection, call_pk: int, evaluator: str) -> int | None:
    """The draw that picked ``call_pk`` for ``evaluator``, if any (else the evaluation is targeted)."""
    for draw in list_draws(conn):
        if draw.record is None:
            continue
        for sel in draw.record.selections:
            if sel.call_id == str(call_pk) and sel.evaluator == evaluator:
                return draw.draw_id
    return None


def score_call(conn: sa.Connection, user: User, call_pk: int, answers: Mapping[str, Answer], *, now: dt.datetime,
               scorecard: str | None = None) -> StoredEvaluation:
    """A QA (or an agent on QA duty) scores a call: version 1, labelled targeted unless a draw assigned it."""
    actor = qa_actor(conn, user, now)
    call = load_call(conn, call_pk)
    if not call.agent:
        raise InvalidInput(f"call {call_pk} reached no agent; there is nobody to evaluate", field="call_id")
    if user.agent_id is not None and user.agent_id == call.agent:
        raise PermissionDenied("nobody evaluates their own call")
    for key in evaluation_keys(conn, evaluator=user.username, call_pk=call_pk):
        raise Conflict(f"you evaluated this call already (evaluation {key}); correct that one instead")
    form = latest_scorecard(conn, scorecard) if scorecard else ensure_starter_scorecard(conn, now=now)
    evaluation = evaluate(form.form, answers, evaluation_id=secrets.token_hex(6), call_id=str(call_pk),
                          agent=call.agent, actor=actor, at=now)
    draw_id = assigned_draw(conn, call_pk, user.username)
    insert_version(conn, evaluation, call_pk=call_pk, scorecard_id=form.scorecard_id, draw_id=draw_id,
                   targeted=draw_id is None)
    write_audit(conn, at=now, actor=user.username, action="evaluation.scored",
                subject=f"evaluation:{evaluation.evaluation_id}",
                details={"call_id": call_pk, "score": evaluation.current.result.score, "targeted": draw_id is None})
    return load_evaluation(conn, evaluation.evaluation_id)


def correct_evaluation(conn: sa.Connection, user: User, key: str, answers: Mapping[str, Answer], *, reason: str,
                       now: dt.datetime) -> StoredEvaluation:
    """The evaluating QA corrects their evaluation: a new version, the old kept; refused once decided."""
    stored = load_evaluation(conn, key)
    revised = revise_evaluation(stored.evaluation, answers, actor=qa_actor(conn, user, now), at=now, reason=reason)
    insert_version(conn, revised, call_pk=stored.call_pk, scorecard_id=stored.scorecard_id, draw_id=stored.draw_id,
                   targeted=stored.targeted)
    write_audit(conn, at=now, actor=user.username, action="evaluation.corrected", subject=f"evaluation:{key}",
                details={"version": revised.current.version, "score": revised.current.result.score,
                         "reason": reason})
    return load_evaluation(conn, key)


def open_evaluation(conn: sa.Connection, user: User, key: str) -> EvaluationFile:
    """The evaluation with its call, notes and appeals; another agent (with the transparency right) gets
    the scores and the call, but not the coaching notes or appeals, which stay between the agent and staff."""
    stored = load_evaluation(conn, key)
    try:
        check_can_see(conn, user, stored.evaluation)
    except PermissionDenied:  # another agent's evaluation answers as a missing one: ids reveal nothing
        raise NotFound(f"no evaluation {key!r}") from None
    call = load_call(conn, stored.call_pk)
    if user.role is Role.AGENT and user.agent_id != stored.evaluation.agent:
        return EvaluationFile(stored, call, (), ())
    return EvaluationFile(stored, call, tuple(list_notes(conn, key)), tuple(list_appeals(conn, evaluation_key=key)))


def agent_note(conn: sa.Connection, user: User, key: str, *, kind: str, text: str, now: dt.datetime) -> Note:
    """The evaluated agent acknowledges the evaluation or comments on it."""
    if kind not in ("acknowledgement", "agent_comment"):
        raise InvalidInput("an agent acknowledges or comments", field="kind")
    stored = load_evaluation(conn, key)
    actor = agent_actor(user)
    if actor.user_id != stored.evaluation.agent:
        raise NotFound(f"no evaluation {key!r}")  # another agent's answers as a missing one
    if kind == "agent_comment" and not text.strip():
        raise InvalidInput("the comment is empty", field="text")
    note = add_note(conn, key, author=actor.user_id, kind=kind, text=text.strip() or "acknowledged", at=now)
    write_audit(conn, at=now, actor=actor.user_id, action=f"evaluation.{kind}", subject=f"evaluation:{key}",
                details={"text": note.text})
    return note


def coach(conn: sa.Connection, user: User, key: str, *, text: str, now: dt.datetime,
          due_at: dt.datetime | None = None) -> Note:
    """A QA, team lead or supervisor writes a coaching note; with ``due_at`` it is a follow-up."""
    require_any(user, Permission.EVALUATE_CALLS, Permission.HANDLE_APPEALS)
    load_evaluation(conn, key)
    if not text.strip():
        raise InvalidInput("the note is empty", field="text")
    if due_at is not None and due_at <= now:
        raise InvalidInput("a follow-up is due in the future", field="due_at")
    kind = "coaching" if due_at is None else "follow_up"
    note = add_note(conn, key, author=user.username, kind=kind, text=text.strip(), at=now, due_at=due_at)
    write_audit(conn, at=now, actor=user.username, action=f"evaluation.{kind}", subject=f"evaluation:{key}",
                details={"text": note.text, "due_at": None if due_at is None else due_at.isoformat()})
    return note


# --- appeals -------------------------------------------------------------------------------------

def _open_appeal_of(conn: sa.Connection, key: str) -> Appeal | None:
    for appeal in list_appeals(conn, evaluation_key=key):
        if appeal.state in (AppealState.FILED, AppealState.UNDER_REVIEW):
            return appeal
    return None


def appeal_evaluation(conn: sa.Connection, user: User, key: str, *, items: Iterable[str], reason: str,
                      now: dt.datetime) -> Appeal:
    """The evaluated agent files an appeal (disputed items, reason) within the deadline."""
    stored = load_evaluation(conn, key)
    actor = agent_actor(user)
    if actor.user_id != stored.evaluation.agent:  # who may, before what state: never 409 on another's
        raise NotFound(f"no evaluation {key!r}")
    pending = _open_appeal_of(conn, key)
    if pending is not None:
        raise Conflict(f"appeal {pending.appeal_id} on this evaluation is still open")
    deadline_at = stored.evaluation.current.created_at + DEFAULT_APPEAL_DEADLINE
    appeal_id = reserve_appeal(conn, stored.evaluation, at=now, deadline_at=deadline_at)
    appeal, event = file_appeal(stored.evaluation, appeal_id=appeal_id, actor=actor, disputed_items=items,
                                reason=reason, at=now)
    save_appeal(conn, appeal)
    write_appeal_event(conn, event)
    return appeal


def _load_appeal_for(conn: sa.Connection, user: User, appeal_id: str) -> Appeal:
    """The appeal, if ``user`` may see it: the agent their own, staff every one (a team lead their teams')."""
    appeal, _ = load_appeal(conn, appeal_id)
    staff = allowed(user.role, Permission.HANDLE_APPEALS)
    if (staff and not in_team_scope(conn, user, appeal.agent)) or (not staff and user.agent_id != appeal.agent):
        raise NotFound(f"no appeal {appeal_id!r}")  # one out of reach answers as a missing one
    return appeal


def open_appeal(conn: sa.Connection, user: User, appeal_id: str) -> tuple[Appeal, EvaluationFile]:
    """The appeal and the evaluation file it is about; the agent sees their own, staff every one."""
    appeal = _load_appeal_for(conn, user, appeal_id)
    return appeal, open_evaluation(conn, user, appeal.evaluation_id)


def accept(conn: sa.Connection, user: User, appeal_id: str, *, now: dt.datetime) -> Appeal:
    appeal = _load_appeal_for(conn, user, appeal_id)
    appeal, event = accept_appeal(appeal, actor=member_actor(user), at=now)
    save_appeal(conn, appeal)
    write_appeal_event(conn, event)
    return appeal


def send_back(conn: sa.Connection, user: User, appeal_id: str, *, reason: str, now: dt.datetime) -> Appeal:
    appeal = _load_appeal_for(conn, user, appeal_id)
    appeal, event = return_appeal(appeal, actor=member_actor(user), at=now, reason=reason)
    save_appeal(conn, appeal)
    write_appeal_event(conn, event)
    return appeal


def panel_view(conn: sa.Connection, user: User, appeal_id: str, *, view: Decision, comment: str,
               now: dt.datetime) -> Appeal:
    """One panel member (supervisor, team lead, QA) records their view after re-reviewing the evidence."""
    appeal = _load_appeal_for(conn, user, appeal_id)
    in_own_role = user.role in (Role.MANAGER, Role.TEAM_LEAD)
    actor = member_actor(user) if in_own_role else qa_actor(conn, user, now)
    appeal, event = record_view(appeal, actor=actor, at=now, view=view, comment=comment)
    save_appeal(conn, appeal)
    write_appeal_event(conn, event)
    return appeal


def decide(conn: sa.Connection, user: User, appeal_id: str, *, decision: Decision,
           corrected: Mapping[str, Answer] | None, comment: str, now: dt.datetime) -> tuple[Appeal, StoredEvaluation]:
    """The supervisor decides; an upheld appeal writes the corrected version and the evaluation closes."""
    appeal = _load_appeal_for(conn, user, appeal_id)
    stored = load_evaluation(conn, appeal.evaluation_id)
    before = len(stored.evaluation.versions)
    decided, closed, event = decide_appeal(appeal, stored.evaluation, actor=member_actor(user), at=now,
                                           decision=decision, corrected_answers=corrected, comment=comment)
    if len(closed.versions) > before:
        insert_version(conn, closed, call_pk=stored.call_pk, scorecard_id=stored.scorecard_id,
                       draw_id=stored.draw_id, targeted=stored.targeted)
    save_appeal(conn, decided, decided_at=now)
    write_appeal_event(conn, event)
    return decided, load_evaluation(conn, appeal.evaluation_id)


# --- what the pages and the API read -------------------------------------------------------------------

def scoring_form(conn: sa.Connection, *, now: dt.datetime) -> StoredScorecard:
    """The scorecard a new evaluation uses: the current one (the starter form if none was saved yet)."""
    return ensure_starter_scorecard(conn, now=now)


def call_to_score(conn: sa.Connection, user: User, call_pk: int, *, now: dt.datetime) -> Call:
    """The call ``user`` is about to score: refused unless they are a QA or on QA duty ``now``."""
    if not is_qa(conn, user, now):
        raise PermissionDenied(f"{user.username} is neither a QA nor on QA duty now")
    return load_call(conn, call_pk)


def sees_own_evaluations_only(conn: sa.Connection, user: User) -> bool:
    """An agent without the site's transparency right (or a role without a staff right) sees only their own."""
    return not (sees_everything(user) or (user.role is Role.AGENT and agents_see_others(conn)))


def visible_evaluations(conn: sa.Connection, user: User, *, agent: str | None = None,
                        evaluator: str | None = None) -> list[StoredEvaluation]:
    """Evaluations newest first, optionally of one agent or evaluator: a team lead gets their teams'; an agent
    their own unless the site lets agents see others' (asking for another agent's is then refused)."""
    if sees_own_evaluations_only(conn, user):
        if agent is not None and agent != user.agent_id:
            raise PermissionDenied("agents see only their own evaluations here")
        agent = user.agent_id or ""
    keys = evaluation_keys(conn, agent=agent, evaluator=evaluator, agents=team_scope(conn, user))
    return load_evaluations(conn, keys)


def visible_appeals(conn: sa.Connection, user: User, *, state: str | None = None) -> list[Appeal]:
    """Appeals oldest first: every one for those who handle appeals (a team lead their teams'), an agent's own
    for everyone else."""
    agent = None if allowed(user.role, Permission.HANDLE_APPEALS) else (user.agent_id or "")
    return list_appeals(conn, agent=agent, status=state, agents=team_scope(conn, user))


def audit_entries(conn: sa.Connection, user: User, *, subject: str | None = None) -> list[AuditRow]:
    """The append-only QA audit log, optionally of one subject (team leads, QAs, supervisors)."""
    require_any(user, Permission.HANDLE_APPEALS)
    return list_audit(conn, subject=subject)
