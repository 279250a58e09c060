"""The ``callops live`` group, shared by every module that adds a live-floor command.

Command modules are discovered in name order and each calls ``live_group(root)``: the first adds the group,
the others find it on ``root`` and add their commands to it, whatever the order.
"""

from __future__ import annotations

import signal
import threading
import zoneinfo
from types import FrameType

import click

from callops.errors import InvalidInput

__all__ = ["live_group", "live_zone", "stop_on_signals"]


def live_group(root: click.Group) -> click.Group:
    """The ``live`` group of ``root``, added on first use (a new group per root: roots never share commands)."""
    found = root.commands.get("live")
    if found is None:
        found = click.Group("live", help="The live floor: events as they happen (PBX feeds, the practice floor).")
        root.add_command(found)
    if not isinstance(found, click.Group):
        raise TypeError("the callops command 'live' is not a group")
    return found


def live_zone(tz: str | None, site_tz: str) -> zoneinfo.ZoneInfo:
    """The zone ``--tz`` names, else the site's; an unknown name is an error naming ``--tz``."""
    try:
        return zoneinfo.ZoneInfo(tz or site_tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}", field="--tz") from exc


def stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM: a long-running live command checks it and stops cleanly."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop
