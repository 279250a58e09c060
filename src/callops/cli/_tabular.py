"""Report rows written as a table, JSON, CSV or XLSX, to stdout or a file."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from callops.cli._output import echo_table
from callops.errors import InvalidInput
from callops.services.report_files import columns_of, rows_to_csv, rows_to_xlsx

__all__ = ["FORMATS", "write_rows"]

FORMATS = ("table", "json", "csv", "xlsx")


def write_rows(rows: Sequence[Mapping[str, object]], *, fmt: str, out: Path | None, sheet: str = "report") -> None:
    """``rows`` in format ``fmt``; XLSX needs ``out`` (it is binary)."""
    if fmt == "xlsx":
        if out is None:
            raise InvalidInput("xlsx is binary: give --out FILE.xlsx", field="out")
        out.write_bytes(rows_to_xlsx(rows, sheet=sheet))
    elif fmt == "table" and out is None:
        echo_table(rows, columns_of(rows))
        return
    else:
        text = json.dumps(list(rows), ensure_ascii=False, default=str) + "\n" if fmt == "json" else rows_to_csv(rows)
        if out is None:
            click.echo(text, nl=False)
            return
        out.write_text(text, encoding="utf-8")
    click.echo(f"{len(rows)} rows written to {out}", err=True)
