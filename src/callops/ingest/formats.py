"""The import formats by name; each is a module with a ``parse(lines, ctx)`` generator."""

from __future__ import annotations

import importlib

from callops.errors import InvalidInput
from callops.ingest.items import Parser

__all__ = ["FORMATS", "parser_for"]

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
