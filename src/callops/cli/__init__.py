"""The ``callops`` command-line program: one click group, one module per capability.

Each module in this package defines ``register(group)`` which adds its commands; the group
finds the modules itself, so a capability adds a file here and touches nothing else.
Errors from callops are printed as one line and exit 1.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click

from callops.errors import CallopsError

__all__ = ["main", "cli"]


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CallopsError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="callops")
def cli() -> None:
    """callops: contact-center operations (calls, reports, workforce, simulation, quality)."""


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(cli)


_register_all()


def main() -> None:
    cli()
