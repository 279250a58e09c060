"""``callops users``: accounts and roles."""

from __future__ import annotations

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.records import Role
from callops.store.users import add_user, list_users


def register(group: click.Group) -> None:
    group.add_command(users)


@click.group()
def users() -> None:
    """User accounts and their roles."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--agent", "agent_id", help="Agent id (required for the agent role).")
@click.option("--display-name")
@click.option("--locale", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
@click.option("--tz", help="Display zone for this user (default: the site's).")
def users_add(name: str, role: str, password: str, agent_id: str | None, display_name: str | None,
              locale: str, tz: str | None) -> None:
    """Create user NAME with ROLE."""
    with _context.engine().begin() as conn:
        user = add_user(conn, name, password=password, role=Role(role), agent_id=agent_id,
                        display_name=display_name, locale=locale, tz=tz)
    click.echo(f"user {user.username} ({user.role.value}) created")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """List users."""
    with _context.engine().connect() as conn:
        rows = [{"username": u.username, "role": u.role.value, "agent_id": u.agent_id, "locale": u.locale}
                for u in list_users(conn)]
    echo_json(rows) if as_json else echo_table(rows)


@users.command("unlock")
@click.argument("name")
def users_unlock(name: str) -> None:
    """Lift the sign-in lock of user name NAME (as typed at sign-in) by forgetting its failed attempts."""
    from callops.login_throttle import FailureScope
    from callops.store.login_failures import clear_failures

    with _context.engine().begin() as conn:
        cleared = clear_failures(conn, FailureScope.USER, name)
    click.echo(f"{name}: {cleared} failed sign-in{'s' if cleared != 1 else ''} forgotten"
               + ("" if cleared else " (it was not locked)"))
