"""``callops tickets``: the service desk's tickets from the command line (import existing ones, list)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from callops.cli import _context
from callops.cli._outbound_input import read_text
from callops.cli._output import echo_json, echo_table


def register(group: click.Group) -> None:
    group.add_command(tickets)


@click.group()
def tickets() -> None:
    """Service-desk tickets: import existing ones, list them (see docs/desk.md)."""


@tickets.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def import_tickets_command(file: Path, as_json: bool) -> None:
    """Import FILE.csv (ticket,phone,category,opened_at,resolved_at,escalated,contacts) as one transaction;
    tickets already stored (same ticket key) are skipped, so re-importing adds nothing."""
    from callops.desk import read_tickets_csv
    from callops.services.desk import import_ticket_rows

    rows = read_tickets_csv(read_text(file), file=str(file))
    with _context.engine().begin() as conn:
        result = import_ticket_rows(conn, rows, file=str(file), now=dt.datetime.now(dt.UTC))
    if as_json:
        echo_json({"inserted": result.inserted, "duplicates": result.duplicates})
    else:
        click.echo(f"inserted {result.inserted}, duplicates {result.duplicates} (already stored)")


@tickets.command("list")
@click.option("--state", help="Only tickets in this state (new, assigned, in_progress, waiting_customer, "
                              "waiting_department, resolved, closed).")
@click.option("--category", help="Only tickets of this category (inquiry, complaint, suggestion, repair_order, "
                                 "transfer, other).")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_tickets_command(state: str | None, category: str | None, limit: int, as_json: bool) -> None:
    """The newest tickets first, filtered by state and category."""
    from callops.services.desk import TicketFilter, ticket_page

    with _context.engine().connect() as conn:
        page = ticket_page(conn, TicketFilter.from_text(state=state, category=category), limit=limit)
    rows = [t.as_dict() for t in page]
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["id", "ref", "state", "category", "priority", "owner", "opened_at", "contacts",
                          "escalated"])
