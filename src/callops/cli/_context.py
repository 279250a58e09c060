"""What CLI commands share: settings from the environment and an engine built from them."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click
import sqlalchemy as sa

from callops.config import DEFAULT_DATABASE_URL, Settings
from callops.errors import InvalidInput
from callops.store import make_engine, upgrade
from callops.store.engine import missing_database

__all__ = ["actor", "settings", "engine", "schema_for_writing"]


def settings() -> Settings:
    return Settings.from_env()


def engine(*, create: bool = False) -> sa.Engine:
    """An engine on CALLOPS_DATABASE_URL, disposed when the command finishes.

    Without ``create`` (commands that read) a missing database is an error saying where callops looked and
    what to run, and nothing is created (SQLite would otherwise make an empty file). With ``create``
    (``db upgrade``, ``import``, ``demo load``) the database is made when it is missing."""
    url = settings().database_url
    if not create:
        problem = missing_database(url)
        if problem is not None:
            raise InvalidInput(f"no callops database: {problem}. {_where(url)} Create one here with "
                               "`callops db upgrade` (then `callops demo load` or `callops import FILE ...`), "
                               "or point CALLOPS_DATABASE_URL at yours, e.g. "
                               "CALLOPS_DATABASE_URL=sqlite:////path/to/callops/callops.db",
                               field="CALLOPS_DATABASE_URL")
    eng = make_engine(url)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(eng.dispose)
    return eng


def actor() -> str:
    """Who the audit log names for a CLI change: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"
def _where(url: str) -> str:
    if "CALLOPS_DATABASE_URL" in os.environ:
        return f"CALLOPS_DATABASE_URL is {sa.make_url(url).render_as_string(hide_password=True)}."
    return (f"CALLOPS_DATABASE_URL is not set, so callops used its default {DEFAULT_DATABASE_URL}: the file "
            f"callops.db in the current folder ({Path.cwd()}).")


def schema_for_writing(eng: sa.Engine) -> None:
    """Give a database that has no callops tables yet its schema (a write command's first run), saying so."""
    if missing_database(eng.url.render_as_string(hide_password=False)) is not None:
        upgrade(eng)
        click.echo(f"created the callops schema in {eng.url.render_as_string(hide_password=True)}", err=True)
