"""Asterisk CDR ``Master.csv``: one call per line, no header, quoted strings.

Two column orders are read, detected per file from the first row's shape (where the start time is):

- **cdr_csv** (``cdr/cdr_csv.c``): accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
  lastdata, start, answer, end, duration, billsec, disposition, amaflags, then uniqueid and userfield
  (``loguniqueid`` / ``loguserfield``), then peeraccount, linkedid, sequence (``newcdrcolumns``):
  16, 17, 18 or 21 fields; start is field 10.
- **cdr_custom** (the ``Master.csv`` mapping of ``cdr_custom.conf``): clid, src, dst, dcontext, channel,
  dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
  accountcode, uniqueid, userfield, sequence: 15 to 19 fields; start is field 9.

Times are local clock times ``YYYY-MM-DD HH:MM:SS`` in the ``--tz`` zone (use ``--tz UTC`` for files
written with ``usegmtime=yes``); an empty answer time means not answered.

Direction: ``dcontext`` naming an inbound context (from-trunk, from-pstn, from-external, from-did,
incoming, inbound, ext-queues) → inbound; one naming an outbound context (from-internal, outbound,
outgoing, from-inside, macro-dialout) → outbound; otherwise ``lastapp`` Queue → inbound; otherwise a
short internal ``src`` (≤ 6 digits) calling a long ``dst`` (≥ 7 digits) → outbound; else inbound.

Outcomes: ANSWERED → answered; NO ANSWER → abandoned (inbound) / no_answer (outbound); BUSY → busy
(outbound) / failed (inbound); FAILED and CONGESTION → failed. Talk time is ``billsec``; the queue is
the first argument of ``lastdata`` when ``lastapp`` is Queue; the agent is ``dstchannel`` (inbound) or
``channel`` (outbound) without its channel suffix (``SIP/8007-0000002a`` → ``SIP/8007``). An outbound
call has no queue entry, so its stored start is the answer (or end) time. ``source_call_id`` is uniqueid (plus
``:sequence`` when logged), or channel@start when the file has no uniqueid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from callops.ingest.items import Item, ParseContext, Rejection
from callops.ingest.textfile import csv_rows
from callops.records import Call, Direction, Outcome

__all__ = ["parse", "SOURCE", "CDR_CSV", "CDR_CUSTOM"]

SOURCE = "asterisk-cdr"
CDR_CSV = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
           "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield",
           "peeraccount", "linkedid", "sequence")
CDR_CUSTOM = ("clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start",
              "answer", "end", "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid",
              "userfield", "sequence")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_INBOUND = ("from-trunk", "from-pstn", "from-external", "from-did", "incoming", "inbound", "ext-queues")
_OUTBOUND = ("from-internal", "outbound", "outgoing", "from-inside", "macro-dialout")
_DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Layout:
    name: str
    columns: tuple[str, ...]
    sizes: frozenset[int]


_LAYOUTS = (_Layout("cdr_csv", CDR_CSV, frozenset({16, 17, 18, 21})),
            _Layout("cdr_custom", CDR_CUSTOM, frozenset({15, 16, 17, 18, 19})))


def _detect(row: list[str]) -> _Layout | None:
    for layout in _LAYOUTS:
        start, end = layout.columns.index("start"), layout.columns.index("end")
        if len(row) in layout.sizes and _TIME.fullmatch(row[start].strip()) and _TIME.fullmatch(row[end].strip()):
            return layout
    return None


def _time(value: str, field: str, ctx: ParseContext, *, optional: bool = False) -> dt.datetime | None:
    value = value.strip()
    if not value and optional:
        return None
    if not _TIME.fullmatch(value):
        raise _Bad(field, f"{value!r} is not a time YYYY-MM-DD HH:MM:SS")
    try:
        local = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise _Bad(field, f"{value!r} is not a valid time ({exc})") from exc
    return local.replace(tzinfo=ctx.tz).astimezone(dt.UTC)


def _int(value: str, field: str) -> int:
    value = value.strip()
    if not value.isdigit():
        raise _Bad(field, f"{value!r} is not a whole number of seconds")
    return int(value)


def _direction(get: dict[str, str]) -> Direction:
    context = get["dcontext"].lower()
    if any(word in context for word in _INBOUND):
        return Direction.INBOUND
    if any(word in context for word in _OUTBOUND):
        return Direction.OUTBOUND
    if get["lastapp"].strip().lower() == "queue":
        return Direction.INBOUND
    src, dst = get["src"].strip(), get["dst"].strip().lstrip("+")
    if src.isdigit() and len(src) <= 6 and dst.isdigit() and len(dst) >= 7:
        return Direction.OUTBOUND
    return Direction.INBOUND


def _outcome(disposition: str, direction: Direction) -> Outcome:
    if disposition == "ANSWERED":
        return Outcome.ANSWERED
    inbound = direction is Direction.INBOUND
    if disposition == "NO ANSWER":
        return Outcome.ABANDONED if inbound else Outcome.NO_ANSWER
    if disposition == "BUSY":
        return Outcome.FAILED if inbound else Outcome.BUSY
    return Outcome.FAILED


def _row(row: list[str], layout: _Layout, ctx: ParseContext) -> Call:
    get = dict(zip(layout.columns, row, strict=False))
    disposition = get["disposition"].strip()
    if disposition not in _DISPOSITIONS:
        raise _Bad("disposition", f"{disposition!r} is not one of {', '.join(sorted(_DISPOSITIONS))}")
    start = _time(get["start"], "start", ctx)
    answer = _time(get["answer"], "answer", ctx, optional=True)
    end = _time(get["end"], "end", ctx)
    _int(get["duration"], "duration")
    billsec = _int(get["billsec"], "billsec")
    assert start is not None and end is not None
    if end < start:
        raise _Bad("end", "ends before it starts")
    if disposition == "ANSWERED" and answer is None:
        raise _Bad("answer", "empty for an ANSWERED call")
    direction = _direction(get)
    outcome = _outcome(disposition, direction)
    uniqueid = get.get("uniqueid", "").strip()
    sequence = get.get("sequence", "").strip()
    if uniqueid:
        call_id = f"{uniqueid}:{sequence}" if sequence else uniqueid
    else:
        call_id = f"{get['channel'].strip()}@{get['start'].strip()}"
    queue = None
    if get["lastapp"].strip().lower() == "queue":
        queue = re.split(r"[,|]", get["lastdata"], maxsplit=1)[0].strip() or None
    agent = get["dstchannel" if direction is Direction.INBOUND else "channel"].strip()
    agent = re.sub(r"-[0-9a-fA-F;]+$", "", agent) if agent else ""
    answered = outcome is Outcome.ANSWERED
    return Call(source=SOURCE, source_call_id=call_id, direction=direction, outcome=outcome, queue=queue,
                caller_number=get["src"].strip() or None,
                queue_entered_at=start if direction is Direction.INBOUND else None,
                answered_at=answer if answered else None, ended_at=end,
                agent=(agent or None) if answered else None, talk_s=float(billsec) if answered else 0.0,
                disposition=disposition)


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    layout: _Layout | None = None
    for number, row, error in csv_rows(lines):
        if error is not None:
            yield Rejection(ctx.file, number, None, f"not CSV: {error}")
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if layout is None:
            layout = _detect(row)
            if layout is None:
                yield Rejection(ctx.file, number, None,
                                f"{len(row)} fields and no start/end times in fields 10/12 (cdr_csv) or 9/11 "
                                "(cdr_custom): not a Master.csv line", ",".join(row))
                continue
        if len(row) not in layout.sizes:
            yield Rejection(ctx.file, number, None, f"{len(row)} fields; this file's {layout.name} lines have "
                            f"{'/'.join(str(n) for n in sorted(layout.sizes))}", ",".join(row))
            continue
        try:
            yield _row(row, layout, ctx)
        except _Bad as bad:
            yield Rejection(ctx.file, number, bad.field, bad.reason, ",".join(row))
