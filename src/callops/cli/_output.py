"""Shared output helpers for CLI commands: JSON for scripts, aligned tables for people."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click

__all__ = ["echo_json", "echo_table"]


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=None, sort_keys=False, default=str))


def echo_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    if not rows:
        click.echo("(no rows)")
        return
    cols = list(columns or rows[0].keys())
    cells = [[_cell(row.get(c)) for c in cols] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(cols)]
    numeric = [all(isinstance(row.get(c), int | float) or row.get(c) is None for row in rows) for c in cols]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    click.echo(line(cols))
    for r in cells:
        click.echo(line(r))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
