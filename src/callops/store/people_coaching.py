"""Coaching sessions, one-to-ones and recognition (seed 004: QA as help), linked to calls and evaluations; audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.store.engine import new_id
from callops.store.qa_reviews import write_audit
from callops.store.schema import agents, calls, coaching_sessions, qa_evaluations

__all__ = ["CoachingKind", "CoachingSession", "add_session", "list_sessions", "MAX_LINKS"]

MAX_LINKS = 50


class CoachingKind(StrEnum):
    COACHING = "coaching"
    ONE_TO_ONE = "one_to_one"
    RECOGNITION = "recognition"


@dataclass(frozen=True, slots=True)
class CoachingSession:
    session_id: int
    agent: str
    lead: str
    held_on: dt.date
    kind: CoachingKind
    topic: str
    call_ids: tuple[int, ...]
    evaluation_keys: tuple[str, ...]
    actions: str
    follow_up_on: dt.date | None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.session_id, "agent": self.agent, "lead": self.lead, "held_on": self.held_on.isoformat(),
                "kind": self.kind.value, "topic": self.topic, "call_ids": list(self.call_ids),
                "evaluation_keys": list(self.evaluation_keys), "actions": self.actions,
                "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None}


def add_session(conn: sa.Connection, *, agent: str, lead: str, held_on: dt.date, kind: CoachingKind, topic: str,
                call_ids: tuple[int, ...] = (), evaluation_keys: tuple[str, ...] = (), actions: str = "",
                follow_up_on: dt.date | None = None, actor: str, now: dt.datetime) -> int:
    """Record a session; the agent, linked calls (the agent's) and evaluations must exist."""
    if not topic.strip() or len(topic) > 200:
        raise InvalidInput("a topic is 1-200 characters", field="topic")
    if not lead.strip() or len(lead) > 80:
        raise InvalidInput("a lead is 1-80 characters", field="lead")
    if len(call_ids) > MAX_LINKS or len(evaluation_keys) > MAX_LINKS:
        raise InvalidInput(f"at most {MAX_LINKS} linked calls and evaluations", field="call")
    if follow_up_on is not None and follow_up_on < held_on:
        raise InvalidInput(f"the follow-up {follow_up_on} is before the session {held_on}", field="follow_up_on")
    if conn.execute(sa.select(agents.c.agent_id).where(agents.c.agent_id == agent)).first() is None:
        raise NotFound(f"no agent {agent!r}")
    found = {int(i) for i in conn.execute(sa.select(calls.c.id).where(calls.c.id.in_(call_ids),
                                                                      calls.c.agent == agent)).scalars()}
    if missing := [i for i in call_ids if i not in found]:
        raise InvalidInput(f"no call {missing[0]} answered by {agent}", field="call")
    keys = set(conn.execute(sa.select(qa_evaluations.c.evaluation_key).where(
        qa_evaluations.c.evaluation_key.in_(evaluation_keys), qa_evaluations.c.agent == agent)).scalars())
    if missing_keys := [k for k in evaluation_keys if k not in keys]:
        raise InvalidInput(f"no evaluation {missing_keys[0]} of {agent}", field="evaluation")
    session_id = new_id(conn.execute(coaching_sessions.insert().values(
        agent=agent, lead=lead, held_on=held_on, kind=kind.value, topic=topic, call_ids=list(call_ids),
        evaluation_keys=list(evaluation_keys), actions=actions, follow_up_on=follow_up_on, created_by=actor,
        created_at=now)))
    write_audit(conn, at=now, actor=actor, action="coaching.recorded", subject=f"person:{agent}",
                details={"session": session_id, "kind": kind.value, "topic": topic})
    return session_id


def list_sessions(conn: sa.Connection, *, agent: str | None = None, lead: str | None = None,
                  limit: int = 500) -> list[CoachingSession]:
    """Sessions newest first (of one agent, or held by one lead)."""
    query = sa.select(coaching_sessions).order_by(coaching_sessions.c.held_on.desc(), coaching_sessions.c.id.desc())
    if agent is not None:
        query = query.where(coaching_sessions.c.agent == agent)
    if lead is not None:
        query = query.where(coaching_sessions.c.lead == lead)
    return [CoachingSession(int(r.id), r.agent, r.lead, r.held_on, CoachingKind(r.kind), r.topic,
                            tuple(int(i) for i in r.call_ids), tuple(str(k) for k in r.evaluation_keys), r.actions,
                            r.follow_up_on)
            for r in conn.execute(query.limit(limit))]
