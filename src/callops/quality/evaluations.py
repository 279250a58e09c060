"""Evaluations: a QA's scored answers for one call, kept as versions; a correction is a new version.

Once an appeal on it is decided, an evaluation is closed: nobody edits it again (Conflict).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from callops.errors import Conflict, InvalidInput, PermissionDenied
from callops.quality.scorecards import Answer, Scorecard, ScoreResult, score
from callops.records import Role

__all__ = ["Actor", "EvaluationVersion", "Evaluation", "evaluate", "revise_evaluation", "add_version"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something: a user id and the role they act in (a supervisor acts as ``Role.MANAGER``)."""

    user_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class EvaluationVersion:
    version: int
    answers: tuple[tuple[str, Answer], ...]  # sorted by item id
    result: ScoreResult
    created_at: dt.datetime
    created_by: str
    reason: str  # "initial", a correction's reason, or the appeal that changed it

    def answer_map(self) -> dict[str, Answer]:
        return dict(self.answers)


@dataclass(frozen=True, slots=True)
class Evaluation:
    evaluation_id: str
    call_id: str
    agent: str
    evaluator: str
    form: Scorecard
    versions: tuple[EvaluationVersion, ...]
    decided: bool = False  # an appeal was decided: closed to edits

    @property
    def current(self) -> EvaluationVersion:
        return self.versions[-1]


def _version(
    form: Scorecard, answers: Mapping[str, Answer], number: int, at: dt.datetime, by: str, reason: str
) -> EvaluationVersion:
    return EvaluationVersion(number, tuple(sorted(answers.items())), score(form, answers), at, by, reason)


def evaluate(
    form: Scorecard,
    answers: Mapping[str, Answer],
    *,
    evaluation_id: str,
    call_id: str,
    agent: str,
    actor: Actor,
    at: dt.datetime,
) -> Evaluation:
    """A QA scores a call: version 1."""
    if actor.role is not Role.QA:
        raise PermissionDenied(f"only a QA scores calls; {actor.user_id} acts as {actor.role.value}")
    if actor.user_id == agent:
        raise PermissionDenied("nobody evaluates their own call")
    return Evaluation(
        evaluation_id,
        call_id,
        agent,
        actor.user_id,
        form,
        (_version(form, answers, 1, at, actor.user_id, "initial"),),
    )


def add_version(
    evaluation: Evaluation, answers: Mapping[str, Answer], *, by: str, at: dt.datetime, reason: str
) -> Evaluation:
    """Append a version (the old ones stay); refused once the evaluation is decided."""
    if evaluation.decided:
        raise Conflict(f"evaluation {evaluation.evaluation_id} is decided; nobody edits it")
    if not reason.strip():
        raise InvalidInput("a new version needs a reason", field="reason")
    if at < evaluation.current.created_at:
        raise InvalidInput("a new version cannot predate the current one", field="at")
    new = _version(evaluation.form, answers, len(evaluation.versions) + 1, at, by, reason)
    return replace(evaluation, versions=(*evaluation.versions, new))


def revise_evaluation(
    evaluation: Evaluation, answers: Mapping[str, Answer], *, actor: Actor, at: dt.datetime, reason: str
) -> Evaluation:
    """The evaluating QA corrects their own evaluation (before any appeal decision)."""
    if actor.role is not Role.QA or actor.user_id != evaluation.evaluator:
        raise PermissionDenied(f"only the evaluating QA ({evaluation.evaluator}) corrects this evaluation")
    return add_version(evaluation, answers, by=actor.user_id, at=at, reason=reason)
