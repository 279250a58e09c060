"""Saved and scheduled reports: the builder's query stored with a schedule, run for the last complete period
and delivered as a file to a folder or by e-mail through an SMTP server.

    callops reports run-due        # from cron or a systemd timer, e.g. every hour

A daily report covers yesterday, a weekly one the last complete ISO week (Monday to Sunday), both in the
report's zone; each period is delivered once (``last_period``), and a failed delivery is retried on the
next run. A report runs with its owner's rights: a team lead's covers their teams' agents only, and a
report whose owner can no longer see reports is not sent.

Delivery is configured in the environment (never in the database):

    CALLOPS_REPORTS_DIR     folder for delivery "folder" (created when missing)
    CALLOPS_SMTP_HOST       SMTP server for delivery "email"; CALLOPS_SMTP_PORT (25),
    CALLOPS_SMTP_FROM       sender address; CALLOPS_SMTP_USER / CALLOPS_SMTP_PASSWORD (optional login),
    CALLOPS_SMTP_STARTTLS   1 to upgrade the connection with STARTTLS before logging in
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa

from callops.errors import CallopsError, InvalidInput
from callops.metrics import Grain, kpi_request_from_text
from callops.permissions import Permission, allowed
from callops.records import Role
from callops.services.queue_service_level import kpi_report_at_queue_thresholds, queue_thresholds
from callops.services.spreadsheet_export import kpi_columns, kpi_label, table_csv, table_xlsx
from callops.store.directory import led_agents
from callops.store.kpi_query import kpi_report
from callops.store.queue_targets import queue_targets
from callops.store.saved_reports import SavedReport, list_saved_reports, mark_delivered, mark_failed
from callops.store.users import find_user

__all__ = ["DELIVERIES", "FILE_FORMATS", "SCHEDULES", "DeliverySettings", "RunOutcome", "check_recipients",
           "due_period", "render_report", "run_due"]

SCHEDULES = ("none", "daily", "weekly")
DELIVERIES = ("none", "folder", "email")
FILE_FORMATS = ("csv", "csv-gb18030", "xlsx")
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
_MAX_RECIPIENTS = 20

Translate = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    reports_dir: Path | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "callops@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliverySettings:
        env = os.environ if environ is None else environ
        port = env.get("CALLOPS_SMTP_PORT", "25")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise InvalidInput(f"{port!r} is not a port number", field="CALLOPS_SMTP_PORT")
        folder = env.get("CALLOPS_REPORTS_DIR")
        return cls(reports_dir=Path(folder) if folder else None, smtp_host=env.get("CALLOPS_SMTP_HOST") or None,
                   smtp_port=int(port), smtp_from=env.get("CALLOPS_SMTP_FROM") or "callops@localhost",
                   smtp_user=env.get("CALLOPS_SMTP_USER") or None, smtp_password=env.get("CALLOPS_SMTP_PASSWORD"),
                   smtp_starttls=env.get("CALLOPS_SMTP_STARTTLS", "") in {"1", "true", "yes"})


def check_recipients(text: str) -> str:
    """Recipients as ``a@x.cn, b@y.com``; a malformed address is an error naming the field."""
    parts = [p.strip() for p in re.split(r"[,;\s]+", text) if p.strip()]
    bad = [p for p in parts if not _EMAIL.fullmatch(p)]
    if bad:
        raise InvalidInput(f"{bad[0]!r} is not an e-mail address", field="recipients")
    if len(parts) > _MAX_RECIPIENTS:
        raise InvalidInput(f"at most {_MAX_RECIPIENTS} recipients", field="recipients")
    return ", ".join(parts)


def due_period(schedule: str, now: dt.datetime, tz: str) -> tuple[dt.date, dt.date, str]:
    """The last complete period of ``schedule`` at ``now`` in zone ``tz``: (first day, last day, label)."""
    today = now.astimezone(zoneinfo.ZoneInfo(tz)).date()
    if schedule == "daily":
        day = today - dt.timedelta(days=1)
        return day, day, day.isoformat()
    if schedule == "weekly":
        monday = today - dt.timedelta(days=today.weekday() + 7)
        year, week, _ = monday.isocalendar()
        return monday, monday + dt.timedelta(days=6), f"{year}-W{week:02d}"
    raise InvalidInput(f"{schedule!r} is not a schedule ({', '.join(SCHEDULES[1:])})", field="schedule")


def _scope(conn: sa.Connection, owner: str) -> frozenset[str] | None:
    """The agents the owner's report may cover (None: all); PermissionError when they may see no reports."""
    user = find_user(conn, owner)
    if not user.active or not allowed(user.role, Permission.VIEW_REPORTS):
        raise PermissionError(f"{owner} may no longer see reports")
    return led_agents(conn, owner) if user.role is Role.TEAM_LEAD else None


def render_report(conn: sa.Connection, report: SavedReport, *, first: dt.date, last: dt.date,
                  t: Translate) -> tuple[str, bytes]:
    """The report over ``first``..``last`` as (file name, bytes): headers in the report's language, every row."""
    p = report.params
    request = kpi_request_from_text(
        start=first.isoformat(), end=last.isoformat(), tz=p.get("tz") or report.tz, site_tz=report.tz,
        grain=p.get("grain", Grain.DAY.value), by=p.get("by"), kpis=p.get("kpis"),
        sl_threshold=float(p.get("sl_threshold", 20)), sl_denominator=p.get("sl_denominator", "offered"),
        short_abandon=float(p.get("short_abandon", 0)), fcr_days=int(p.get("fcr_days", 7)),
        compare_previous=p.get("compare_previous") == "true", scenario=p.get("scenario") or None,
        fcr_min_base=int(p.get("fcr_min_base", 30)))
    scoped = replace(request, agents=_scope(conn, report.owner))
    if "queue" in request.dims and p.get("sl_basis", "queue") == "queue":  # as the builder: each queue's own T
        thresholds = queue_thresholds(queue_targets(conn), request.options.sl_threshold_s)
        found = kpi_report_at_queue_thresholds(conn, scoped, thresholds)
    else:
        found = kpi_report(conn, scoped)
    rows = [r.as_dict() for r in found]
    keys = list(dict.fromkeys(k for row in rows for k in row)) or ["period", *request.dims, *request.kpis]
    columns = kpi_columns(keys, label=lambda key: kpi_label(key, locale=report.locale, t=t),
                          previous=t("reports.previous"), zone=request.tz, seconds=t("reports.unit_seconds"))
    stem = re.sub(r"[^\w.-]+", "_", report.name).strip("_") or f"report-{report.id}"
    stem = f"{stem}-{first.isoformat()}" + ("" if first == last else f"-{last.isoformat()}")
    if report.file_format == "xlsx":
        return f"{stem}.xlsx", table_xlsx(rows, columns, sheet="kpi")
    encoding = "gb18030" if report.file_format == "csv-gb18030" else "utf-8-sig"
    return f"{stem}.csv", table_csv(rows, columns, encoding=encoding)


def _deliver(report: SavedReport, name: str, content: bytes, settings: DeliverySettings, *, period: str,
             t: Translate) -> str:
    """Send one file; returns where it went. OSError/smtplib errors propagate to the caller, who records them."""
    if report.delivery == "folder":
        if settings.reports_dir is None:
            raise OSError("CALLOPS_REPORTS_DIR is not set: the folder to deliver reports to")
        settings.reports_dir.mkdir(parents=True, exist_ok=True)
        target = settings.reports_dir / name
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(content)
        partial.replace(target)  # readers never see half a file
        return str(target)
    if report.delivery == "email":
        if settings.smtp_host is None:
            raise OSError("CALLOPS_SMTP_HOST is not set: the SMTP server to send reports through")
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = report.recipients
        message["Subject"] = f"callops: {report.name} ({period})"
        message.set_content(t("reports.mail.body").format(name=report.name, period=period, file=name) + "\n")
        subtype = "vnd.openxmlformats-officedocument.spreadsheetml.sheet" if name.endswith(".xlsx") else "csv"
        message.add_attachment(content, maintype="application" if name.endswith(".xlsx") else "text",
                               subtype=subtype, filename=name)
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
        return f"mail to {report.recipients}"
    raise OSError(f"report {report.name!r} has no delivery")


@dataclass(frozen=True, slots=True)
class RunOutcome:
    report: str
    owner: str
    period: str
    status: str  # sent, failed, skipped (already delivered)
    detail: str


def run_due(engine: sa.Engine, *, now: dt.datetime, settings: DeliverySettings, t_for: Callable[[str], Translate],
            force: bool = False) -> list[RunOutcome]:
    """Run every scheduled report whose last complete period is not delivered yet (``force``: again), each in
    its own transaction, so one failing report never holds back the others."""
    with engine.connect() as conn:
        reports = list_saved_reports(conn, scheduled_only=True)
    outcomes = []
    for report in reports:
        first, last, period = due_period(report.schedule, now, report.tz)
        if report.last_period == period and not force:
            outcomes.append(RunOutcome(report.name, report.owner, period, "skipped", "already delivered"))
            continue
        try:
            with engine.begin() as conn:
                translate = t_for(report.locale)
                name, content = render_report(conn, report, first=first, last=last, t=translate)
                where = _deliver(report, name, content, settings, period=period, t=translate)
                mark_delivered(conn, report.id, period=period, at=now)
            outcomes.append(RunOutcome(report.name, report.owner, period, "sent", where))
        except (OSError, smtplib.SMTPException, PermissionError, CallopsError) as exc:
            with engine.begin() as conn:
                mark_failed(conn, report.id, error=str(exc), at=now)
            outcomes.append(RunOutcome(report.name, report.owner, period, "failed", str(exc)))
    return outcomes
