"""Input helpers of the outbound commands (contacts, campaign): bounded UTF-8 files, ISO instants and the site's
contact policy in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from callops.cli._context import engine, settings
from callops.dialer.policy import ContactPolicy, china_default
from callops.errors import InvalidInput
from callops.services.contact_policy import policy_in_force
from callops.store.engine import missing_database

__all__ = ["read_text", "instant", "site_policy", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 512 * 1024 * 1024


def read_text(path: Path) -> str:
    """The file's text (UTF-8, a BOM allowed); refused when larger than 512 MiB or not UTF-8."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", file=str(path))
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text ({exc.reason})", file=str(path)) from None


def instant(value: str, *, field: str = "--at") -> dt.datetime:
    """An ISO time with a UTC offset (a plain date is refused: it has no zone)."""
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not an ISO time", field=field) from None
    if at.tzinfo is None:
        raise InvalidInput(f"{value!r} has no UTC offset (write e.g. 2026-03-02T10:00:00+08:00)", field=field)
    return at


def site_policy() -> ContactPolicy:
    """The site's stored policy when the configured database has one (noted on stderr), else the China default
    (also without a database: a command given only files behaves as it always did)."""
    if missing_database(settings().database_url) is not None:
        return china_default()
    with engine().connect() as conn:
        policy, stored = policy_in_force(conn)
    if stored is not None:
        click.echo(f"using the site's contact policy version {stored.version} (saved by {stored.saved_by} "
                   f"at {stored.saved_at.isoformat()}); --policy FILE overrides it", err=True)
    return policy
