"""``callops contacts check``: may each member of a contact history be contacted now, and if not, why not;
``callops contacts policy show|set``: the site's stored contact policy.

Without ``--policy`` the check uses the site's stored policy when the database (CALLOPS_DATABASE_URL) has one,
and says so on stderr; otherwise the China default, exactly as without a database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from callops.cli._context import actor, engine
from callops.cli._outbound_input import instant as _instant
from callops.cli._outbound_input import read_text as _read
from callops.cli._outbound_input import site_policy
from callops.cli._output import echo_json, echo_table
from callops.dialer import (
    Channel,
    ContactHistory,
    PolicyError,
    Purpose,
    check_contacts,
    consent_missing,
    load_policy,
    on_dnc,
    read_consent_csv,
    read_dnc_text,
    read_history_csv,
)
from callops.dialer.policy import dump_policy, policy_to_mapping
from callops.errors import InvalidInput
from callops.services.contact_policy import policy_in_force, save_site_policy


def register(group: click.Group) -> None:
    group.add_command(contacts)


@click.group()
def contacts() -> None:
    """Outbound contact policy: consent, do-not-call, calling window, frequency caps, refusals."""


@contacts.command("check")
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Policy YAML (default: the China default, 08:00-21:00, <=5 calls/24 h, <=3/5 min).")
@click.option("--history", "history_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="CSV member,phone,channel,at,outcome,campaign (at ISO with offset).")
@click.option("--at", "at_text", required=True, help="The instant to check, ISO with offset.")
@click.option("--channel", type=click.Choice([c.value for c in Channel]), default="call", show_default=True,
              help="The channel of the contact.")
@click.option("--purpose", type=click.Choice([p.value for p in Purpose]), default="sales", show_default=True,
              help="The purpose of the contact (consent is per channel and purpose).")
@click.option("--campaign", help="The campaign of the contact (refusal cap); default: any campaign counts.")
@click.option("--consent", "consent_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV member,channel,purpose,status,at[,source]; members without records consent.")
@click.option("--dnc", "dnc_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Do-not-call numbers, one per line.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(policy_path: Path | None, history_path: Path, at_text: str, channel: str, purpose: str,
          campaign: str | None, consent_path: Path | None, dnc_path: Path | None, as_json: bool) -> None:
    """For each member in the history: allowed now, or the binding rule and the earliest allowed time."""
    at = _instant(at_text)
    try:
        policy = load_policy(_read(policy_path)) if policy_path else site_policy()
    except PolicyError as exc:
        raise InvalidInput(exc.reason, file=str(policy_path), field=exc.field) from None
    rows = read_history_csv(_read(history_path), file=str(history_path))
    history = ContactHistory.from_rows(rows, default_zone=policy.timezone)
    chan = Channel(channel)
    no_consent = None
    if consent_path:
        records = read_consent_csv(_read(consent_path), file=str(consent_path))
        no_consent = consent_missing(history, records, channel=chan, purpose=Purpose(purpose), at=at)
    dnc = on_dnc(history, read_dnc_text(_read(dnc_path), file=str(dnc_path))) if dnc_path else None
    decisions = check_contacts(history, policy, at, channel=chan, campaign=campaign, no_consent=no_consent,
                               dnc=dnc)
    out = decisions.as_dicts()
    if as_json:
        echo_json(out)
    else:
        echo_table(out, ["member", "allowed", "rule", "next_allowed_at"])


@contacts.group("policy")
def policy_group() -> None:
    """The site's contact policy (used by the member pages, `contacts check` and `campaign plan`)."""


@policy_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (version, saved_by, saved_at, settings).")
def policy_show(as_json: bool) -> None:
    """Print the policy in force as YAML (`policy set` reads it back); the China default when none is saved."""
    with engine().connect() as conn:
        policy, stored = policy_in_force(conn)
    if as_json:
        echo_json({"version": stored.version if stored else None, "saved_by": stored.saved_by if stored else None,
                   "saved_at": stored.saved_at.isoformat() if stored else None,
                   "settings": policy_to_mapping(policy)})
        return
    if stored:
        click.echo(f"# version {stored.version}, saved by {stored.saved_by} at {stored.saved_at.isoformat()}"
                   + (f": {' '.join(stored.note.split())}" if stored.note else ""))
    else:
        click.echo("# no stored policy: the China default applies")
    click.echo(dump_policy(policy), nl=False)


@policy_group.command("set")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="Why the policy changed (kept with the version, at most 200 characters).")
def policy_set(path: Path, note: str) -> None:
    """Validate the policy YAML at PATH and save it as the site's next version (audited)."""
    try:
        policy = load_policy(_read(path))
    except PolicyError as exc:
        raise InvalidInput(exc.reason, file=str(path), field=exc.field) from None
    with engine().begin() as conn:
        saved = save_site_policy(conn, policy_to_mapping(policy), actor=actor(), at=dt.datetime.now(dt.UTC),
                                 note=note)
    click.echo(f"saved the contact policy as version {saved.version}")
