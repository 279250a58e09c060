"""``callops roster``: solve a roster under the working-time rules, and check one against them."""

from __future__ import annotations

import datetime as dt
import json
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import click

from callops.cli._output import echo_json, echo_table
from callops.errors import InvalidInput
from callops.scheduling.roster_check import Violation, check_roster
from callops.scheduling.roster_inputs import parse_agents, parse_requirements
from callops.scheduling.roster_model import Requirement, RosterBreak, RosterShift
from callops.scheduling.roster_problem import build_problem
from callops.scheduling.roster_solver import RosterResult, SolveOptions, solve_roster
from callops.scheduling.work_rules import WorkRules, china_rules
from callops.services.roster_rules import parse_rules

MAX_FILE_BYTES = 32 * 1024 * 1024


def register(group: click.Group) -> None:
    group.add_command(roster)


@click.group()
def roster() -> None:
    """Rosters: named agents on shifts under China's working-time rules."""


def _read(path: str, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"no such file: {path}", field=what)
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB", field=what)
    return p.read_text(encoding="utf-8")


def _rules(path: str | None) -> WorkRules:
    return china_rules() if path is None else parse_rules(_read(path, "--rules"), file=path)


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=option) from exc


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}", field="--tz") from exc


def _plan_requirements(name: str, tz: zoneinfo.ZoneInfo) -> list[Requirement]:
    from callops.cli import _context
    from callops.services.workforce import stored_plan

    plan_name, _, version = name.partition("@")
    with _context.engine().connect() as conn:
        plan = stored_plan(conn, plan_name, int(version) if version.isdigit() else None)
    return [Requirement(i.start_at.astimezone(tz), i.scheduled) for i in plan.intervals]


def result_json(result: RosterResult) -> dict[str, Any]:
    from callops.services.roster_builds import result_summary

    return result_summary(result) | {
        "shifts": [{"agent": s.agent, "start": s.start_at.isoformat(), "end": s.end_at.isoformat(),
                    "breaks": [{"start": b.start_at.isoformat(), "end": b.end_at.isoformat(), "kind": b.kind,
                                "paid": b.paid} for b in s.breaks]}
                   for s in result.roster.shifts],
    }


@roster.command("solve")
@click.option("--requirements", "requirements_file", help="CSV: interval_start,required[,skill] (local times).")
@click.option("--plan", "plan_name", help="A saved staffing plan (NAME or NAME@VERSION) instead of --requirements.")
@click.option("--agents", "agents_file", required=True, help="CSV: agent,contract,skills[,weekly_hours,unavailable].")
@click.option("--rules", "rules_file", help="Working-time rules (YAML); default: the China rules.")
@click.option("--from", "from_", required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "to", required=True, help="Last day (YYYY-MM-DD).")
@click.option("--tz", default="Asia/Shanghai", show_default=True, help="The site's time zone.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=1, max=3600), default=30.0,
              show_default=True, help="Seconds the solver may take.")
@click.option("--save", "save_as", help="Save the roster under this name (the next version).")
@click.option("--by", "by", help="Who saves it (kept in the roster's change log).")
@click.option("--json", "as_json", is_flag=True, help="Print the roster as JSON.")
def solve(requirements_file: str | None, plan_name: str | None, agents_file: str, rules_file: str | None,
          from_: str, to: str, tz: str, time_limit_s: float, save_as: str | None, by: str | None,
          as_json: bool) -> None:
    """Solve a roster covering the requirements under the rules; explains any shortfall."""
    zone = _zone(tz)
    rules = _rules(rules_file)
    first, last = _day(from_, "--from"), _day(to, "--to")
    if (requirements_file is None) == (plan_name is None):
        raise InvalidInput("give either --requirements or --plan", field="--requirements")
    if requirements_file is not None:
        reqs = parse_requirements(_read(requirements_file, "--requirements"), tz=zone,
                                  interval_min=rules.interval_min, file=requirements_file,
                                  first_day=first, last_day=last)
    else:
        reqs = _plan_requirements(plan_name or "", zone)
    agents = parse_agents(_read(agents_file, "--agents"), file=agents_file)
    problem = build_problem(rules=rules, agents=agents, requirements=reqs, first_day=first, last_day=last, tz=zone)
    result = solve_roster(problem, SolveOptions(time_limit_s=time_limit_s))
    data = result_json(result)
    if save_as:
        from callops.cli import _context
        from callops.services.roster_builds import RosterInputs, save_build

        inputs = RosterInputs(tuple(agents), tuple(reqs), None if rules_file is None else _read(rules_file, "--rules"))
        with _context.engine().begin() as conn:  # the roster with what it was solved from, for later checks
            stored = save_build(conn, save_as, result, inputs, tz=tz, now=dt.datetime.now(dt.UTC), by=by)
        data["saved"] = {"name": stored.name, "version": stored.version}
    if as_json:
        echo_json(data)
        return
    click.echo(f"{result.status}: {len(result.roster.shifts)} shifts, {result.paid_hours:g} paid hours, "
               f"shortfall {result.shortfall:g} of {result.required:g} agent-intervals, gap {result.gap:.2%}")
    for line in result.explanations:
        click.echo(f"  {line}")


@roster.command("publish")
@click.argument("name")
@click.option("--version", type=click.IntRange(min=1), required=True, help="The version to publish.")
@click.option("--by", "by", help="Who publishes it (kept in the change log).")
def publish(name: str, version: int, by: str | None) -> None:
    """Publish a saved roster version: agents see it and adherence is measured against it."""
    from callops.cli import _context
    from callops.store.rosters import publish_roster

    with _context.engine().begin() as conn:
        stored = publish_roster(conn, name, version, now=dt.datetime.now(dt.UTC), by=by)
    click.echo(f"published {stored.name} version {stored.version} ({len(stored.shifts)} shifts)")


@roster.command("history")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def history(name: str, as_json: bool) -> None:
    """Every change to a roster: version, when, who, what."""
    from callops.cli import _context
    from callops.store.rosters import roster_history

    with _context.engine().connect() as conn:
        rows = [{"version": v, "at": at.isoformat(), "by": by, "action": action, "detail": detail}
                for v, at, by, action, detail in roster_history(conn, name)]
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows)


@roster.command("pay")
@click.argument("roster_file")
@click.option("--agents", "agents_file", required=True, help="CSV of the agents and their contracts.")
@click.option("--rules", "rules_file", help="Working-time rules (YAML); default: the China rules.")
@click.option("--tz", default="Asia/Shanghai", show_default=True, help="The site's time zone.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default="table",
              show_default=True)
@click.option("--output", help="File to write (needed for xlsx).")
def pay(roster_file: str, agents_file: str, rules_file: str | None, tz: str, fmt: str, output: str | None) -> None:
    """Hours per agent and week with overtime by kind (150 %, 200 %, 300 %) and the paid equivalent."""
    import dataclasses

    from callops.scheduling.pay import pay_report
    from callops.services.report_files import rows_to_csv, rows_to_xlsx

    zone = _zone(tz)
    rules = _rules(rules_file)
    data, shifts = _roster_file(roster_file)
    agents = parse_agents(_read(agents_file, "--agents"), file=agents_file)
    first = _day(data["from"], "from") if isinstance(data.get("from"), str) else min(
        (s.start_at.astimezone(zone).date() for s in shifts), default=dt.date.today())
    rows = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in dataclasses.asdict(r).items()}
            for r in pay_report(shifts, agents, rules, tz=zone, week_start=first,
                                last_day=_day(data["to"], "to") if isinstance(data.get("to"), str) else None)]
    if fmt == "xlsx":
        if not output:
            raise InvalidInput("--format xlsx needs --output FILE.xlsx", field="--output")
        Path(output).write_bytes(rows_to_xlsx(rows, sheet="pay"))
        click.echo(f"wrote {len(rows)} rows to {output}")
        return
    if fmt == "csv":
        text = rows_to_csv(rows)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
        return
    if fmt == "json":
        echo_json(rows)
    else:
        echo_table(rows)


def _roster_file(path: str) -> tuple[dict[str, Any], list[RosterShift]]:
    """A roster JSON file (as `roster solve --json` writes it): the document and its shifts."""
    try:
        data = json.loads(_read(path, "ROSTER"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not JSON: {exc.msg}", file=path, line=exc.lineno) from exc
    shifts = _shifts_from_json(data, path)  # refuses anything but an object with a shifts list
    return data, shifts


def _shifts_from_json(data: Any, file: str) -> list[RosterShift]:
    if not isinstance(data, dict) or not isinstance(data.get("shifts"), list):
        raise InvalidInput("expected an object with a 'shifts' list", file=file, field="shifts")
    out: list[RosterShift] = []
    for n, s in enumerate(data["shifts"]):
        try:
            breaks = tuple(RosterBreak(dt.datetime.fromisoformat(b["start"]), dt.datetime.fromisoformat(b["end"]),
                                       str(b.get("kind", "rest")), bool(b.get("paid", b.get("kind") != "meal")))
                           for b in s.get("breaks", []))
            shift = RosterShift(str(s["agent"]), dt.datetime.fromisoformat(s["start"]),
                                dt.datetime.fromisoformat(s["end"]), breaks)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(f"shift {n}: {exc}", file=file, field=f"shifts[{n}]") from exc
        if shift.start_at.tzinfo is None or shift.end_at <= shift.start_at:
            raise InvalidInput(f"shift {n}: needs times with an offset and an end after the start", file=file,
                               field=f"shifts[{n}]")
        out.append(shift)
    return out


@roster.command("check")
@click.argument("roster_file", required=False)
@click.option("--saved", help="A saved roster NAME[@VERSION] instead of ROSTER_FILE, checked as its page checks it "
                              "(with what it was solved from, and the adjacent published rosters; needs the database).")
@click.option("--agents", "agents_file", help="CSV of the agents and their contracts (with ROSTER_FILE).")
@click.option("--rules", "rules_file", help="Working-time rules (YAML); default: the China rules.")
@click.option("--tz", default="Asia/Shanghai", show_default=True, help="The site's time zone.")
@click.option("--adjacent", is_flag=True, help="Read the published rosters' shifts of the 14 days before and after "
                                               "ROSTER_FILE's days with it (needs the database): rest, days in a row, "
                                               "weeks and comprehensive periods across its edges.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(roster_file: str | None, saved: str | None, agents_file: str | None, rules_file: str | None, tz: str,
          adjacent: bool, as_json: bool) -> None:
    """Check a roster (JSON as `roster solve --json` writes it, or a saved one) against every rule; exit 1 on any
    violation."""
    if (roster_file is None) == (saved is None):
        raise InvalidInput("give a ROSTER file or --saved NAME[@VERSION]", field="ROSTER")
    if saved is not None:
        violations = _check_saved(saved, agents_file=agents_file, rules_file=rules_file)
    else:
        violations = _check_file(str(roster_file), agents_file=agents_file, rules_file=rules_file, tz=tz,
                                 adjacent=adjacent)
    rows = [{"agent": v.agent, "rule": v.rule, "date": v.date.isoformat(), "detail": v.detail} for v in violations]
    if as_json:
        echo_json({"violations": rows})
    elif rows:
        echo_table(rows)
    else:
        click.echo("no violations")
    if rows:
        sys.exit(1)


def _check_saved(saved: str, *, agents_file: str | None, rules_file: str | None) -> list[Violation]:
    from callops.cli import _context
    from callops.services.roster_views import roster_view
    from callops.store.rosters import load_roster

    if agents_file is not None or rules_file is not None:
        raise InvalidInput("--saved checks against what the roster was solved from; leave out --agents and --rules",
                           field="--saved")
    name, _, version = saved.partition("@")
    if version and not version.isdigit():
        raise InvalidInput(f"{version!r} is not a version number", field="--saved")
    with _context.engine().connect() as conn:
        view = roster_view(conn, load_roster(conn, name, int(version) if version else None))
    if view.violations is None:
        raise InvalidInput(f"roster {name} version {view.roster.version} was saved without its agents' contracts; "
                           "check its JSON with --agents instead", field="--saved")
    return view.violations


def _check_file(roster_file: str, *, agents_file: str | None, rules_file: str | None, tz: str,
                adjacent: bool) -> list[Violation]:
    if agents_file is None:
        raise InvalidInput("give --agents FILE.csv with a ROSTER file", field="--agents")
    zone = _zone(tz)
    rules = _rules(rules_file)
    data, shifts = _roster_file(roster_file)
    agents = parse_agents(_read(agents_file, "--agents"), file=agents_file)
    week_start = _day(data["from"], "from") if isinstance(data.get("from"), str) else None
    last_day = _day(data["to"], "to") if isinstance(data.get("to"), str) else None
    if not adjacent:
        return check_roster(shifts, agents, rules, tz=zone, week_start=week_start, last_day=last_day)
    from callops.cli import _context
    from callops.services.roster_views import check_in_context, published_around

    if not shifts:
        return []
    local_days = sorted(s.start_at.astimezone(zone).date() for s in shifts)
    first, last = week_start or local_days[0], last_day or local_days[-1]
    with _context.engine().connect() as conn:
        around = published_around(conn, {a.agent for a in agents}, tz=zone, first_day=first, last_day=last,
                                  outside_only=True)
    return check_in_context(shifts, agents, rules, tz=zone, first_day=first, last_day=last, context=around)


@roster.command("simulate")
@click.argument("roster_file", required=False)
@click.option("--saved", help="A saved roster NAME[@VERSION] instead of ROSTER_FILE (needs the database).")
@click.option("--agents", "agents_file", help="CSV of the agents and their skills (with ROSTER_FILE; without it "
                                              "every agent serves every skill).")
@click.option("--workload", "workload_file", help="CSV interval_start,calls,aht_s[,skill] (local times).")
@click.option("--plan", "plans", multiple=True, help="A saved staffing plan NAME[@VERSION] as the workload of its "
                                                     "queue (repeat for each skill); instead of --workload.")
@click.option("--tz", default="Asia/Shanghai", show_default=True, help="The site's time zone.")
@click.option("--replications", type=int, default=10, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--target", type=float, default=0.8, show_default=True, help="Service-level target (fraction).")
@click.option("--sl-time", type=float, default=20.0, show_default=True, help="Service-level time T, seconds.")
@click.option("--patience", type=float, help="Callers' mean patience, seconds (default: nobody abandons).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def simulate_command(roster_file: str | None, saved: str | None, agents_file: str | None, workload_file: str | None,
                     plans: tuple[str, ...], tz: str, replications: int, seed: int, target: float, sl_time: float,
                     patience: float | None, as_json: bool) -> None:
    """Check a roster by simulation: its agents (breaks taken out) staff each skill; per interval and skill the
    simulated service level with its 95 % interval against the target."""
    from callops.services.roster_simulation import (
        check_roster_by_simulation,
        roster_simulation_json,
        simulate_saved,
        workload_from_plans,
    )
    from callops.simulation.from_roster import parse_workload

    zone = _zone(tz)
    if (roster_file is None) == (saved is None):
        raise InvalidInput("give a ROSTER file or --saved NAME[@VERSION]", field="ROSTER")
    if (workload_file is None) == (not plans):
        raise InvalidInput("give --workload FILE.csv or --plan NAME (one per skill)", field="--workload")
    if plans or saved is not None:
        from callops.cli import _context

        with _context.engine().connect() as conn:
            workload = (workload_from_plans(conn, plans) if plans
                        else parse_workload(_read(str(workload_file), "--workload"), tz=zone, file=str(workload_file)))
            if saved is not None:
                name, _, version = saved.partition("@")
                if version and not version.isdigit():
                    raise InvalidInput(f"{version!r} is not a version number", field="--saved")
                sim = simulate_saved(conn, name, int(version) if version else None, workload,
                                     replications=replications, seed=seed, target=target, sl_time_s=sl_time,
                                     patience_s=patience)
    else:
        workload = parse_workload(_read(str(workload_file), "--workload"), tz=zone, file=str(workload_file))
    if saved is None:
        _, shifts = _roster_file(str(roster_file))
        agents = parse_agents(_read(agents_file, "--agents"), file=agents_file) if agents_file else []
        sim = check_roster_by_simulation(shifts, agents, workload, interval_min=30, replications=replications,
                                         seed=seed, target=target, sl_time_s=sl_time, patience_s=patience)
    data = roster_simulation_json(sim, tz=zone)
    if as_json:
        echo_json(data)
        return
    echo_table([{"skill": k, **v} for k, v in data["skills"].items()])
    short = [r for r in data["intervals"] if r["short"]]
    click.echo(f"{data['intervals_short']} interval-skills below the target ({data['intervals_clearly_short']} "
               "clearly, the whole 95 % interval below)")
    if short:
        echo_table(short)
