"""``callops demo load``: a month of real calls and one user per role."""

from __future__ import annotations

import click

from callops.cli import _context
from callops.demo import DEMO_USERS, load_demo


def register(group: click.Group) -> None:
    group.add_command(demo)


@click.group()
def demo() -> None:
    """Demo data (Anonymous Bank call-center data, Technion, January 1999)."""


@demo.command("load")
def demo_load() -> None:
    """Import the demo calls and create the demo users (idempotent); refused when CALLOPS_ENV=production."""
    from callops.errors import PermissionDenied

    if _context.settings().environment == "production":
        raise PermissionDenied("callops demo load creates users with published passwords: it does not run with "
                               "CALLOPS_ENV=production")
    engine = _context.engine(create=True)
    _context.schema_for_writing(engine)
    report = load_demo(engine)
    click.echo(f"demo calls: {report.inserted} inserted, {report.duplicates} already there")
    click.echo("demo logins (user / password / role):")
    for user in DEMO_USERS:
        click.echo(f"  {user.username:8} {user.password:16} {user.role.value}")
