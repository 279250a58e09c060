"""Appeals 申诉 as a pure state machine (seed 002, remedy 1); every transition returns an audit event.

    FILED --team lead accepts--> UNDER_REVIEW --3 panel views, supervisor decides--> DECIDED
      \\--team lead returns--> RETURNED

* The agent files within ``deadline`` of the evaluation's current version: disputed items and a reason.
* The panel is the supervisor (Role.MANAGER), a team lead and a QA; each records one view.
* The supervisor decides: upheld, partly upheld or rejected. Upheld and partly upheld appeals carry
  corrected answers for the disputed items, which become a new evaluation version; the evaluation is
  then closed. Upheld (and partly upheld) appeals count against the QA, rejected ones against the agent.
* An illegal transition raises Conflict; the wrong role raises PermissionDenied. Events are only appended.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from callops.errors import Conflict, InvalidInput, PermissionDenied
from callops.quality.evaluations import Actor, Evaluation, add_version
from callops.quality.scorecards import Answer
from callops.records import Role

__all__ = [
    "DEFAULT_APPEAL_DEADLINE",
    "PANEL_ROLES",
    "AppealState",
    "Decision",
    "PanelView",
    "AuditEvent",
    "Appeal",
    "AppealTally",
    "file_appeal",
    "accept_appeal",
    "return_appeal",
    "record_view",
    "decide_appeal",
    "tally_appeals",
]

DEFAULT_APPEAL_DEADLINE = dt.timedelta(days=3)
PANEL_ROLES = (Role.MANAGER, Role.TEAM_LEAD, Role.QA)


class AppealState(StrEnum):
    FILED = "filed"
    RETURNED = "returned"
    UNDER_REVIEW = "under_review"
    DECIDED = "decided"


class Decision(StrEnum):
    UPHELD = "upheld"
    PARTLY = "partly"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class PanelView:
    user_id: str
    role: Role
    view: Decision
    comment: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class AuditEvent:
    appeal_id: str
    sequence: int  # 1, 2, ... per appeal
    action: str  # filed | accepted | returned | view | decided
    user_id: str
    role: Role
    at: dt.datetime
    detail: str


@dataclass(frozen=True, slots=True)
class Appeal:
    appeal_id: str
    evaluation_id: str
    agent: str
    evaluator: str
    disputed_items: tuple[str, ...]
    reason: str
    filed_at: dt.datetime
    state: AppealState
    views: tuple[PanelView, ...] = ()
    decision: Decision | None = None
    events: tuple[AuditEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class AppealTally:
    against_qa: tuple[tuple[str, int], ...]  # QA user id, upheld + partly upheld appeals on their evaluations
    against_agent: tuple[tuple[str, int], ...]  # agent, rejected appeals


def _event(appeal: Appeal, action: str, actor: Actor, at: dt.datetime, detail: str) -> AuditEvent:
    if appeal.events and at < appeal.events[-1].at:
        raise InvalidInput("an appeal step cannot predate the previous one", field="at")
    return AuditEvent(appeal.appeal_id, len(appeal.events) + 1, action, actor.user_id, actor.role, at, detail)


def _append(appeal: Appeal, event: AuditEvent) -> tuple[Appeal, AuditEvent]:
    return replace(appeal, events=(*appeal.events, event)), event


def _require_state(appeal: Appeal, state: AppealState, doing: str) -> None:
    if appeal.state is not state:
        raise Conflict(f"appeal {appeal.appeal_id} is {appeal.state.value}; cannot {doing}")


def file_appeal(
    evaluation: Evaluation,
    *,
    appeal_id: str,
    actor: Actor,
    disputed_items: Iterable[str],
    reason: str,
    at: dt.datetime,
    deadline: dt.timedelta = DEFAULT_APPEAL_DEADLINE,
) -> tuple[Appeal, AuditEvent]:
    """The evaluated agent files an appeal against the evaluation's current version."""
    if actor.role is not Role.AGENT or actor.user_id != evaluation.agent:
        raise PermissionDenied(
            f"only the evaluated agent ({evaluation.agent}) files an appeal on this evaluation"
        )
    if evaluation.decided:
        raise Conflict(f"evaluation {evaluation.evaluation_id} is decided; it cannot be appealed again")
    published = evaluation.current.created_at
    if at < published:
        raise InvalidInput("an appeal cannot predate the evaluation", field="at")
    if at > published + deadline:
        raise Conflict(f"the appeal deadline passed at {(published + deadline).isoformat()}")
    items = tuple(dict.fromkeys(disputed_items))
    if not items:
        raise InvalidInput("name at least one disputed item", field="disputed_items")
    for item_id in items:
        evaluation.form.item(item_id)
    if not reason.strip():
        raise InvalidInput("say why the score is disputed", field="reason")
    appeal = Appeal(
        appeal_id,
        evaluation.evaluation_id,
        evaluation.agent,
        evaluation.evaluator,
        items,
        reason,
        at,
        AppealState.FILED,
    )
    return _append(appeal, _event(appeal, "filed", actor, at, f"items {', '.join(items)}: {reason}"))


def accept_appeal(appeal: Appeal, *, actor: Actor, at: dt.datetime) -> tuple[Appeal, AuditEvent]:
    """The team lead accepts the appeal for the panel."""
    if actor.role is not Role.TEAM_LEAD:
        raise PermissionDenied("only a team lead accepts an appeal")
    _require_state(appeal, AppealState.FILED, "accept it")
    return _append(replace(appeal, state=AppealState.UNDER_REVIEW), _event(appeal, "accepted", actor, at, ""))


def return_appeal(appeal: Appeal, *, actor: Actor, at: dt.datetime, reason: str) -> tuple[Appeal, AuditEvent]:
    """The team lead returns the appeal to the agent (with a reason); it ends there."""
    if actor.role is not Role.TEAM_LEAD:
        raise PermissionDenied("only a team lead returns an appeal")
    _require_state(appeal, AppealState.FILED, "return it")
    if not reason.strip():
        raise InvalidInput("say why the appeal is returned", field="reason")
    return _append(replace(appeal, state=AppealState.RETURNED), _event(appeal, "returned", actor, at, reason))


def record_view(
    appeal: Appeal, *, actor: Actor, at: dt.datetime, view: Decision, comment: str = ""
) -> tuple[Appeal, AuditEvent]:
    """A panel member (supervisor, team lead, QA) records their view, once per role."""
    if actor.role not in PANEL_ROLES:
        raise PermissionDenied(
            f"the panel is {', '.join(r.value for r in PANEL_ROLES)}; not {actor.role.value}"
        )
    _require_state(appeal, AppealState.UNDER_REVIEW, "record a view")
    if any(v.role is actor.role for v in appeal.views):
        raise Conflict(f"the {actor.role.value} on the panel has already recorded a view")
    entry = PanelView(actor.user_id, actor.role, view, comment, at)
    event = _event(appeal, "view", actor, at, f"{view.value}: {comment}")
    return _append(replace(appeal, views=(*appeal.views, entry)), event)


def decide_appeal(
    appeal: Appeal,
    evaluation: Evaluation,
    *,
    actor: Actor,
    at: dt.datetime,
    decision: Decision,
    corrected_answers: Mapping[str, Answer] | None = None,
    comment: str = "",
) -> tuple[Appeal, Evaluation, AuditEvent]:
    """The supervisor decides after all three views; returns the decided appeal and the closed evaluation.

    Upheld and partly upheld appeals need ``corrected_answers`` for (only) the disputed items; they
    become a new version of the evaluation. Rejected appeals leave the score as it is.
    """
    if actor.role is not Role.MANAGER:
        raise PermissionDenied("only the supervisor decides an appeal")
    _require_state(appeal, AppealState.UNDER_REVIEW, "decide it")
    missing = [r.value for r in PANEL_ROLES if not any(v.role is r for v in appeal.views)]
    if missing:
        raise Conflict(f"the panel has not finished: no view yet from {', '.join(missing)}")
    if evaluation.evaluation_id != appeal.evaluation_id:
        raise InvalidInput(
            f"appeal {appeal.appeal_id} is on evaluation {appeal.evaluation_id}", field="evaluation"
        )
    if decision is Decision.REJECTED:
        if corrected_answers:
            raise InvalidInput("a rejected appeal changes no answer", field="corrected_answers")
        closed = replace(evaluation, decided=True)
    else:
        if not corrected_answers:
            raise InvalidInput("an upheld appeal needs the corrected answers", field="corrected_answers")
        stray = sorted(set(corrected_answers) - set(appeal.disputed_items))
        if stray:
            raise InvalidInput(f"items {stray} were not disputed", field="corrected_answers")
        answers = {**evaluation.current.answer_map(), **corrected_answers}
        corrected = add_version(
            evaluation, answers, by=actor.user_id, at=at, reason=f"appeal {appeal.appeal_id} {decision.value}"
        )
        closed = replace(corrected, decided=True)
    before, after = evaluation.current.result.score, closed.current.result.score
    event = _event(
        appeal, "decided", actor, at, f"{decision.value}; score {before:g} -> {after:g}. {comment}".strip()
    )
    decided, event = _append(replace(appeal, state=AppealState.DECIDED, decision=decision), event)
    return decided, closed, event


def tally_appeals(appeals: Iterable[Appeal]) -> AppealTally:
    """Decided appeals counted: upheld and partly upheld against the QA, rejected against the agent."""
    qa: Counter[str] = Counter()
    agent: Counter[str] = Counter()
    for appeal in appeals:
        if appeal.decision in (Decision.UPHELD, Decision.PARTLY):
            qa[appeal.evaluator] += 1
        elif appeal.decision is Decision.REJECTED:
            agent[appeal.agent] += 1
    return AppealTally(tuple(sorted(qa.items())), tuple(sorted(agent.items())))
