"""A QA's work queue (drawn calls assigned and not scored yet, the capacity it asks for) and everyone's reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.permissions import Permission, allowed
from callops.quality import DEFAULT_APPEAL_DEADLINE, AppealState
from callops.records import Role
from callops.services.qa_sampling import evaluator_pool
from callops.services.team_scope import team_scope
from callops.store.qa_reviews import evaluation_keys, follow_ups_due, list_appeals, list_notes, load_evaluations
from callops.store.qa_sampling import list_draws
from callops.store.users import User

__all__ = ["QueueItem", "WorkQueue", "my_queue", "Reminder", "reminders"]


@dataclass(frozen=True, slots=True)
class QueueItem:
    rule: str
    call_pk: int
    agent: str
    group: str


@dataclass(frozen=True, slots=True)
class WorkQueue:
    items: tuple[QueueItem, ...]
    qas: int  # QAs in the draw pool now
    reviews_per_day: float  # drawn calls per day of the drawn periods


def my_queue(conn: sa.Connection, user: User, *, now: dt.datetime) -> WorkQueue:
    done = {s.call_pk for s in load_evaluations(conn, evaluation_keys(conn, evaluator=user.username))}
    items = []
    drawn = 0
    days = 0.0
    for draw in list_draws(conn):
        if draw.record is None:
            continue
        drawn += len(draw.record.selections)
        days += (draw.record.rule.period_end - draw.record.rule.period_start).total_seconds() / 86_400
        for sel in draw.record.selections:
            if sel.evaluator == user.username and int(sel.call_id) not in done:
                items.append(QueueItem(draw.rule_name, int(sel.call_id), sel.agent, sel.group))
    return WorkQueue(tuple(items), len(evaluator_pool(conn, now)), drawn / days if days else 0.0)


@dataclass(frozen=True, slots=True)
class Reminder:
    """Something waiting on the user: a message key, where to act, and the deadline where there is one."""

    key: str
    link: str
    subject: str
    due_at: dt.datetime | None


REMIND_AHEAD = dt.timedelta(days=3)


def _agent_reminders(conn: sa.Connection, agent: str, now: dt.datetime) -> list[Reminder]:
    out = []
    for s in load_evaluations(conn, evaluation_keys(conn, agent=agent)):
        ev = s.evaluation
        if ev.decided or any(n.kind == "acknowledgement" for n in list_notes(conn, ev.evaluation_id)):
            continue
        deadline = ev.current.created_at + DEFAULT_APPEAL_DEADLINE
        out.append(Reminder("qa.remind_ack", f"/qa/evaluations/{ev.evaluation_id}", ev.evaluation_id,
                            deadline if now < deadline else None))
    return out


def _panel_reminders(conn: sa.Connection, user: User, now: dt.datetime) -> list[Reminder]:
    out = []
    panel_role = user.role if user.role in (Role.MANAGER, Role.TEAM_LEAD) else (
        Role.QA if allowed(user.role, Permission.EVALUATE_CALLS) else None)
    for appeal in list_appeals(conn, agents=team_scope(conn, user)):
        link = f"/qa/appeals/{appeal.appeal_id}"
        viewed = {v.role for v in appeal.views}
        if appeal.state is AppealState.FILED and user.role is Role.TEAM_LEAD:
            out.append(Reminder("qa.remind_accept", link, appeal.appeal_id, None))
        elif appeal.state is AppealState.UNDER_REVIEW and panel_role is not None and panel_role not in viewed:
            out.append(Reminder("qa.remind_view", link, appeal.appeal_id, None))
        elif appeal.state is AppealState.UNDER_REVIEW and user.role is Role.MANAGER and len(viewed) == 3:
            out.append(Reminder("qa.remind_decide", link, appeal.appeal_id, None))
    return out


def reminders(conn: sa.Connection, user: User, *, now: dt.datetime) -> list[Reminder]:
    """Evaluations to acknowledge (before the appeal deadline), appeals waiting on me, follow-ups due soon."""
    out: list[Reminder] = []
    if user.role is Role.AGENT and user.agent_id:
        out += _agent_reminders(conn, user.agent_id, now)
    if allowed(user.role, Permission.HANDLE_APPEALS):
        out += _panel_reminders(conn, user, now)
    for note, agent in follow_ups_due(conn, until=now + REMIND_AHEAD):
        if allowed(user.role, Permission.HANDLE_APPEALS) or agent == user.agent_id:
            out.append(Reminder("qa.remind_follow_up", f"/qa/evaluations/{note.evaluation_key}",
                                note.text, note.due_at))
    return out
