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


@tickets.command("plan-callbacks")
@click.option("--within-min", type=click.FloatRange(1, 7 * 24 * 60), default=30, show_default=True,
              help="Call an abandoned caller back within this many minutes.")
@click.option("--lookback-h", type=click.FloatRange(0, 7 * 24, min_open=True), default=24, show_default=True,
              help="Missed calls of the last this many hours.")
@click.option("--at", "at_text", help="Plan as of this ISO time with offset (default: now).")
def plan_callbacks_command(within_min: float, lookback_h: float, at_text: str | None) -> None:
    """Callbacks for abandoned calls and IVR callback requests whose callers did not get through since
    (one per number; re-planning adds none twice)."""
    from callops.cli._outbound_input import instant
    from callops.services.desk_callbacks import plan_callbacks

    now = instant(at_text) if at_text else dt.datetime.now(dt.UTC)
    with _context.engine().begin() as conn:
        added = plan_callbacks(conn, now=now, within_min=within_min, lookback_h=lookback_h)
    click.echo(f"planned {added} callbacks")


@tickets.command("callbacks")
@click.option("--overdue", is_flag=True, help="Only callbacks past their due time.")
@click.option("--at", "at_text", help="As of this ISO time with offset (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def callbacks_command(overdue: bool, at_text: str | None, as_json: bool) -> None:
    """Open callbacks, earliest due first (at most 100)."""
    from callops.cli._outbound_input import instant
    from callops.store.desk_callbacks import list_callbacks

    now = instant(at_text) if at_text else dt.datetime.now(dt.UTC)
    with _context.engine().connect() as conn:
        rows = [{"id": c.id, "phone": c.phone, "source": c.source.value, "due_at": c.due_at.isoformat(),
                 "overdue": c.due_at < now, "owner": c.owner, "attempts": c.attempts}
                for c in list_callbacks(conn, due_before=now if overdue else None)]
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["id", "phone", "source", "due_at", "overdue", "owner", "attempts"])


@tickets.command("escalate")
@click.option("--at", "at_text", help="As of this ISO time with offset (default: now).")
def escalate_command(at_text: str | None) -> None:
    """Escalate open complaints past their resolution SLA (team lead, then manager); run it on a schedule."""
    from callops.cli._outbound_input import instant
    from callops.services.desk import escalate_past_due

    now = instant(at_text) if at_text else dt.datetime.now(dt.UTC)
    with _context.engine().begin() as conn:
        raised = escalate_past_due(conn, now=now)
    click.echo(f"escalated {raised} complaints")
