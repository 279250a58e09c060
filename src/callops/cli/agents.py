"""``callops agents``, ``callops teams``, ``callops queues``, ``callops sites``: the directory (changes audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.records import Agent
from callops.store.directory import agents_from_calls, list_agents, list_queues


def register(group: click.Group) -> None:
    group.add_command(agents)
    group.add_command(teams)
    group.add_command(queues)
    group.add_command(sites)


@click.group()
def agents() -> None:
    """Agents with teams and skills."""


@agents.command("add")
@click.argument("agent_id")
@click.option("--name", help="Display name (default: the id).")
@click.option("--team")
@click.option("--skill", "skills", multiple=True, help="SKILL:LEVEL, repeatable (levels 1-10).")
def agents_add(agent_id: str, name: str | None, team: str | None, skills: tuple[str, ...]) -> None:
    """Create or update agent AGENT_ID."""
    from callops.services.directory_admin import parse_skills, save_agent_audited

    agent = Agent(agent_id=agent_id, name=name or agent_id, team=team, skills=parse_skills(" ".join(skills)))
    with _context.engine().begin() as conn:
        save_agent_audited(conn, agent,
                           active=True, actor=_context.actor(), at=dt.datetime.now(dt.UTC))
    click.echo(f"agent {agent_id} saved")


@agents.command("sync")
def agents_sync() -> None:
    """Add the agents and queues named in imported calls to the directory."""
    with _context.engine().begin() as conn:
        added = agents_from_calls(conn)
    click.echo(f"{added} agents added")


@agents.command("list")
@click.option("--team")
@click.option("--json", "as_json", is_flag=True)
def agents_list(team: str | None, as_json: bool) -> None:
    """List agents."""
    with _context.engine().connect() as conn:
        rows = [{"agent_id": a.agent_id, "name": a.name, "team": a.team,
                 "skills": ",".join(f"{s}:{lv}" for s, lv in sorted(a.skills.items()))}
                for a in list_agents(conn, team=team)]
    echo_json(rows) if as_json else echo_table(rows)


@click.group()
def teams() -> None:
    """Teams."""


@teams.command("add")
@click.argument("name")
@click.option("--lead", help="User name of the team lead.")
def teams_add(name: str, lead: str | None) -> None:
    """Create team NAME or change its lead."""
    from callops.services.directory_admin import save_team_audited

    with _context.engine().begin() as conn:
        save_team_audited(conn, name, lead=lead, actor=_context.actor(), at=dt.datetime.now(dt.UTC))
    click.echo(f"team {name} saved")


@click.group()
def queues() -> None:
    """Queues, their service-level targets and their site."""


@queues.command("add")
@click.argument("name")
@click.option("--description")
@click.option("--sl-threshold", "sl_threshold_s", type=int,
              help="Seconds within which an answer counts toward service level (new queue: 20).")
@click.option("--sl-target", "sl_target_pct", type=float,
              help="Percent of calls to answer within the threshold (new queue: 80).")
@click.option("--abandon-target", "abandon_target_pct", type=float,
              help="Percent of offered calls abandoned at most (new queue: 5).")
@click.option("--site", help="The site whose zone and holiday calendar the queue follows.")
def queues_add(name: str, description: str | None, sl_threshold_s: int | None, sl_target_pct: float | None,
               abandon_target_pct: float | None, site: str | None) -> None:
    """Create or update queue NAME; options not given keep their stored values."""
    from callops.services.directory_admin import save_queue_audited

    changes: dict[str, Any] = {"sl_threshold_s": sl_threshold_s, "sl_target_pct": sl_target_pct,
                               "abandon_target_pct": abandon_target_pct}
    if description is not None:
        changes["description"] = description
    if site is not None:
        changes["site"] = site
    with _context.engine().begin() as conn:
        save_queue_audited(conn, name, actor=_context.actor(), at=dt.datetime.now(dt.UTC), **changes)
    click.echo(f"queue {name} saved")


@queues.command("list")
@click.option("--json", "as_json", is_flag=True)
def queues_list(as_json: bool) -> None:
    """List queues."""
    with _context.engine().connect() as conn:
        rows = [q.as_dict() for q in list_queues(conn)]
    echo_json(rows) if as_json else echo_table(rows)


@click.group()
def sites() -> None:
    """Sites: a time zone and a holiday calendar for their queues' forecasts."""


@sites.command("add")
@click.argument("name")
@click.option("--tz", required=True, help="IANA time zone, e.g. Asia/Shanghai.")
@click.option("--holidays", default="CN", show_default=True, help="Holiday calendar: CN, US, IL or none.")
def sites_add(name: str, tz: str, holidays: str) -> None:
    """Create site NAME or change its zone and holiday calendar."""
    from callops.services.directory_admin import save_site_audited

    with _context.engine().begin() as conn:
        site = save_site_audited(conn, name, tz=tz, holidays=holidays, actor=_context.actor(),
                                 at=dt.datetime.now(dt.UTC))
    click.echo(f"site {site.name} saved ({site.tz}, holidays {site.holidays or 'none'})")


@sites.command("list")
@click.option("--json", "as_json", is_flag=True)
def sites_list(as_json: bool) -> None:
    """List sites."""
    from callops.services.directory_admin import directory_sites

    with _context.engine().connect() as conn:
        rows = [s.as_dict() for s in directory_sites(conn)]
    echo_json(rows) if as_json else echo_table(rows)
