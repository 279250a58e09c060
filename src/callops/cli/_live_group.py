"""The ``callops live`` group, shared by every module that adds a live-floor command.

Command modules are discovered in name order and each calls ``live_group(root)``: the first adds the group,
the others find it on ``root`` and add their commands to it, whatever the order.
"""

from __future__ import annotations

import click

__all__ = ["live_group"]


def live_group(root: click.Group) -> click.Group:
    """The ``live`` group of ``root``, added on first use (a new group per root: roots never share commands)."""
    found = root.commands.get("live")
    if found is None:
        found = click.Group("live", help="The live floor: events as they happen (PBX feeds, the practice floor).")
        root.add_command(found)
    if not isinstance(found, click.Group):
        raise TypeError("the callops command 'live' is not a group")
    return found
