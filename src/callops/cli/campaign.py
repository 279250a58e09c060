"""``callops campaign``: outbound campaigns, their contact lists and attempts, plans and reports.

``plan`` works on a stored campaign, or on files alone (``--contacts`` and ``--history``) without a database;
``journey`` plans the member journeys (first purchase -> repurchase) and ``repurchase`` reports repeat-purchase
sales against first-purchase sales, both on the stored attempts or a history file. Without ``--policy`` the
site's stored contact policy applies when there is one, else the China default.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import numpy as np

from callops.cli._context import engine
from callops.cli._outbound_input import instant as _instant
from callops.cli._outbound_input import read_text as _read
from callops.cli._outbound_input import site_policy
from callops.cli._output import echo_json, echo_table
from callops.csv_rows import CheckedDictReader, checked_rows
from callops.dialer import (
    Channel,
    ContactHistory,
    PolicyError,
    Purpose,
    consent_missing,
    load_policy,
    on_dnc,
    read_consent_csv,
    read_dnc_text,
    read_history_csv,
)
from callops.dialer.contact_list import CONTACT_FIELDS, ContactRow, read_contact_rows
from callops.dialer.history import HistoryRow
from callops.dialer.journeys import DEFAULT_JOURNEY, MAX_DAYS, Journey, JourneyError, load_journey, plan_journeys
from callops.dialer.planner import plan_attempts
from callops.dialer.policy import ContactPolicy
from callops.dialer.repurchase import GOOD_RATIO, Sale, repurchase_ratio
from callops.dialer.retry import parse_retry, retry_gate
from callops.errors import InvalidInput
from callops.store.campaigns import (
    MODES,
    AttemptIn,
    add_consents,
    add_contacts,
    add_dnc,
    campaign_contacts_of,
    consents_for,
    create_campaign,
    dnc_among,
    get_campaign,
    history_for,
    list_campaigns,
    outbound_report,
    purchasers_history,
    record_attempts,
    sales_for_repurchase,
)
from callops.yaml_input import load_yaml

MAX_XLSX_BYTES = 100 * 1024 * 1024
MAX_PLAN_DAYS = 31


def register(group: click.Group) -> None:
    group.add_command(campaign)


@click.group()
def campaign() -> None:
    """Outbound campaigns: create, import contacts and attempts, consent and DNC, plan, report."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@campaign.command("create")
@click.argument("name")
@click.option("--purpose", type=click.Choice([p.value for p in Purpose]), required=True)
@click.option("--mode", type=click.Choice(MODES), default="progressive", show_default=True)
@click.option("--caller-number", required=True, help="The number shown to the called person.")
@click.option("--script", "script_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The agents' script, a text file.")
@click.option("--abandon-cap", type=float, default=0.03, show_default=True)
@click.option("--retry", "retry_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML {outcome: {after_min, max}} over the default retry rules.")
@click.option("--json", "as_json", is_flag=True)
def create(name: str, purpose: str, mode: str, caller_number: str, script_path: Path | None, abandon_cap: float,
           retry_path: Path | None, as_json: bool) -> None:
    """Create campaign NAME."""
    retry = {}
    if retry_path:
        loaded = load_yaml(_read(retry_path), file=str(retry_path)) or {}
        if not isinstance(loaded, dict):
            raise InvalidInput("must be a mapping {outcome: {after_min, max}}", file=str(retry_path))
        retry = loaded
    with engine().begin() as conn:
        made = create_campaign(conn, name=name, purpose=purpose, mode=mode, caller_number=caller_number,
                               script=_read(script_path) if script_path else "", abandon_cap=abandon_cap,
                               retry=retry, now=_now())
    out = {"name": made.name, "purpose": made.purpose.value, "mode": made.mode, "caller_number": made.caller_number,
           "abandon_cap": made.abandon_cap}
    echo_json(out) if as_json else echo_table([out])


@campaign.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    """List campaigns."""
    with engine().connect() as conn:
        rows = [{"name": c.name, "purpose": c.purpose.value, "mode": c.mode, "caller_number": c.caller_number,
                 "abandon_cap": c.abandon_cap} for c in list_campaigns(conn)]
    echo_json(rows) if as_json else echo_table(rows)


def _table(path: Path) -> tuple[list[str], list[Sequence[object]]]:
    """Header and rows of a CSV or the first sheet of an XLSX."""
    if path.suffix.lower() == ".xlsx":
        if path.stat().st_size > MAX_XLSX_BYTES:
            raise InvalidInput("larger than 100 MiB", file=str(path))
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows: list[Sequence[object]] = [list(r) for r in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
        if not rows:
            raise InvalidInput("the first sheet is empty", file=str(path))
        return [str(h or "") for h in rows[0]], rows[1:]
    lines = checked_rows(io.StringIO(_read(path)), file=str(path))
    _, first = next(lines, (1, None))
    if first is None:
        raise InvalidInput("empty file", file=str(path))
    return first, [r for _, r in lines]


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or field.strip() not in CONTACT_FIELDS:
            raise InvalidInput(f"{pair!r} is not FIELD=COLUMN with FIELD one of {', '.join(CONTACT_FIELDS)}",
                               field="--map")
        out[field.strip()] = column.strip()
    return out


def _contacts_from(path: Path, pairs: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[list[ContactRow], int]:
    header, rows = _table(path)
    mapping = _mapping(pairs) or {f: f for f in CONTACT_FIELDS if f in header}
    result = read_contact_rows(header, rows, mapping=mapping, ignore=ignore, file=str(path))
    return list(result.contacts), result.merged


@campaign.command("import")
@click.argument("name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "pairs", multiple=True, help="FIELD=COLUMN (fields member, phone, name, email); "
              "default: columns named like the fields.")
@click.option("--ignore", multiple=True, help="A source column to leave out (else unknown columns are errors).")
@click.option("--json", "as_json", is_flag=True)
def import_(name: str, path: Path, pairs: tuple[str, ...], ignore: tuple[str, ...], as_json: bool) -> None:
    """Import a contact list (CSV or XLSX) into campaign NAME: validated, numbers normalised, duplicates merged."""
    contacts, merged = _contacts_from(path, pairs, ignore)
    with engine().begin() as conn:
        inserted, already = add_contacts(conn, get_campaign(conn, name), contacts)
    out = {"inserted": inserted, "already_listed": already, "merged_duplicates": merged}
    echo_json(out) if as_json else echo_table([out])


@campaign.command("attempts")
@click.argument("name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def attempts(name: str, path: Path, as_json: bool) -> None:
    """Record attempts with their dispositions from a history CSV (member,phone,channel,at,outcome,campaign
    with optional agent,talk_s,wrap_s); rows of other campaigns are refused."""
    text = _read(path)
    extra = _attempt_extras(text, str(path))
    rows = read_history_csv(_strip_columns(text, ("agent", "talk_s", "wrap_s"), file=str(path)), file=str(path))
    for i, r in enumerate(rows):
        if r.campaign != name:
            raise InvalidInput(f"campaign {r.campaign!r} is not {name!r}", file=str(path), line=i + 2,
                               field="campaign")
    items = [AttemptIn(r.member, r.phone, r.channel, r.at, r.outcome, *extra[i]) for i, r in enumerate(rows)]
    with engine().begin() as conn:
        inserted, dup = record_attempts(conn, get_campaign(conn, name), items)
    out = {"inserted": inserted, "duplicates": dup}
    echo_json(out) if as_json else echo_table([out])


def _strip_columns(text: str, columns: tuple[str, ...], *, file: str) -> str:
    reader = CheckedDictReader(text, file=file)
    keep = [c for c in (reader.fieldnames or []) if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, keep, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in reader:
        writer.writerow(row)
    return out.getvalue()


def _attempt_extras(text: str, file: str) -> list[tuple[str | None, float, float]]:
    out: list[tuple[str | None, float, float]] = []
    for line, row in enumerate(CheckedDictReader(text, file=file), start=2):
        values: list[float] = []
        for field in ("talk_s", "wrap_s"):
            raw = (row.get(field) or "0").strip() or "0"
            try:
                value = float(raw)
            except ValueError:
                raise InvalidInput(f"{raw!r} is not a number of seconds", file=file, line=line, field=field) from None
            if not 0 <= value < 86400:
                raise InvalidInput(f"{raw!r} is not 0..86400 seconds", file=file, line=line, field=field)
            values.append(value)
        out.append(((row.get("agent") or "").strip() or None, values[0], values[1]))
    return out


@campaign.command("consent")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def consent(path: Path) -> None:
    """Record consent grants and withdrawals (CSV member,channel,purpose,status,at[,source])."""
    records = read_consent_csv(_read(path), file=str(path))
    with engine().begin() as conn:
        n = add_consents(conn, records)
    click.echo(f"recorded {n} consent records")


@campaign.command("dnc")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="", help="Where the numbers came from.")
def dnc(path: Path, source: str) -> None:
    """Add numbers to the do-not-call list (one per line)."""
    numbers = read_dnc_text(_read(path), file=str(path))
    with engine().begin() as conn:
        n = add_dnc(conn, numbers, now=_now(), source=source or path.name)
    click.echo(f"added {n} numbers ({len(numbers) - n} already listed)")


def _policy(path: Path | None) -> ContactPolicy:
    try:
        return load_policy(_read(path)) if path else site_policy()
    except PolicyError as exc:
        raise InvalidInput(exc.reason, file=str(path), field=exc.field) from None


@campaign.command("plan")
@click.argument("name")
@click.option("--start", "start_text", required=True, help="Plan from this instant (ISO with offset).")
@click.option("--days", type=click.IntRange(1, MAX_PLAN_DAYS), default=1, show_default=True)
@click.option("--attempts-per-hour", type=click.IntRange(1, 1_000_000), required=True,
              help="Calls the campaign's agents can make in an hour.")
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--contacts", "contacts_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Plan from files: the contact list (CSV/XLSX, columns member, phone[, name, email]).")
@click.option("--history", "history_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --contacts: past attempts (member,phone,channel,at,outcome,campaign).")
@click.option("--consent", "consent_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dnc", "dnc_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--purpose", type=click.Choice([p.value for p in Purpose]), default="sales", show_default=True,
              help="With --contacts: the campaign's purpose (a stored campaign has its own).")
@click.option("--json", "as_json", is_flag=True)
def plan(name: str, start_text: str, days: int, attempts_per_hour: int, policy_path: Path | None,
         contacts_path: Path | None, history_path: Path | None, consent_path: Path | None, dnc_path: Path | None,
         purpose: str, as_json: bool) -> None:
    """Plan one call to each contact of campaign NAME over --days, none breaking the contact policy or the
    retry rules, at most --attempts-per-hour an hour; prints the planned attempts."""
    start = _instant(start_text, field="--start")
    policy = _policy(policy_path)
    retry = parse_retry({})
    if contacts_path:
        contacts, _ = _contacts_from(contacts_path, (), ())
        history = read_history_csv(_read(history_path), file=str(history_path)) if history_path else []
        consents = read_consent_csv(_read(consent_path), file=str(consent_path)) if consent_path else []
        dnc_numbers = read_dnc_text(_read(dnc_path), file=str(dnc_path)) if dnc_path else frozenset()
        purpose_value = Purpose(purpose)
    else:
        with engine().connect() as conn:
            stored = get_campaign(conn, name)
            contacts = campaign_contacts_of(conn, stored)
            members = [c.member for c in contacts]
            history = history_for(conn, members)
            consents = consents_for(conn, members)
            dnc_numbers = dnc_among(conn, [c.phone for c in contacts])
            purpose_value = stored.purpose
            try:
                retry = parse_retry(stored.retry)
            except ValueError as exc:
                raise InvalidInput(str(exc), field="retry") from None
    history_cols = _with_list_phones(
        ContactHistory.from_rows(history, default_zone=policy.timezone, extra_members=[c.member for c in contacts]),
        contacts)
    members_mask = np.isin(history_cols.members, np.asarray([c.member for c in contacts], dtype=object))
    no_consent = consent_missing(history_cols, consents, channel=Channel.CALL, purpose=purpose_value, at=start)
    on_list = on_dnc(history_cols, dnc_numbers)
    not_before, done = retry_gate(history_cols, name, retry, now_s=int(start.timestamp()))
    made = plan_attempts(history_cols, policy, members=members_mask, start=start,
                         end=start + dt.timedelta(days=days), attempts_per_slot=max(1, attempts_per_hour // 4),
                         slot_s=900, campaign=name, no_consent=no_consent, dnc=on_list, not_before_s=not_before,
                         done=done)
    out = [{"member": a.member, "phone": a.phone, "planned_at": a.planned_at.isoformat(), "campaign": name}
           for a in made.attempts]
    if made.left_out:
        click.echo("not planned: " + ", ".join(f"{k} {v}" for k, v in sorted(made.left_out.items())), err=True)
    echo_json(out) if as_json else echo_table(out, ["member", "phone", "planned_at"])


def _with_list_phones(history: ContactHistory, contacts: Sequence[ContactRow]) -> ContactHistory:
    """The history with each listed contact's phone and zone taken from the list."""
    phones = {c.member: (c.phone, c.zone) for c in contacts}
    new_phones = history.phones.copy()
    new_zones = history.zones.copy()
    for i, m in enumerate(history.members):
        if str(m) in phones:
            new_phones[i], new_zones[i] = phones[str(m)]
    return ContactHistory(history.members, new_phones, new_zones, history.campaigns, history.member_idx,
                          history.at_s, history.channel, history.outcome, history.campaign_idx)


@campaign.command("report")
@click.argument("name")
@click.option("--start", "start_text", required=True, help="ISO time with offset.")
@click.option("--end", "end_text", required=True, help="ISO time with offset (exclusive).")
@click.option("--json", "as_json", is_flag=True)
def report(name: str, start_text: str, end_text: str, as_json: bool) -> None:
    """Outbound numbers per agent and for the campaign: dials, connects, right-party contacts, successes,
    conversion, refusal rate, talk/wrap, abandon rate with its worst 24 h window."""
    start, end = _instant(start_text, field="--start"), _instant(end_text, field="--end")
    if end <= start or end - start > dt.timedelta(days=366):
        raise InvalidInput("the end must be after the start and within a year of it", field="--end")
    with engine().connect() as conn:
        out = outbound_report(conn, get_campaign(conn, name), start=start, end=end)
    if as_json:
        echo_json(out)
    else:
        echo_table([{"agent": "(campaign)", **{k: v for k, v in out["total"].items()
                                                if k in ("dials", "connects", "right_party_contacts", "successes",
                                                         "conversion", "refusal_rate", "abandon_rate")}},
                    *out["agents"]],
                   ["agent", "dials", "connects", "right_party_contacts", "successes", "conversion", "refusal_rate",
                    "abandon_rate"])


def _period(start_text: str, end_text: str) -> tuple[dt.datetime, dt.datetime]:
    start, end = _instant(start_text, field="--start"), _instant(end_text, field="--end")
    if end <= start or end - start > dt.timedelta(days=366 * 3):
        raise InvalidInput("the end must be after the start and within three years of it", field="--end")
    return start, end


@campaign.command("repurchase")
@click.option("--start", "start_text", required=True, help="ISO time with offset.")
@click.option("--end", "end_text", required=True, help="ISO time with offset (exclusive).")
@click.option("--campaign", "campaign_name", help="Count only this campaign's sales (default: every campaign).")
@click.option("--zone", default="Asia/Shanghai", show_default=True, help="The zone of the months.")
@click.option("--history", "history_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the attempts from this history CSV instead of the database.")
@click.option("--json", "as_json", is_flag=True)
def repurchase(start_text: str, end_text: str, campaign_name: str | None, zone: str, history_path: Path | None,
               as_json: bool) -> None:
    """Repeat-purchase sales : first-purchase sales per campaign and month (a sale is a successful call; a
    member's first ever sale is the first purchase, every later one a repurchase; seed 004's good ratio is 9)."""
    start, end = _period(start_text, end_text)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{zone!r} is not a time zone", field="--zone") from None
    if history_path:
        rows = read_history_csv(_read(history_path), file=str(history_path))
        sales = [Sale(r.member, r.at, r.campaign) for r in rows
                 if r.channel is Channel.CALL and r.outcome.value == "success" and r.at < end]
    else:
        with engine().connect() as conn:
            if campaign_name:
                get_campaign(conn, campaign_name)
            sales = sales_for_repurchase(conn, start=start, end=end, campaign=campaign_name)
    out = {"start": start.isoformat(), "end": end.isoformat(), "zone": zone, "good_ratio": GOOD_RATIO,
           **repurchase_ratio(sales, start=start, end=end, zone=zone, campaign=campaign_name)}
    if as_json:
        echo_json(out)
    else:
        echo_table([*out["rows"], {"campaign": "(all)", "month": "(period)", **out["total"]}],
                   ["campaign", "month", "first", "repeat", "ratio"])


def _journey(path: Path | None) -> Journey:
    if path is None:
        return DEFAULT_JOURNEY
    try:
        return load_journey(_read(path))
    except JourneyError as exc:
        raise InvalidInput(exc.reason, file=str(path), field=exc.field) from None


@campaign.command("journey")
@click.option("--start", "start_text", required=True, help="Plan from this instant (ISO with offset).")
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=30, show_default=True)
@click.option("--journey", "journey_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Journey YAML {name, campaign, touches: [{after, channel, purpose}]} (default: the repurchase "
                   "journey in docs/outbound.md).")
@click.option("--campaign", "stored_campaign", default=None,
              help="Plan with this campaign's stored journey (campaign journeys save) instead of a file.")
@click.option("--calls-per-hour", type=click.IntRange(1, 1_000_000), default=40, show_default=True,
              help="Calls the agents can make in an hour.")
@click.option("--sms-per-hour", type=click.IntRange(1, 10_000_000), default=10_000, show_default=True)
@click.option("--emails-per-hour", type=click.IntRange(1, 10_000_000), default=10_000, show_default=True)
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--history", "history_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Plan from this history CSV instead of the database's attempts.")
@click.option("--consent", "consent_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dnc", "dnc_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-best-time", is_flag=True, help="Call at the earliest allowed time, not the member's best hour.")
@click.option("--json", "as_json", is_flag=True)
def journey(start_text: str, days: int, journey_path: Path | None, stored_campaign: str | None,
            calls_per_hour: int, sms_per_hour: int,
            emails_per_hour: int, policy_path: Path | None, history_path: Path | None, consent_path: Path | None,
            dnc_path: Path | None, no_best_time: bool, as_json: bool) -> None:
    """Plan the member journeys' touches due in the next --days: each member who bought gets the journey's next
    touch when it is due, at a time the contact policy allows (counting every other contact), calls at their best
    hour, within each channel's capacity; prints the planned touches."""
    start = _instant(start_text, field="--start")
    if stored_campaign is not None:
        if journey_path is not None:
            raise InvalidInput("give --journey or --campaign, not both", field="--campaign")
        from callops.services.campaign_journeys import stored_journey

        with engine().connect() as conn:
            stored = stored_journey(conn, stored_campaign)
        if stored is None:
            raise InvalidInput(f"campaign {stored_campaign!r} has no stored journey", field="--campaign")
        plan_of = stored.journey
    else:
        plan_of = _journey(journey_path)
    policy = _policy(policy_path)
    rows: list[HistoryRow]
    if history_path:
        rows = read_history_csv(_read(history_path), file=str(history_path))
        consents = read_consent_csv(_read(consent_path), file=str(consent_path)) if consent_path else []
        numbers = read_dnc_text(_read(dnc_path), file=str(dnc_path)) if dnc_path else frozenset()
    else:
        with engine().connect() as conn:
            rows = purchasers_history(conn)
            members = sorted({r.member for r in rows})
            consents = consents_for(conn, members)
            numbers = dnc_among(conn, [r.phone for r in rows if r.phone])
    made = plan_journeys(rows, plan_of, policy, start=start, days=days, consents=consents, dnc_numbers=numbers,
                         per_hour={Channel.CALL: calls_per_hour, Channel.SMS: sms_per_hour,
                                   Channel.EMAIL: emails_per_hour}, best_time=not no_best_time)
    out = [{"member": t.member, "phone": t.phone, "touch": t.touch + 1, "channel": t.channel.value,
            "purpose": t.purpose.value, "planned_at": t.planned_at.isoformat(), "due_at": t.due_at.isoformat(),
            "campaign": plan_of.campaign} for t in made.touches]
    click.echo(f"members in the journey: {made.members_in_journey}"
               + ("; not planned: " + ", ".join(f"{k} {v}" for k, v in sorted(made.left_out.items()))
                  if made.left_out else ""), err=True)
    echo_json(out) if as_json else echo_table(out, ["member", "touch", "channel", "purpose", "planned_at"])
