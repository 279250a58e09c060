"""``callops people``: people records (import, show), attrition, tenure and survival of tenure."""

from __future__ import annotations

import datetime as dt
import getpass
import zoneinfo
from pathlib import Path
from typing import Any

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.csv_rows import checked_rows
from callops.errors import InvalidInput
from callops.people import Grain, GroupBy, Stint, SurvivalBy, attrition, history_rows, survival_curves
from callops.people.nesting import NestingPlan, parse_skill_levels
from callops.people.tenure import exits_by_reason, released_destinations, tenure_distribution
from callops.services.people_records import (
    CoachingKind,
    add_coaching,
    all_stints,
    coaching_sessions,
    early_warning,
    emotional_load,
    hire_ramp,
    import_people,
    nesting_plans,
    read_person,
    remove_nesting_plan,
    save_nesting_plan,
)
from callops.yaml_input import load_yaml


def register(group: click.Group) -> None:
    group.add_command(people)


def _mapping(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text: {exc}", file=str(path)) from exc
    loaded = load_yaml(text, file=str(path))
    if isinstance(loaded, dict) and isinstance(loaded.get("columns"), dict):
        loaded = loaded["columns"]
    if not isinstance(loaded, dict):
        raise InvalidInput("a mapping is `our_column: their header` lines (optionally under `columns:`)",
                           file=str(path))
    return {str(k): v for k, v in loaded.items()}


def _cells(path: Path) -> list[list[str]]:
    """The file's rows as text cells: XLSX (first sheet) or CSV in UTF-8 or GB18030 (Excel's Chinese CSVs)."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise InvalidInput(f"not a readable XLSX file: {exc}", file=str(path)) from exc
        return [["" if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)]
    import io

    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("neither UTF-8 nor GB18030 text", file=str(path))
    return [row for _, row in checked_rows(io.StringIO(text), file=str(path))]


def _today() -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(_context.settings().site_tz)).date()


@click.group()
def people() -> None:
    """People records (PII), attrition, tenure, survival of tenure, nesting (seeds 000, 001, 003)."""


@people.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML: our column -> the file's header (person, hire_date, exit_date, exit_reason, team, "
                   "position, contract, destination).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def people_import(file: Path, mapping: Path | None, dry_run: bool, as_json: bool) -> None:
    """Import an HR file (CSV or XLSX; one row per position spell) as one transaction; re-importing adds nothing.

    Default columns: person,hire_date,exit_date,exit_reason,team,position. Teams must exist
    (`callops teams add`); an unknown team is refused, as are exits before hires and overlapping rows.
    """
    columns = _mapping(mapping)
    rows = history_rows(_cells(file), file=str(file), mapping=columns)
    now = dt.datetime.now(dt.UTC)
    with _context.engine().connect() as conn, conn.begin() as tx:
        report = import_people(conn, rows, file=str(file), actor=f"cli:{getpass.getuser()}", now=now,
                                column=columns)
        if dry_run:
            tx.rollback()
    counts = {"rows": len(rows), "people": report.people, "changed": report.changed,
              "unchanged": report.unchanged, "spells_written": report.spells, "agents_added": report.agents_added,
              "dry_run": dry_run}
    if as_json:
        echo_json(counts)
    else:
        verb = "would change" if dry_run else "changed"
        click.echo(f"{len(rows)} rows, {report.people} people: {verb} {report.changed}, unchanged "
                   f"{report.unchanged}, {report.agents_added} added to the agents directory")


@people.command("show")
@click.argument("person")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_show(person: str, fmt: str) -> None:
    """A person's spells (position, team, contract, exit) and the audit of changes."""
    with _context.engine().connect() as conn:
        record = read_person(conn, person)
        rows, audit = record.spells, record.audit
    if not rows:
        raise InvalidInput(f"no people record for {person!r}", field="person")
    if fmt == "json":
        echo_json({"person": person, "spells": rows, "audit": audit})
    else:
        echo_table(rows)


_GRAIN = click.Choice([g.value for g in Grain])


@people.command("attrition")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, YYYY-MM-DD.")
@click.option("--grain", type=_GRAIN, default="month", show_default=True)
@click.option("--by", type=click.Choice([g.value for g in GroupBy]), help="A row per group and period.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_attrition(date_from: dt.datetime, date_to: dt.datetime, grain: str, by: str | None, fmt: str) -> None:
    """Headcount, hires, exits (voluntary, early within 90 days, released) and attrition per period.

    attrition_rate = exits / mean(headcount_start, headcount_end); headcount of a day counts people
    hired on or before it whose exit date is after it (leaving on day d: counted up to d - 1).
    """
    with _context.engine().connect() as conn:
        stints = all_stints(conn)
    group = GroupBy(by) if by else None
    rows = [r.as_dict(group_key=group.value if group else None)
            for r in attrition(stints, date_from=date_from.date(), date_to=date_to.date(), grain=Grain(grain),
                               by=group)]
    echo_json(rows) if fmt == "json" else echo_table(rows)


@people.command("survival")
@click.option("--by", type=click.Choice([b.value for b in SurvivalBy]), help="One curve per group.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Censoring day (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_survival(by: str | None, as_of: dt.datetime | None, fmt: str) -> None:
    """Kaplan–Meier survival of tenure in days with 95 % bands, at each exit time (lifelines)."""
    day = as_of.date() if as_of else _today()
    with _context.engine().connect() as conn:
        stints = all_stints(conn)
    curves = survival_curves(stints, as_of=day, by=SurvivalBy(by) if by else None)
    if fmt == "json":
        echo_json([c.as_dict() for c in curves])
        return
    rows: list[dict[str, Any]] = [{"group": c.group, "t": p.t, "survival": p.survival, "lo": p.lo, "hi": p.hi,
                                   "at_risk": p.at_risk} for c in curves for p in c.points]
    echo_table(rows)


@people.command("tenure")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Day of the snapshot (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_tenure(as_of: dt.datetime | None, fmt: str) -> None:
    """Tenure of the people employed on a day, in bands (seed 001: two years or more, 8 %)."""
    day = as_of.date() if as_of else _today()
    with _context.engine().connect() as conn:
        stints = all_stints(conn)
    rows = [b.as_dict() for b in tenure_distribution(stints, as_of=day)]
    echo_json(rows) if fmt == "json" else echo_table(rows)


@people.command("exits")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_exits(date_from: dt.datetime, date_to: dt.datetime, fmt: str) -> None:
    """Exits by reason (loss or planned release) and where released people went."""
    with _context.engine().connect() as conn:
        stints = all_stints(conn)
    first, last = date_from.date(), date_to.date()
    reasons = [r.as_dict() for r in exits_by_reason(stints, date_from=first, date_to=last)]
    places = released_destinations(stints, date_from=first, date_to=last)
    if fmt == "json":
        echo_json({"reasons": reasons, "destinations": places})
    else:
        echo_table(reasons)
        echo_table(places)


@people.command("warning")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Day of the list (default: today).")
@click.option("--team", "teams", multiple=True, help="Only agents of this team (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_warning(as_of: dt.datetime | None, teams: tuple[str, ...], fmt: str) -> None:
    """Early warning: a Cox model of tenure on signals of the last 90 days; agents by relative risk, with reasons.

    For managers and the agents' own leads only: never show it to peers.
    """
    day = as_of.date() if as_of else _today()
    with _context.engine().connect() as conn:
        report = early_warning(conn, as_of=day, tz=zoneinfo.ZoneInfo(_context.settings().site_tz),
                                teams=set(teams) if teams else None)
    if fmt == "json":
        echo_json(report)
        return
    echo_table(report["model"]["coefficients"])
    click.echo(f"concordance {report['model']['concordance']:.3f} on {report['model']['subjects']} stints, "
               f"{report['model']['events']} exits")
    echo_table([{"person": a["person"], "team": a["team"], "tenure_days": a["tenure_days"],
                 "relative_risk": a["relative_risk"],
                 "reasons": ", ".join(r["signal"] for r in a["reasons"][:3] if r["contribution"] > 0)}
                for a in report["agents"]])


@people.command("ramp")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First hire date.")
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last hire date.")
@click.option("--weeks", type=click.IntRange(1, 52), default=13, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_ramp(date_from: dt.datetime, date_to: dt.datetime, weeks: int, fmt: str) -> None:
    """New-hire ramp: AHT, FCR (resolved flag) and QA score by week of tenure, per hire-month cohort."""
    first, last = date_from.date(), date_to.date()
    if last < first:
        raise InvalidInput(f"--to {last} is before --from {first}", field="--to")
    with _context.engine().connect() as conn:
        stints = [s for s in all_stints(conn) if first <= s.hire_on <= last]
        curves = hire_ramp(conn, stints, tz=zoneinfo.ZoneInfo(_context.settings().site_tz), weeks=weeks)
    rows = [p.as_dict() for p in curves]
    echo_json(rows) if fmt == "json" else echo_table(rows)


@people.command("load")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--team", help="Only the people in this team on --to.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_load(date_from: dt.datetime, date_to: dt.datetime, team: str | None, fmt: str) -> None:
    """Emotional load per agent and week: complaint calls, longest streak, recovery taken vs due (at most 92 days)."""
    first, last = date_from.date(), date_to.date()
    with _context.engine().connect() as conn:
        stints = all_stints(conn)
        persons = sorted({s.person for s in stints if s.hire_on <= last and (s.exit_on is None or s.exit_on > first)
                          and (team is None or _team_at_end(s, last) == team)})
        weeks = emotional_load(conn, persons, first=first, last=last,
                               tz=zoneinfo.ZoneInfo(_context.settings().site_tz))
    rows = [w.as_dict() for w in weeks]
    echo_json(rows) if fmt == "json" else echo_table(rows)


def _team_at_end(stint: Stint, last: dt.date) -> str | None:
    """The team on ``last``, or on the stint's last day when it ended before."""
    day = last if stint.exit_on is None or stint.exit_on > last else stint.exit_on - dt.timedelta(days=1)
    spell = stint.spell_on(day)
    return spell.team if spell else None


@people.group("coaching")
def coaching() -> None:
    """Coaching sessions, one-to-ones and recognition (seed 004: QA as help)."""


@coaching.command("add")
@click.argument("agent")
@click.option("--lead", required=True, help="Who held it.")
@click.option("--on", "held_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--kind", type=click.Choice([k.value for k in CoachingKind]), default="coaching", show_default=True)
@click.option("--topic", required=True)
@click.option("--call", "call_ids", multiple=True, type=int, help="A linked call id (repeatable).")
@click.option("--evaluation", "evaluation_keys", multiple=True, help="A linked evaluation key (repeatable).")
@click.option("--actions", default="", help="The agreed actions.")
@click.option("--follow-up", "follow_up", type=click.DateTime(["%Y-%m-%d"]))
def coaching_add(agent: str, lead: str, held_on: dt.datetime, kind: str, topic: str, call_ids: tuple[int, ...],
                 evaluation_keys: tuple[str, ...], actions: str, follow_up: dt.datetime | None) -> None:
    """Record a session with AGENT (audited)."""
    with _context.engine().begin() as conn:
        session_id = add_coaching(conn, agent=agent, lead=lead, held_on=held_on.date(), kind=CoachingKind(kind),
                                 topic=topic, call_ids=call_ids, evaluation_keys=evaluation_keys, actions=actions,
                                 follow_up_on=follow_up.date() if follow_up else None,
                                 actor=f"cli:{getpass.getuser()}", now=dt.datetime.now(dt.UTC))
    click.echo(f"coaching session {session_id} recorded")


@coaching.command("list")
@click.option("--agent")
@click.option("--lead")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def coaching_list(agent: str | None, lead: str | None, fmt: str) -> None:
    """Sessions, newest first."""
    with _context.engine().connect() as conn:
        rows = [s.as_dict() for s in coaching_sessions(conn, agent=agent, lead=lead)]
    echo_json(rows) if fmt == "json" else echo_table(rows)


@people.group("nesting")
def nesting() -> None:
    """Nesting: a new hire's easier skills (which the live router uses) and their buddy, for a span of days."""


@nesting.command("set")
@click.argument("agent")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day after the nesting.")
@click.option("--skill", "skills", multiple=True, required=True,
              help="SKILL=LEVEL (1-10) the agent takes while nesting (repeatable); other skills are not routed.")
@click.option("--buddy", help="The experienced agent they sit with.")
@click.option("--note", default="")
def nesting_set(agent: str, date_from: dt.datetime, date_to: dt.datetime, skills: tuple[str, ...],
                buddy: str | None, note: str) -> None:
    """Set AGENT's nesting from --from up to --to (audited; replaces a plan starting the same day)."""
    plan = NestingPlan(person=agent, starts_on=date_from.date(), ends_on=date_to.date(),
                       skills=parse_skill_levels(",".join(skills)), buddy=buddy or None, note=note)
    with _context.engine().begin() as conn:
        changed = save_nesting_plan(conn, plan, actor=f"cli:{getpass.getuser()}", now=dt.datetime.now(dt.UTC))
    click.echo(f"nesting of {agent} from {plan.starts_on} to {plan.ends_on} " + ("saved" if changed else "unchanged"))


@nesting.command("remove")
@click.argument("agent")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Its first day.")
def nesting_remove(agent: str, date_from: dt.datetime) -> None:
    """Remove AGENT's nesting starting --from (audited)."""
    with _context.engine().begin() as conn:
        remove_nesting_plan(conn, agent, date_from.date(), actor=f"cli:{getpass.getuser()}",
                            now=dt.datetime.now(dt.UTC))
    click.echo(f"nesting of {agent} from {date_from.date()} removed")


@nesting.command("list")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Only the plans active that day.")
@click.option("--agent")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def nesting_list(on: dt.datetime | None, agent: str | None, fmt: str) -> None:
    """Nesting plans by agent and first day."""
    with _context.engine().connect() as conn:
        plans = nesting_plans(conn, person=agent, on=on.date() if on else None)
    rows = [p.as_dict() for p in plans]
    if fmt == "json":
        echo_json(rows)
    else:
        echo_table([{**r, "skills": ", ".join(f"{k}={v}" for k, v in dict(r["skills"]).items())} for r in rows])  # type: ignore[call-overload]


@people.command("ramp-table")
@click.option("--set", "table_text", help="The site's table: WEEK=FRACTION, ... (e.g. 1=0.3,2=0.5,3=0.8).")
@click.option("--clear", is_flag=True, help="Drop the site's table: measured from recent hires, else the default.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_ramp_table(table_text: str | None, clear: bool, fmt: str) -> None:
    """The ramp table staffing counts new hires by: a fraction of an experienced agent per week of tenure."""
    from callops.people.ramp_fraction import parse_ramp_table
    from callops.services.people_staffing import ramp_table, set_ramp_table

    if table_text is not None and clear:
        raise InvalidInput("give --set or --clear, not both", field="--clear")
    actor, now = f"cli:{getpass.getuser()}", dt.datetime.now(dt.UTC)
    with _context.engine().begin() as conn:
        if table_text is not None:
            set_ramp_table(conn, parse_ramp_table(table_text, field="--set"), actor=actor, now=now)
        elif clear:
            set_ramp_table(conn, None, actor=actor, now=now)
        table = ramp_table(conn, today=_today(), tz=zoneinfo.ZoneInfo(_context.settings().site_tz))
    if fmt == "json":
        echo_json(table.as_dict())
    else:
        click.echo(f"source: {table.source}" + (f" (experienced AHT {table.reference_aht_s} s)"
                                                 if table.reference_aht_s else ""))
        echo_table([{"week": w, "fraction": f, "measured": w in table.measured_weeks}
                    for w, f in enumerate(table.fractions, 1)])


@people.command("effective")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="The day (default: today).")
@click.option("--queue", help="Only agents with this skill (a staffing plan's queue).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def people_effective(on: dt.datetime | None, queue: str | None, fmt: str) -> None:
    """Effective headcount: active agents, new hires counted by the ramp table's fraction of their tenure week."""
    from callops.services.people_staffing import effective_staff, ramp_table

    day = on.date() if on else _today()
    with _context.engine().connect() as conn:
        table = ramp_table(conn, today=_today(), tz=zoneinfo.ZoneInfo(_context.settings().site_tz))
        staff = effective_staff(conn, on=day, queue=queue, table=table)
    body = {**staff.as_dict(), "ramp_source": table.source}
    if fmt == "json":
        echo_json(body)
    else:
        click.echo(f"{day}: {staff.headcount} agents, {staff.new_hires} new hires, effective {staff.effective} "
                   f"(ramp table: {table.source})")
        echo_table([{"person": p, "week": w, "fraction": f} for p, w, f in staff.people if f < 1])
