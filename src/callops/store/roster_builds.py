"""What rosters are built from: the inputs kept with each saved version, stored rule files and solve jobs.

``roster_inputs`` keeps the agents (contracts), the requirement per interval and the rules text a version was
solved under, so that its page can check it against the rules and chart its coverage long after. A web build
is a ``roster_jobs`` row: queued by the request, run by a background thread (``callops.web.roster_runner``),
which marks it running, then done (with the saved version) or failed (with the reason).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput, NotFound
from callops.scheduling.roster_model import Requirement, RosterAgent
from callops.scheduling.work_rules import WorkSystem
from callops.store.engine import new_id
from callops.store.schema import roster_inputs, roster_jobs, roster_rule_sets

__all__ = ["JOB_STATES", "MAX_RULE_SETS", "RosterInputs", "RosterJob", "active_job", "finish_job", "get_job",
           "job_inputs", "list_jobs", "list_rule_sets", "load_inputs", "queue_job", "rule_set_text",
           "save_inputs", "save_rule_set", "start_job"]

JOB_STATES = ("queued", "running", "done", "failed")
MAX_RULE_SETS = 200


@dataclass(frozen=True, slots=True)
class RosterInputs:
    agents: tuple[RosterAgent, ...]
    requirements: tuple[Requirement, ...]
    rules_text: str | None  # None: the China default


@dataclass(frozen=True, slots=True)
class RosterJob:
    job_id: int
    name: str
    status: str
    created_at: dt.datetime
    created_by: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    params: dict[str, Any]
    roster_version: int | None
    summary: dict[str, Any] | None
    error: str | None


def _agent_json(a: RosterAgent) -> dict[str, Any]:
    return {"agent": a.agent, "contract": a.system.value, "skills": sorted(a.skills), "weekly_hours": a.weekly_hours,
            "unavailable": sorted(d.isoformat() for d in a.unavailable),
            "prefer_off": sorted(d.isoformat() for d in a.prefer_off), "team": a.team}


def _agent(d: dict[str, Any]) -> RosterAgent:
    return RosterAgent(agent=str(d["agent"]), system=WorkSystem(d["contract"]), skills=frozenset(d.get("skills", [])),
                       weekly_hours=d.get("weekly_hours"),
                       unavailable=frozenset(dt.date.fromisoformat(x) for x in d.get("unavailable", [])),
                       prefer_off=frozenset(dt.date.fromisoformat(x) for x in d.get("prefer_off", [])),
                       team=d.get("team"))


def _inputs(agents: Any, requirements: Any, rules_text: str | None, tz: str) -> RosterInputs:
    zone = zoneinfo.ZoneInfo(tz)
    return RosterInputs(tuple(_agent(a) for a in agents),
                        tuple(Requirement(dt.datetime.fromisoformat(s).astimezone(zone), int(n), str(k))
                              for s, n, k in requirements), rules_text)


def _requirements_json(reqs: tuple[Requirement, ...] | list[Requirement]) -> list[list[Any]]:
    return [[r.start_at.isoformat(), r.required, r.skill] for r in reqs]


def save_inputs(conn: sa.Connection, roster_id: int, inputs: RosterInputs) -> None:
    """Keep what roster ``roster_id`` was solved from."""
    conn.execute(roster_inputs.insert().values(
        roster_id=roster_id, agents=[_agent_json(a) for a in inputs.agents],
        requirements=_requirements_json(inputs.requirements), rules_text=inputs.rules_text))


def load_inputs(conn: sa.Connection, roster_id: int, tz: str) -> RosterInputs | None:
    """What roster ``roster_id`` was solved from; None for a roster saved without them."""
    row = conn.execute(sa.select(roster_inputs).where(roster_inputs.c.roster_id == roster_id)).first()
    return None if row is None else _inputs(row.agents, row.requirements, row.rules_text, tz)


# --- stored rule files ------------------------------------------------------------------------------------------

def save_rule_set(conn: sa.Connection, name: str, text: str, *, now: dt.datetime, by: str | None) -> None:
    """Keep a rules file under ``name`` (replacing the one of that name)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("a rules name is 1-120 characters", field="rules_name")
    exists = conn.execute(sa.select(roster_rule_sets.c.name).where(roster_rule_sets.c.name == name)).first()
    if exists:
        conn.execute(roster_rule_sets.update().where(roster_rule_sets.c.name == name)
                     .values(text=text, created_at=now, created_by=by))
        return
    count = conn.execute(sa.select(sa.func.count()).select_from(roster_rule_sets)).scalar_one()
    if count >= MAX_RULE_SETS:
        raise Conflict(f"at most {MAX_RULE_SETS} stored rules files")
    conn.execute(roster_rule_sets.insert().values(name=name, text=text, created_at=now, created_by=by))


def list_rule_sets(conn: sa.Connection) -> list[tuple[str, dt.datetime, str | None]]:
    """(name, saved at, by) of every stored rules file, by name."""
    return [(r.name, r.created_at, r.created_by) for r in conn.execute(
        sa.select(roster_rule_sets.c.name, roster_rule_sets.c.created_at, roster_rule_sets.c.created_by)
        .order_by(roster_rule_sets.c.name))]


def rule_set_text(conn: sa.Connection, name: str) -> str:
    text = conn.execute(sa.select(roster_rule_sets.c.text).where(roster_rule_sets.c.name == name)).scalar()
    if text is None:
        raise InvalidInput(f"no stored rules named {name!r}", field="rules_name")
    return str(text)


# --- solve jobs --------------------------------------------------------------------------------------------------

def _job(r: Any) -> RosterJob:
    return RosterJob(r.id, r.name, r.status, r.created_at, r.created_by, r.started_at, r.finished_at, dict(r.params),
                     r.roster_version, None if r.summary is None else dict(r.summary), r.error)


def active_job(conn: sa.Connection, *, now: dt.datetime, stale_after: dt.timedelta) -> RosterJob | None:
    """A queued or running job younger than ``stale_after`` (an older one was cut off by a restart)."""
    row = conn.execute(sa.select(roster_jobs).where(roster_jobs.c.status.in_(("queued", "running")),
                                                    roster_jobs.c.created_at > now - stale_after)
                       .order_by(roster_jobs.c.id).limit(1)).first()
    return None if row is None else _job(row)


def queue_job(conn: sa.Connection, name: str, inputs: RosterInputs, *, params: dict[str, Any], now: dt.datetime,
              by: str | None) -> int:
    """A new queued job saving roster ``name``; its id."""
    return new_id(conn.execute(roster_jobs.insert().values(
        name=name, status="queued", created_at=now, created_by=by, params=params,
        agents=[_agent_json(a) for a in inputs.agents], requirements=_requirements_json(inputs.requirements),
        rules_text=inputs.rules_text)))


def get_job(conn: sa.Connection, job_id: int) -> RosterJob:
    row = conn.execute(sa.select(roster_jobs).where(roster_jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"no roster job {job_id}")
    return _job(row)


def job_inputs(conn: sa.Connection, job_id: int) -> RosterInputs:
    row = conn.execute(sa.select(roster_jobs).where(roster_jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"no roster job {job_id}")
    return _inputs(row.agents, row.requirements, row.rules_text, str(row.params["tz"]))


def list_jobs(conn: sa.Connection, *, limit: int = 20) -> list[RosterJob]:
    """The newest jobs first."""
    return [_job(r) for r in conn.execute(sa.select(roster_jobs).order_by(roster_jobs.c.id.desc()).limit(limit))]


def start_job(conn: sa.Connection, job_id: int, *, now: dt.datetime) -> bool:
    """Mark a queued job running; False when it was not queued (another runner took it)."""
    result = conn.execute(roster_jobs.update().where(roster_jobs.c.id == job_id, roster_jobs.c.status == "queued")
                          .values(status="running", started_at=now))
    return bool(result.rowcount)


def finish_job(conn: sa.Connection, job_id: int, *, now: dt.datetime, version: int | None = None,
               summary: dict[str, Any] | None = None, error: str | None = None) -> None:
    """Mark a job done (with the version it saved and the solve summary) or failed (with ``error``)."""
    conn.execute(roster_jobs.update().where(roster_jobs.c.id == job_id).values(
        status="failed" if error is not None else "done", finished_at=now, roster_version=version, summary=summary,
        error=error))
