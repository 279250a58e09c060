"""HTTP bodies of the API (pydantic), separate in and out models; no hash ever leaves."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from callops.permissions import MATRIX
from callops.records import Call
from callops.store.agent_activity import AgentActivity
from callops.store.users import User
from callops.web.access import shown_number

__all__ = ["AgentOut", "CallOut", "CallPageOut", "LoginIn", "LoginOut", "UserOut"]


class CallOut(BaseModel):
    id: int
    source: str
    source_call_id: str
    direction: str
    outcome: str
    queue: str | None
    call_type: str | None
    caller_number: str | None = Field(description="masked (138****5678) without the view_pii right")
    caller_number_masked: bool
    priority: int
    started_at: dt.datetime
    ivr_entered_at: dt.datetime | None
    ivr_exited_at: dt.datetime | None
    queue_entered_at: dt.datetime | None
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    wait_s: float | None
    agent: str | None
    talk_s: float
    hold_s: float
    acw_s: float
    handle_s: float
    transfer_target: str | None
    recording_ref: str | None
    issue_category: str | None
    issue_notes: str | None
    issue_resolved: bool | None
    follow_up_due_at: dt.datetime | None

    @classmethod
    def of(cls, call_id: int, call: Call, viewer: User) -> CallOut:
        shown = shown_number(viewer, call.caller_number)
        assert call.started_at is not None
        return cls(
            id=call_id, source=call.source, source_call_id=call.source_call_id, direction=call.direction.value,
            outcome=call.outcome.value, queue=call.queue, call_type=call.call_type, caller_number=shown,
            caller_number_masked=shown != call.caller_number, priority=call.priority, started_at=call.started_at,
            ivr_entered_at=call.ivr_entered_at, ivr_exited_at=call.ivr_exited_at,
            queue_entered_at=call.queue_entered_at, answered_at=call.answered_at, ended_at=call.ended_at,
            wait_s=call.wait_s, agent=call.agent, talk_s=call.talk_s, hold_s=call.hold_s, acw_s=call.acw_s,
            handle_s=call.handle_s, transfer_target=call.transfer_target, recording_ref=call.recording_ref,
            issue_category=call.issue_category.value if call.issue_category else None,
            issue_notes=call.issue_notes, issue_resolved=call.issue_resolved,
            follow_up_due_at=call.follow_up_due_at)


class CallPageOut(BaseModel):
    items: list[CallOut]
    next_cursor: str | None = Field(description="pass as cursor with dir=next for older calls")
    prev_cursor: str | None = Field(description="pass as cursor with dir=prev for newer calls")
    count: int = Field(description="matching calls, counted up to count_cap")
    count_is_lower_bound: bool = Field(description="true when more than count_cap calls match")


class AgentOut(BaseModel):
    agent_id: str
    name: str | None
    team: str | None
    skills: dict[str, int]
    calls: int
    answered: int
    talk_s: float
    aht_s: float | None
    first_call_at: dt.datetime | None
    last_call_at: dt.datetime | None

    @classmethod
    def of(cls, agent_id: str, *, name: str | None, team: str | None, skills: dict[str, int],
           activity: AgentActivity | None) -> AgentOut:
        return cls(agent_id=agent_id, name=name, team=team, skills=skills,
                   calls=activity.calls if activity else 0, answered=activity.answered if activity else 0,
                   talk_s=activity.talk_s if activity else 0.0, aht_s=activity.aht_s if activity else None,
                   first_call_at=activity.first_at if activity else None,
                   last_call_at=activity.last_at if activity else None)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str | None
    role: str
    agent_id: str | None
    locale: str
    tz: str | None
    permissions: list[str]

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(id=user.id, username=user.username, display_name=user.display_name, role=user.role.value,
                   agent_id=user.agent_id, locale=user.locale, tz=user.tz,
                   permissions=sorted(p.value for p in MATRIX[user.role]))


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class LoginOut(BaseModel):
    token: str = Field(description="send as Authorization: Bearer <token>")
    token_type: str = "bearer"
    expires_in_s: int
    csrf_token: str = Field(description="for cookie-authenticated unsafe calls: header X-CSRF-Token")
    user: UserOut
