"""``callops reports run-due`` and ``callops reports list``: saved reports delivered on their schedule (for a
cron job or systemd timer; see docs/web.md "Saved and scheduled reports")."""

from __future__ import annotations

import datetime as dt

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table


def register(group: click.Group) -> None:
    group.add_command(reports)


@click.group()
def reports() -> None:
    """Saved and scheduled reports (saved from the report builder)."""


@reports.command("run-due")
@click.option("--force", is_flag=True, help="Deliver the last complete period again even if it was delivered.")
@click.option("--now", "now_text", metavar="ISO-DATETIME",
              help="Run as if it were this moment (with a zone, e.g. 1999-02-01T07:00+02:00); default: now.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per report run.")
def run_due(force: bool, now_text: str | None, as_json: bool) -> None:
    """Deliver each scheduled report whose last complete day (daily) or ISO week (weekly) is not sent yet, to
    CALLOPS_REPORTS_DIR or by e-mail through CALLOPS_SMTP_HOST; exits 1 when any delivery failed."""
    from callops.errors import InvalidInput
    from callops.services.saved_reports import DeliverySettings
    from callops.services.saved_reports import run_due as run
    from callops.web.i18n import load_catalogs

    now = dt.datetime.now(dt.UTC)
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text)
        except ValueError:
            raise InvalidInput(f"{now_text!r} is not an ISO datetime", field="now") from None
        if now.tzinfo is None:
            raise InvalidInput(f"{now_text!r} has no zone: add one, e.g. +08:00", field="now")
    catalogs = load_catalogs()
    outcomes = run(_context.engine(), now=now, settings=DeliverySettings.from_env(), force=force,
                   t_for=catalogs.translator)
    rows = [{"report": o.report, "owner": o.owner, "period": o.period, "status": o.status, "detail": o.detail}
            for o in outcomes]
    if as_json:
        for row in rows:
            echo_json(row)
    else:
        echo_table(rows, ["report", "owner", "period", "status", "detail"])
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)


@reports.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def list_reports(as_json: bool) -> None:
    """Every saved report: owner, schedule, delivery and the last period delivered."""
    from callops.store.saved_reports import list_saved_reports

    with _context.engine().connect() as conn:
        saved = list_saved_reports(conn)
    rows = [{"id": r.id, "owner": r.owner, "name": r.name, "schedule": r.schedule, "delivery": r.delivery,
             "format": r.file_format, "last_period": r.last_period or "", "last_error": r.last_error or ""}
            for r in saved]
    if as_json:
        for row in rows:
            echo_json(row)
    else:
        echo_table(rows)
