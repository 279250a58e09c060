"""Who acts as what in the QA workflow, and who may see an evaluation.

Rights come from ``callops.permissions``; on top of them an agent granted QA duty for a period acts as a
QA in that period, and the site setting ``qa.agents_see_others`` lets agents see others' evaluations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.dates import require_date
from callops.errors import InvalidInput, NotFound, PermissionDenied
from callops.permissions import Permission, allowed
from callops.quality import Actor, Evaluation
from callops.records import Role
from callops.services.team_scope import in_team_scope
from callops.store.qa_library import Duty, get_setting, grant_duty, list_duty, on_duty, set_setting
from callops.store.users import User, list_users

__all__ = ["TRANSPARENCY_KEY", "may_reach", "is_qa", "qa_actor", "agent_actor", "member_actor", "require_any",
           "agents_see_others", "check_can_see", "sees_everything", "grant_qa_duty", "grant_qa_duty_days",
           "set_transparency", "QaSettings", "qa_settings", "duty_periods"]

TRANSPARENCY_KEY = "qa.agents_see_others"


def is_qa(conn: sa.Connection, user: User, now: dt.datetime) -> bool:
    """The user scores calls now: their role has the right, or they hold QA duty."""
    return allowed(user.role, Permission.EVALUATE_CALLS) or user.username in on_duty(conn, now)


def qa_actor(conn: sa.Connection, user: User, now: dt.datetime) -> Actor:
    if not is_qa(conn, user, now):
        raise PermissionDenied(f"{user.username} is neither a QA nor on QA duty now")
    return Actor(user.username, Role.QA)


def agent_actor(user: User) -> Actor:
    """An agent acts under their agent id, the id their calls and evaluations carry."""
    if user.role is not Role.AGENT or not user.agent_id:
        raise PermissionDenied("only the evaluated agent does this")
    return Actor(user.agent_id, Role.AGENT)


def member_actor(user: User) -> Actor:
    """A team lead, supervisor or QA acting in their own role (the domain checks which role may act)."""
    return Actor(user.username, user.role)


def require_any(user: User, *rights: Permission) -> None:
    if not any(allowed(user.role, r) for r in rights):
        names = " or ".join(r.value for r in rights)
        raise PermissionDenied(f"the {user.role.value} role lacks the right {names}")


def agents_see_others(conn: sa.Connection) -> bool:
    return bool(get_setting(conn, TRANSPARENCY_KEY, False))


def sees_everything(user: User) -> bool:
    return allowed(user.role, Permission.VIEW_ALL_CALLS)


def may_reach(conn: sa.Connection, user: User, agent: str | None) -> bool | None:
    """Whether ``user`` may see QA material about ``agent``: staff every agent's (a team lead their teams'),
    an agent their own, and others' when the site allows it. None: staff, but the agent is outside their teams."""
    if sees_everything(user):
        return True if in_team_scope(conn, user, agent) else None
    if user.agent_id is not None and user.agent_id == agent:
        return True
    return user.role is Role.AGENT and agents_see_others(conn)


def check_can_see(conn: sa.Connection, user: User, evaluation: Evaluation) -> None:
    """Staff see every evaluation (a team lead those of their teams); an agent their own, and others' only
    when the site allows it."""
    reach = may_reach(conn, user, evaluation.agent)
    if reach is None:
        raise PermissionDenied(f"the {user.role.value} role sees only the evaluations of their own teams")
    if reach:
        return
    raise PermissionDenied("agents see only their own evaluations here")


def set_transparency(conn: sa.Connection, user: User, enabled: bool) -> None:
    """Turn the agents' right to see others' evaluations and recordings on or off (manage_qa)."""
    require_any(user, Permission.MANAGE_QA)
    set_setting(conn, TRANSPARENCY_KEY, enabled)


def grant_qa_duty(conn: sa.Connection, user: User, username: str, *, start_at: dt.datetime,
                  end_at: dt.datetime) -> Duty:
    """Rotate ``username`` into QA duty from ``start_at`` to ``end_at`` (aware, end later; manage_qa)."""
    require_any(user, Permission.MANAGE_QA)
    if start_at.tzinfo is None or end_at.tzinfo is None or end_at <= start_at:
        raise InvalidInput("give an aware start and a later end", field="end_at")
    if username not in {u.username for u in list_users(conn)}:
        raise NotFound(f"no user {username!r}")
    return grant_duty(conn, username, start_at=start_at.astimezone(dt.UTC), end_at=end_at.astimezone(dt.UTC),
                      granted_by=user.username)


def grant_qa_duty_days(conn: sa.Connection, user: User, username: str, *, first_day: str, last_day: str,
                       tz: dt.tzinfo) -> Duty:
    """QA duty from the first to the last day inclusive, typed as YYYY-MM-DD days in ``tz`` (the settings form);
    a bad day or a user name naming nobody is ``InvalidInput`` naming its field."""
    require_any(user, Permission.MANAGE_QA)
    first = require_date(first_day, field="first_day", missing="days look like 2026-03-02")
    last = require_date(last_day, field="last_day", missing="days look like 2026-03-02")
    if last < first:
        raise InvalidInput("the last day is before the first", field="last_day")
    start = dt.datetime.combine(first, dt.time(), tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
    try:
        return grant_qa_duty(conn, user, username, start_at=start, end_at=end)
    except NotFound as missing:  # the form's user name names nobody: a bad value of that field
        raise InvalidInput(str(missing), field="username") from None


def duty_periods(conn: sa.Connection) -> list[Duty]:
    """Every QA duty period granted, the latest start first."""
    return list_duty(conn)


@dataclass(frozen=True, slots=True)
class QaSettings:
    """What the QA settings page shows: the transparency right, the duty periods, the agents to rotate in."""

    see_others: bool
    duty: tuple[Duty, ...]
    agents: tuple[str, ...]


def qa_settings(conn: sa.Connection, user: User) -> QaSettings:
    """The QA settings (manage_qa): agents seeing others' evaluations, duty periods, agents' user names."""
    require_any(user, Permission.MANAGE_QA)
    return QaSettings(see_others=agents_see_others(conn), duty=tuple(list_duty(conn)),
                      agents=tuple(u.username for u in list_users(conn) if u.role is Role.AGENT))
