"""``callops users``: accounts and roles; disable, enable, reset a password, change a role (each audited)."""

from __future__ import annotations

import datetime as dt

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.records import Role
from callops.store.users import list_users


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
    from callops.services.accounts import create_account

    with _context.engine().begin() as conn:
        user = create_account(conn, name, password=password, role=Role(role), agent_id=agent_id,
                              display_name=display_name, locale=locale, tz=tz, actor=_context.actor(),
                              at=dt.datetime.now(dt.UTC))
    click.echo(f"user {user.username} ({user.role.value}) created")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """List users."""
    with _context.engine().connect() as conn:
        rows = [{"username": u.username, "role": u.role.value, "agent_id": u.agent_id, "locale": u.locale,
                 "active": u.active} for u in list_users(conn)]
    echo_json(rows) if as_json else echo_table(rows)


@users.command("unlock")
@click.argument("name")
def users_unlock(name: str) -> None:
    """Lift the sign-in lock of user name NAME (as typed at sign-in) by forgetting its failed attempts."""
    from callops.services.accounts import unlock

    with _context.engine().begin() as conn:
        cleared = unlock(conn, name, actor=_context.actor(), at=dt.datetime.now(dt.UTC))
    click.echo(f"{name}: {cleared} failed sign-in{'s' if cleared != 1 else ''} forgotten"
               + ("" if cleared else " (it was not locked)"))


@users.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Disable user NAME: their sessions and tokens end now and they cannot sign in."""
    from callops.services.accounts import set_enabled

    with _context.engine().begin() as conn:
        set_enabled(conn, name, False, actor=_context.actor(), at=dt.datetime.now(dt.UTC))
    click.echo(f"user {name} disabled; their sessions and tokens are ended")


@users.command("enable")
@click.argument("name")
def users_enable(name: str) -> None:
    """Enable user NAME again."""
    from callops.services.accounts import set_enabled

    with _context.engine().begin() as conn:
        set_enabled(conn, name, True, actor=_context.actor(), at=dt.datetime.now(dt.UTC))
    click.echo(f"user {name} enabled")


@users.command("passwd")
@click.argument("name")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def users_passwd(name: str, password: str) -> None:
    """Set a new password for user NAME; their sessions and tokens end."""
    from callops.services.accounts import reset_password

    with _context.engine().begin() as conn:
        reset_password(conn, name, password, actor=_context.actor(), at=dt.datetime.now(dt.UTC))
    click.echo(f"password of {name} changed; their sessions and tokens are ended")


@users.command("role")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agent", "agent_id", help="Agent id (for the agent role, when the user has none yet).")
def users_role(name: str, role: str, agent_id: str | None) -> None:
    """Give user NAME another ROLE; their sessions and tokens end."""
    from callops.services.accounts import change_role

    with _context.engine().begin() as conn:
        before = change_role(conn, name, Role(role), actor=_context.actor(), at=dt.datetime.now(dt.UTC),
                             agent_id=agent_id)
    click.echo(f"user {name}: role {before.role.value} -> {role}; their sessions and tokens are ended")
