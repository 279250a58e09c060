"""What CLI commands share: settings from the environment and an engine built from them."""

from __future__ import annotations

import getpass

import click
import sqlalchemy as sa

from callops.config import Settings
from callops.store import make_engine

__all__ = ["actor", "settings", "engine"]


def settings() -> Settings:
    return Settings.from_env()


def engine() -> sa.Engine:
    """An engine on CALLOPS_DATABASE_URL, disposed when the command finishes."""
    eng = make_engine(settings().database_url)
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
