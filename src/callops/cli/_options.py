"""Domain errors shown as the option that carried the value: the rule lives in the domain, the CLI names its flag."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import click

from callops.errors import InvalidInput

__all__ = ["options_named"]


@contextmanager
def options_named(options: Mapping[str, str]) -> Iterator[None]:
    """Inside, an ``InvalidInput`` on a field in ``options`` (field -> ``--flag``) becomes a usage error naming the
    flag (exit 2); any other error passes unchanged."""
    try:
        yield
    except InvalidInput as exc:
        if exc.field is not None and exc.field in options:
            raise click.BadParameter(exc.reason, param_hint=f"'{options[exc.field]}'") from exc
        raise
