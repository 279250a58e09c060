"""The import formats by name; each is a module with a ``parse(lines, ctx)`` generator. The formats whose
files are read as columns (``COLUMNAR``) also have a module with ``parse_columns(lines, ctx)``."""

from __future__ import annotations

import importlib

from callops.errors import InvalidInput
from callops.ingest.items import ColumnarParser, Parser

__all__ = ["FORMATS", "COLUMNAR", "COLUMNAR_MAX_BYTES", "parser_for", "columnar_parser_for"]

FORMATS: dict[str, str] = {
    "anonymous-bank": "callops.ingest.anonymous_bank",
    "asterisk-queue-log": "callops.ingest.asterisk_queue_log",
    "asterisk-cdr": "callops.ingest.asterisk_cdr",
    "freeswitch-cc": "callops.ingest.freeswitch_cc",
    "freeswitch-json": "callops.ingest.freeswitch_json",
    "csv": "callops.ingest.mapped_csv",
}


def parser_for(name: str) -> Parser:
    if name not in FORMATS:
        raise InvalidInput(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}", field="--format")
    module = importlib.import_module(FORMATS[name])
    parse: Parser = module.parse
    return parse


COLUMNAR: dict[str, str] = {
    "anonymous-bank": "callops.ingest.anonymous_bank",
    "asterisk-queue-log": "callops.ingest.queue_log_columns",
}


# The largest file (after gunzip) each format reads as columns; a larger one is read line by line. Measured peaks
# (docs/benchmarks.md, "Imports closer to the write floor"): a 68.8 MB queue_log as columns 805 MB, 82.6 MB 922 MB;
# a 68 MB Anonymous Bank file 1,231 MB (its split fields are wider). The caps keep one file's peak under 1 GB.
COLUMNAR_MAX_BYTES: dict[str, int] = {
    "anonymous-bank": 48 << 20,
    "asterisk-queue-log": 80 << 20,
}


def columnar_parser_for(name: str) -> ColumnarParser | None:
    """The format's columnar parser (``parse_columns(lines, ctx)``), or None when its files are read line by line."""
    parser_for(name)
    if name not in COLUMNAR:
        return None
    parse: ColumnarParser = importlib.import_module(COLUMNAR[name]).parse_columns
    return parse
