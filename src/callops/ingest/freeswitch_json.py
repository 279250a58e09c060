"""FreeSWITCH ``mod_json_cdr`` CDRs: one JSON document per call (``<uuid>.cdr.json``), several such files,
or one JSON object per line.

Each document's ``variables`` (URL-encoded when ``encode-values`` is on, the default: decoded here) are
read like a FreeSWITCH CSV row (``freeswitch_cc``): with mod_callcenter's ``cc_*`` variables a queue
call, else a plain call by ``context``; ``caller_id_number``, ``destination_number`` and ``context``
come from the first callflow's ``caller_profile`` when the variables lack them. A document that is
pretty-printed over many lines is named by its first line; a file is read whole up to 64 MiB.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from callops.ingest.freeswitch_cc import SOURCE, call_from_variables
from callops.ingest.items import Item, ParseContext, Rejection, Skip
from callops.records import Call

__all__ = ["parse", "SOURCE"]

_MAX_DOCUMENT = 64 << 20
_PROFILE = ("caller_id_number", "destination_number", "context")


def _variables(document: object) -> dict[str, str] | str:
    if not isinstance(document, dict):
        return "not a JSON object"
    raw = document.get("variables")
    if not isinstance(raw, dict):
        return "no variables object (not a mod_json_cdr document)"
    get = {str(k): unquote(v) if isinstance(v, str) else str(v) for k, v in raw.items()}
    flow: Any = document.get("callflow")
    first = flow[0] if isinstance(flow, list) and flow else flow
    profile = first.get("caller_profile") if isinstance(first, dict) else None
    if isinstance(profile, dict):
        for name in _PROFILE:
            if not get.get(name) and isinstance(profile.get(name), str):
                get[name] = profile[name]
    return get


def _records(number: int, document: object, ctx: ParseContext) -> Iterator[Item]:
    for one in document if isinstance(document, list) else [document]:
        get = _variables(one)
        if isinstance(get, str):
            yield Rejection(ctx.file, number, "variables", get)
            continue
        try:
            result = call_from_variables(get, ctx.tz)
        except ValueError as bad:
            yield Rejection(ctx.file, number, getattr(bad, "field", None), getattr(bad, "reason", str(bad)))
            continue
        yield result if isinstance(result, Call) else Skip(number, result)


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    buffer: list[str] = []
    size = 0
    start = 0
    for number, text in lines:
        if not buffer and not text.strip():
            continue
        if not buffer:
            try:  # one document per line?
                document = json.loads(text)
            except json.JSONDecodeError:
                pass
            else:
                yield from _records(number, document, ctx)
                continue
            start = number
        buffer.append(text)
        size += len(text)
        if size > _MAX_DOCUMENT:
            yield Rejection(ctx.file, start, None, f"a JSON document longer than {_MAX_DOCUMENT >> 20} MiB")
            return
        if text[:1] not in {"}", "]"}:
            continue  # a pretty-printed document ends with a closing brace at the line's start
        try:
            document = json.loads("\n".join(buffer))
        except json.JSONDecodeError:
            continue  # the document goes on
        buffer, size = [], 0
        yield from _records(start, document, ctx)
    if buffer:
        try:
            json.loads("\n".join(buffer))
        except json.JSONDecodeError as exc:
            yield Rejection(ctx.file, start + exc.lineno - 1, None, f"not JSON: {exc.msg}")
