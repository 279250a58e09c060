"""``callops db``: schema migrations."""

from __future__ import annotations

import click

from callops.cli import _context
from callops.store import current_revision, upgrade


def register(group: click.Group) -> None:
    group.add_command(db)


@click.group()
def db() -> None:
    """Database schema (CALLOPS_DATABASE_URL, default sqlite:///callops.db)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the database schema."""
    engine = _context.engine(create=True)
    upgrade(engine, revision)
    click.echo(f"database at revision {current_revision(engine)}")


@db.command("rebuild-aggregates")
def db_rebuild_aggregates() -> None:
    """Recompute the KPI pre-aggregates and each call's gap to the caller's next contact (what FCR reads) from
    the stored calls (one transaction).

    Every write of calls keeps them up to date; run this after changing calls outside callops."""
    from callops.store.contact_gaps import rebuild_gaps
    from callops.store.kpi_aggregates import rebuild

    with _context.engine().begin() as conn:
        gaps = rebuild_gaps(conn)
        counts = rebuild(conn)
    for table, rows in counts.items():
        click.echo(f"{table}: {rows:,} rows")
    click.echo(f"calls.next_contact_gap_ms: {gaps:,} changed")
