"""What CLI commands share: settings from the environment and an engine built from them."""

from __future__ import annotations

import sqlalchemy as sa

from callops.config import Settings
from callops.store import make_engine

__all__ = ["settings", "engine"]


def settings() -> Settings:
    return Settings.from_env()


def engine() -> sa.Engine:
    return make_engine(settings().database_url)
