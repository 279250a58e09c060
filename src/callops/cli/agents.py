"""``callops agents``, ``callops teams``, ``callops queues``: the directory."""

from __future__ import annotations

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.errors import InvalidInput
from callops.records import Agent
from callops.store.directory import agents_from_calls, list_agents, list_queues, save_agent, save_queue, save_team


def register(group: click.Group) -> None:
    group.add_command(agents)
    group.add_command(teams)
    group.add_command(queues)


def _skills(values: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        name, _, level = value.partition(":")
        if not name or not level.isdigit():
            raise InvalidInput(f"{value!r} is not SKILL:LEVEL (e.g. billing:3)", field="--skill")
        out[name] = int(level)
    return out


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
    with _context.engine().begin() as conn:
        save_agent(conn, Agent(agent_id=agent_id, name=name or agent_id, team=team, skills=_skills(skills)))
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
    with _context.engine().begin() as conn:
        save_team(conn, name, lead=lead)
    click.echo(f"team {name} saved")


@click.group()
def queues() -> None:
    """Queues and their service-level thresholds."""


@queues.command("add")
@click.argument("name")
@click.option("--description")
@click.option("--sl-threshold", "sl_threshold_s", type=int, default=20, show_default=True,
              help="Seconds within which an answer counts toward service level.")
def queues_add(name: str, description: str | None, sl_threshold_s: int) -> None:
    """Create or update queue NAME."""
    with _context.engine().begin() as conn:
        save_queue(conn, name, description=description, sl_threshold_s=sl_threshold_s)
    click.echo(f"queue {name} saved")


@queues.command("list")
@click.option("--json", "as_json", is_flag=True)
def queues_list(as_json: bool) -> None:
    """List queues."""
    with _context.engine().connect() as conn:
        rows = [{"name": n, "description": d, "sl_threshold_s": t} for n, d, t in list_queues(conn)]
    echo_json(rows) if as_json else echo_table(rows)
