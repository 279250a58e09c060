"""The ``callops live`` group: live-floor commands from several modules attach here."""

from __future__ import annotations

import click

__all__ = ["live_group"]


@click.group("live")
def live_group() -> None:
    """The live floor: follow PBX feeds, the practice floor."""
