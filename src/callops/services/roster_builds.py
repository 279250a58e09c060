"""Building a roster from the web: inputs gathered from the directory, a staffing plan or files, one solve.

``prepare_build`` turns the form into ``RosterInputs`` and a queued job (refusing bad input naming the field);
``solve_job`` runs the solver on them under a bounded time limit; ``save_build`` keeps the result as the next
version of the roster with its inputs. The background thread that calls the last two is
``callops.web.roster_runner``; the CLI's ``roster solve --save`` keeps inputs the same way.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput
from callops.scheduling.roster_inputs import parse_agents, parse_requirements
from callops.scheduling.roster_model import Requirement, RosterAgent
from callops.scheduling.roster_problem import build_problem
from callops.scheduling.roster_solver import RosterResult, SolveOptions, solve_roster
from callops.scheduling.work_rules import WorkRules, WorkSystem, china_rules
from callops.services.roster_rules import MAX_RULES_BYTES, parse_rules
from callops.store.directory import TeamRow, list_agents, list_teams
from callops.store.plans import list_plans
from callops.store.roster_builds import (
    RosterInputs,
    RosterJob,
    active_job,
    get_job,
    list_jobs,
    list_rule_sets,
    queue_job,
    rule_set_text,
    save_inputs,
    save_rule_set,
)
from callops.store.rosters import StoredRoster, save_roster

__all__ = ["BuildChoices", "BuildRequest", "RosterInputs", "MAX_BUILD_AGENTS", "MAX_BUILD_DAYS", "MAX_TIME_LIMIT_S",
           "STALE_AFTER", "build_choices", "build_job", "prepare_build", "result_summary", "save_build", "solve_job"]

MAX_BUILD_AGENTS = 400
MAX_BUILD_DAYS = 31
MAX_TIME_LIMIT_S = 120.0
MAX_TEXT_BYTES = 4 * 1024 * 1024
STALE_AFTER = dt.timedelta(minutes=15)  # a job queued or running longer was cut off (a restart): not in the way


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """The build form, as text: every field is checked by ``prepare_build``."""

    name: str
    first_day: str
    last_day: str
    time_limit_s: str = "20"
    plan: str = ""  # NAME or NAME@VERSION of a staffing plan
    requirements_csv: str = ""  # or a requirements file
    team: str = ""  # directory agents of this team ("" = every active agent)
    contract: str = "standard"  # their contract
    agents_csv: str = ""  # or an agents file (contracts per agent)
    rules_name: str = ""  # a stored rules file ("" = the China default unless rules_yaml is given)
    rules_yaml: str = ""  # or an uploaded one
    save_rules_as: str = ""  # keep the uploaded rules under this name


def _day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None


def _bounded(text: str, field: str, limit: int = MAX_TEXT_BYTES) -> str:
    if len(text.encode("utf-8")) > limit:
        raise InvalidInput(f"larger than {limit // 1024} KiB", field=field)
    return text


def _plan_requirements(conn: sa.Connection, ref: str, rules: WorkRules,
                       zone: zoneinfo.ZoneInfo) -> tuple[list[Requirement], dt.date, dt.date]:
    from callops.services.workforce import load_plan_ref

    plan = load_plan_ref(conn, ref)
    step = plan.targets.interval_min
    if step % rules.interval_min:
        raise InvalidInput(f"the plan's {step}-minute intervals do not fit the rules' {rules.interval_min}-minute "
                           "grid", field="plan")
    reqs = [Requirement((i.start_at + dt.timedelta(minutes=k)).astimezone(zone), i.scheduled)
            for i in plan.intervals for k in range(0, step, rules.interval_min)]
    if not reqs:
        raise InvalidInput(f"plan {ref!r} has no intervals", field="plan")
    return reqs, reqs[0].start_at.date(), reqs[-1].start_at.date()


def _directory_agents(conn: sa.Connection, team: str, contract: str, skilled: bool) -> list[RosterAgent]:
    try:
        system = WorkSystem(contract)
    except ValueError:
        known = ", ".join(s.value for s in WorkSystem)
        raise InvalidInput(f"unknown contract {contract!r}; use one of {known}", field="contract") from None
    found = list_agents(conn, team=team or None)
    if not found:
        raise InvalidInput(f"no active agents in team {team!r}" if team else "the directory has no active agents",
                           field="team")
    return [RosterAgent(agent=a.agent_id, system=system, skills=frozenset(a.skills) if skilled else frozenset(),
                        team=a.team) for a in found]


def _rules(conn: sa.Connection, form: BuildRequest, *, now: dt.datetime,
           by: str | None) -> tuple[WorkRules, str | None]:
    if form.rules_yaml.strip():
        text = _bounded(form.rules_yaml, "rules_yaml", MAX_RULES_BYTES)
        rules = parse_rules(text, file="rules_yaml")
        if form.save_rules_as.strip():
            save_rule_set(conn, form.save_rules_as, text, now=now, by=by)
        return rules, text
    if form.rules_name.strip():
        text = rule_set_text(conn, form.rules_name.strip())
        return parse_rules(text, file=form.rules_name.strip()), text
    return china_rules(), None


def prepare_build(conn: sa.Connection, form: BuildRequest, *, tz: str, now: dt.datetime,
                  by: str | None) -> int:
    """Check the form, gather the inputs and queue the job; its id. One job at a time (Conflict otherwise)."""
    name = form.name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("a roster name is 1-120 characters", field="name")
    try:
        limit = float(form.time_limit_s)
    except ValueError:
        raise InvalidInput(f"{form.time_limit_s!r} is not a number of seconds", field="time_limit_s") from None
    if not 1 <= limit <= MAX_TIME_LIMIT_S:
        raise InvalidInput(f"the time limit is 1-{MAX_TIME_LIMIT_S:g} s", field="time_limit_s")
    zone = zoneinfo.ZoneInfo(tz)
    rules, rules_text = _rules(conn, form, now=now, by=by)
    first = _day(form.first_day, "first_day") if form.first_day.strip() else None
    last = _day(form.last_day, "last_day") if form.last_day.strip() else None
    if first is not None and last is not None and last < first:
        raise InvalidInput("the last day is before the first", field="last_day")
    if form.plan.strip() and form.requirements_csv.strip():
        raise InvalidInput("give a staffing plan or a requirements file, not both", field="plan")
    if form.plan.strip():
        reqs, plan_first, plan_last = _plan_requirements(conn, form.plan.strip(), rules, zone)
        first, last = first or plan_first, last or plan_last
    elif form.requirements_csv.strip():
        if first is None or last is None:
            raise InvalidInput("give the first and last day", field="first_day" if first is None else "last_day")
        reqs = parse_requirements(_bounded(form.requirements_csv, "requirements_csv"), tz=zone,
                                  interval_min=rules.interval_min, file="requirements_csv", first_day=first,
                                  last_day=last)
    else:
        raise InvalidInput("pick a staffing plan or upload a requirements file", field="plan")
    assert first is not None and last is not None
    if last < first:
        raise InvalidInput("the last day is before the first", field="last_day")
    if (last - first).days + 1 > MAX_BUILD_DAYS:
        raise InvalidInput(f"a roster built here covers at most {MAX_BUILD_DAYS} days", field="last_day")
    skilled = any(r.skill != "*" for r in reqs)
    if form.agents_csv.strip():
        agents = parse_agents(_bounded(form.agents_csv, "agents_csv"), file="agents_csv")
    else:
        agents = _directory_agents(conn, form.team.strip(), form.contract.strip(), skilled)
    if len(agents) > MAX_BUILD_AGENTS:
        raise InvalidInput(f"at most {MAX_BUILD_AGENTS} agents in a web build (the CLI takes more)", field="agents")
    build_problem(rules=rules, agents=agents, requirements=reqs, first_day=first, last_day=last, tz=zone)  # refuses
    running = active_job(conn, now=now, stale_after=STALE_AFTER)
    if running is not None:
        raise Conflict(f"roster job {running.job_id} ({running.name}) is still {running.status}: wait for it")
    params: dict[str, Any] = {"first_day": first.isoformat(), "last_day": last.isoformat(), "tz": tz,
                              "time_limit_s": limit, "plan": form.plan.strip() or None,
                              "team": form.team.strip() or None, "rules": form.rules_name.strip() or None,
                              "agents": len(agents)}
    return queue_job(conn, name, RosterInputs(tuple(agents), tuple(reqs), rules_text), params=params, now=now, by=by)


def solve_job(inputs: RosterInputs, params: dict[str, Any]) -> RosterResult:
    """Solve under the job's bounded time limit (no database: run it outside any transaction)."""
    rules = china_rules() if inputs.rules_text is None else parse_rules(inputs.rules_text, file="rules")
    problem = build_problem(rules=rules, agents=inputs.agents, requirements=inputs.requirements,
                            first_day=dt.date.fromisoformat(params["first_day"]),
                            last_day=dt.date.fromisoformat(params["last_day"]), tz=zoneinfo.ZoneInfo(params["tz"]))
    limit = min(float(params["time_limit_s"]), MAX_TIME_LIMIT_S)
    return solve_roster(problem, SolveOptions(time_limit_s=limit))


def result_summary(result: RosterResult) -> dict[str, Any]:
    """The solve's figures as JSON (what ``roster solve --json`` prints, less the shifts)."""
    return {"status": result.status, "objective": result.objective, "bound": result.bound, "gap": result.gap,
            "shortfall": result.shortfall, "required": result.required, "paid_hours": result.paid_hours,
            "penalties": result.penalties, "explanations": list(result.explanations), "wall_s": result.wall_s,
            "from": result.roster.first_day.isoformat(), "to": result.roster.last_day.isoformat()}


def save_build(conn: sa.Connection, name: str, result: RosterResult, inputs: RosterInputs, *, tz: str,
               now: dt.datetime, by: str | None) -> StoredRoster:
    """The solved roster as the next version of ``name``, with the inputs it was solved from."""
    stored = save_roster(conn, name, list(result.roster.shifts), first_day=result.roster.first_day,
                         last_day=result.roster.last_day, tz=tz, summary=result_summary(result), now=now, by=by)
    save_inputs(conn, stored.roster_id, inputs)
    return stored


def build_job(conn: sa.Connection, job_id: int) -> RosterJob:
    """Roster build job ``job_id`` as it stands (queued, running, done or failed, with its summary or error);
    NotFound without one."""
    return get_job(conn, job_id)


@dataclass(frozen=True, slots=True)
class BuildChoices:
    """What the rosters page's build form offers and shows: the newest build jobs, the saved staffing plans
    (name, version, created_at, queue), the teams and the stored rules files (name, saved at, by)."""

    jobs: list[RosterJob]
    plans: list[tuple[str, int, dt.datetime, str | None]]
    teams: list[TeamRow]
    rule_sets: list[tuple[str, dt.datetime, str | None]]


def build_choices(conn: sa.Connection) -> BuildChoices:
    return BuildChoices(jobs=list_jobs(conn), plans=list_plans(conn), teams=list_teams(conn),
                        rule_sets=list_rule_sets(conn))
