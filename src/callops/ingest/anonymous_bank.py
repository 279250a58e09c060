"""The Technion "Anonymous Bank" call-by-call format (Guedj & Mandelbaum, 1999 data).

Tab-separated, one header line, 17 columns::

    vru+line call_id customer_id priority type date vru_entry vru_exit vru_time q_start q_exit
    q_time outcome ser_start ser_exit ser_time server

Clock times carry no date; the row's ``date`` is the day of VRU entry. Every later moment is
placed from the durations (``vru_time``, ``q_time``, ``ser_time``), and the clock times of
queue entry and service start are put on the day that lands them nearest to the moment
before, so calls past midnight roll over. Quirks of the real files that are handled:

- ``type`` holds undocumented values (``AA``) and values with a leading space (`` TT``);
- ``server`` holds a corrupted ``ANO_SERVERT`` (treated, like ``NO_SERVER`` and an empty value, as unknown
  agent); a priority digit outside the documented 0-2 is kept as given;
- zero-length services; calls served without queueing (``q_start`` 0:00:00): offered, wait 0;
- served calls without a service clock (``ser_start`` 0:00:00 and ``ser_time`` 0, 42 rows in January 1999):
  answered when they left the queue (or the VRU), not at a midnight that could be hours away;
- negative ``vru_time`` (VRU exit clocked before entry): the exit is kept at the entry; a negative
  ``q_time`` or ``ser_time`` (not seen yet, same clock fault) counts as 0; each is reported in a notice
  per file naming the lines;
- ``customer_id`` mangled by a spreadsheet (``6.02E+11``): kept as text;
- PHANTOM rows are virtual calls: skipped and counted.

Outcomes: AGENT → answered; HANG after queueing → abandoned; HANG before queueing →
hung up in the IVR (not offered).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as _compute

from callops.arrow_arrays import bool_array, int_array, text_array
from callops.ingest.columnar import Lines, ascii_trim, field, field_counts, fields, flags, text_scalar
from callops.ingest.columnar import numbers as arrow_numbers
from callops.ingest.items import Item, Notice, ParseContext, Rejection, Rows, Skip, Skips
from callops.records import Call, Direction, Outcome
from callops.store.record_batches import call_rows, row_of_call

# pyarrow-stubs type each compute kernel by overloads that refuse the array kinds used here (large strings,
# struct fields, boolean masks); Arrow checks the arrays at run time.
pc: Any = _compute

__all__ = ["parse", "parse_columns", "SOURCE", "COLUMNS"]

_SIGNED = {"vru_time": 8, "q_time": 11, "ser_time": 15}  # durations a clock fault can make negative
_SIGNED_MEANS = {"vru_time": "VRU exit kept at the entry", "q_time": "wait counted as 0",
                 "ser_time": "talk time counted as 0"}

SOURCE = "anonymous-bank"
COLUMNS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
           "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server")
_BUSINESS_LINES = {"PS": "regular", "PE": "regular-english", "IN": "internet", "NE": "stock-exchange",
                   "NW": "prospect", "TT": "callback"}
_NO_AGENT = {"NO_SERVER", "ANO_SERVERT"}
_DAY = 86_400


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


@functools.lru_cache(maxsize=100_000)
def _seconds_of_day(value: str) -> int | None:
    """Seconds after midnight of 'H:MM:SS', or None; cached because a month repeats the same clock times."""
    parts = value.strip().split(":")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit() and parts[2].isdigit()):
        return None
    h, m, s = int(parts[0]), int(parts[1]), int(parts[2])
    if h > 23 or m > 59 or s > 59:
        return None
    return h * 3600 + m * 60 + s


def _clock(value: str, field: str) -> int:
    seconds = _seconds_of_day(value)
    if seconds is None:
        raise _Bad(field, f"{value!r} is not a time of day H:MM:SS")
    return seconds


def _count(value: str, field: str, *, signed: bool = False) -> int:
    value = value.strip()
    digits = value[1:] if signed and value.startswith("-") else value
    if not digits.isdigit():
        raise _Bad(field, f"{value!r} is not a whole number of seconds")
    return int(value)


def _date(value: str) -> dt.date:
    value = value.strip()
    if len(value) != 6 or not value.isdigit():
        raise _Bad("date", f"{value!r} is not a date YYMMDD")
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    try:
        return dt.date(1900 + yy if yy >= 70 else 2000 + yy, mm, dd)
    except ValueError as exc:
        raise _Bad("date", f"{value!r} is not a date YYMMDD ({exc})") from exc


def _nearest(clock_s: int, around_s: int) -> int:
    """``clock_s`` moved by whole days to the instant nearest ``around_s`` (both from the row's midnight)."""
    days = round((around_s - clock_s) / _DAY)
    return clock_s + days * _DAY


def _row(cols: list[str], ctx: ParseContext) -> Call | None:
    outcome = cols[12].strip()
    if outcome not in {"AGENT", "HANG", "PHANTOM"}:
        raise _Bad("outcome", f"{cols[12]!r} is not AGENT, HANG or PHANTOM")
    vru_line = cols[0].strip()
    if not vru_line:
        raise _Bad("vru+line", "empty")
    call_id = cols[1].strip()
    if not call_id.isdigit():
        raise _Bad("call_id", f"{cols[1]!r} is not a number")
    customer = cols[2].strip()  # digits, or a spreadsheet-mangled number like 6.02E+11: kept as given
    if not customer:
        raise _Bad("customer_id", "empty")
    priority = cols[3].strip()
    if not (priority.isdigit() and len(priority) == 1):  # documented 0-2; another digit is kept, not refused
        raise _Bad("priority", f"{cols[3]!r} is not a priority digit (0, 1 or 2)")
    kind = cols[4].strip()
    if not kind:
        raise _Bad("type", "empty")
    day = _date(cols[5])
    entry = _clock(cols[6], "vru_entry")
    _clock(cols[7], "vru_exit")
    vru_s = _count(cols[8], "vru_time", signed=True)
    q_start_clock = _clock(cols[9], "q_start")
    _clock(cols[10], "q_exit")
    q_s = max(0, _count(cols[11], "q_time", signed=True))
    ser_start_clock = _clock(cols[13], "ser_start")
    _clock(cols[14], "ser_exit")
    ser_s = max(0, _count(cols[15], "ser_time", signed=True))
    server = cols[16].strip()  # empty is read like NO_SERVER: the agent is unknown
    if outcome == "PHANTOM":
        return None

    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=ctx.tz).astimezone(dt.UTC)

    def at(seconds: int) -> dt.datetime:
        return midnight + dt.timedelta(seconds=seconds)

    vru_exit = entry + vru_s  # may be before entry: 227 rows have a negative vru_time (clock skew)
    queued = cols[9].strip() != "0:00:00"
    q_start = _nearest(q_start_clock, vru_exit) if queued else None
    q_exit = q_start + q_s if q_start is not None else None
    served = outcome == "AGENT"
    before_service = q_exit if q_exit is not None else vru_exit
    no_service_clock = cols[13].strip() == "0:00:00" and ser_s == 0
    ser_start = (before_service if no_service_clock else _nearest(ser_start_clock, before_service)) if served else None
    if served:
        result = Outcome.ANSWERED
        assert ser_start is not None
        ended = ser_start + ser_s
    elif queued:
        result = Outcome.ABANDONED
        assert q_exit is not None
        ended = q_exit
    else:
        result = Outcome.IVR_HANGUP
        ended = vru_exit
    return Call(
        source=SOURCE, source_call_id=f"{vru_line}-{call_id}", direction=Direction.INBOUND, outcome=result,
        queue=kind, call_type=_BUSINESS_LINES.get(kind, kind), caller_number=None if customer == "0" else customer,
        priority=int(priority), ivr_entered_at=at(entry), ivr_exited_at=at(max(vru_exit, entry)),
        queue_entered_at=at(q_start) if q_start is not None else None,
        answered_at=at(ser_start) if ser_start is not None else None, ended_at=at(ended),
        agent=server if served and server and server not in _NO_AGENT else None,
        talk_s=float(ser_s) if served else 0.0,
    )


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    first = next(lines, None)
    if first is None:
        yield Rejection(ctx.file, 1, None, "the file is empty; expected the Anonymous Bank header")
        return
    header = [h.strip() for h in first[1].split("\t")]
    if header != list(COLUMNS):
        yield Rejection(ctx.file, first[0], None,
                        f"not an Anonymous Bank header; expected the 17 columns {' '.join(COLUMNS)}", first[1])
        return
    negative: dict[str, list[int]] = {name: [] for name in _SIGNED}
    for number, text in lines:
        if not text.strip():
            continue
        cols = text.split("\t")
        if len(cols) != len(COLUMNS):
            yield Rejection(ctx.file, number, None, f"{len(cols)} columns, expected {len(COLUMNS)}", text)
            continue
        try:
            call = _row(cols, ctx)
        except _Bad as bad:
            yield Rejection(ctx.file, number, bad.field, bad.reason, text)
            continue
        for name, index in _SIGNED.items():
            if cols[index].strip().startswith("-"):
                negative[name].append(number)
        yield call if call is not None else Skip(number, "PHANTOM (virtual call)")
    for name, numbers in negative.items():
        if numbers:
            shown = ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "")
            yield Notice(ctx.file, numbers[0], f"{len(numbers)} row(s) with a negative {name} ({_SIGNED_MEANS[name]}): "
                                               f"lines {shown}")


# --- the columnar reader: every row checked and built column-wise; a row the vectorised checks do not
# --- vouch for (a bad field, or text whose whitespace or digits only Python reads) goes through ``_row``,
# --- which names its field exactly as the line reader does.

_CLOCKS = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
_GRAPHIC_ENDS = "^[!-~](.*[!-~])?$"  # starts and ends with a printable ASCII character: ASCII trim == str.strip


def parse_columns(lines: Lines, ctx: ParseContext) -> Iterator[Item | Rows | Skips]:
    """The columnar form of ``parse``: the same calls, skips, notices and rejections from a whole file."""
    header = [h.strip() for h in lines.texts[0].split("\t")] if len(lines) else []
    if header != list(COLUMNS):
        yield Rejection(ctx.file, 1, None, f"not an Anonymous Bank header; expected the 17 columns {' '.join(COLUMNS)}",
                        lines.texts[0] if len(lines) else "")
        return
    split = fields(lines.array.slice(1), "\t")
    width = field_counts(split) == len(COLUMNS)
    blank = lines.blank[1:]
    cols = {name: ascii_trim(field(split, i)) for i, name in enumerate(COLUMNS)}
    fast, built = _columns(cols, width & ~blank, ctx)
    del split, cols  # the fields are in ``built`` now: their Arrow memory goes back before the rows are made
    pa.default_memory_pool().release_unused()
    calls: dict[int, tuple[Any, ...]] = {}
    found: list[Item] = []
    phantom_lines = (np.flatnonzero(fast & (built.pop("phantom") == 1)) + 2).tolist()
    negative = {name: (np.flatnonzero(fast & (built.pop(f"negative_{name}") == 1)) + 2).tolist() for name in _SIGNED}
    for i in np.flatnonzero(~fast & ~blank):
        number, text = int(i) + 2, lines.texts[i + 1]
        cols_i = text.split("\t")
        if len(cols_i) != len(COLUMNS):
            found.append(Rejection(ctx.file, number, None, f"{len(cols_i)} columns, expected {len(COLUMNS)}", text))
            continue
        try:
            call = _row(cols_i, ctx)
        except _Bad as bad:
            found.append(Rejection(ctx.file, number, bad.field, bad.reason, text))
            continue
        for name, index in _SIGNED.items():
            if cols_i[index].strip().startswith("-"):
                negative[name].append(number)
        if call is None:
            phantom_lines.append(number)
        else:
            calls[number] = row_of_call(call)
    made = np.flatnonzero(fast & (built.pop("kept") == 1))
    rows = call_rows(built, len(made))
    for number, row in zip((made + 2).tolist(), rows, strict=True):
        calls[number] = row
    order = sorted(calls)
    yield Rows([calls[n] for n in order], order)
    yield from found
    if phantom_lines:
        yield Skips("PHANTOM (virtual call)", len(phantom_lines), min(phantom_lines))
    for name, numbers in negative.items():
        if numbers:
            numbers.sort()
            shown = ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "")
            yield Notice(ctx.file, int(numbers[0]), f"{len(numbers)} row(s) with a negative {name} "
                                                    f"({_SIGNED_MEANS[name]}): lines {shown}")


def _flags(array: pa.Array[Any]) -> npt.NDArray[np.bool_]:
    return flags(array)


def _ints(array: pa.Array[Any], ok: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """The whole numbers of ``array`` where ``ok`` (checked digits, at most 9 of them), 0 elsewhere."""
    safe = pc.if_else(bool_array(ok), array, text_scalar("0"))
    return np.asarray(arrow_numbers(pc.cast(safe, pa.int64())), dtype=np.int64)


def _clock_columns(array: pa.Array[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(seconds after midnight, valid, is 0:00:00) of trimmed ``H:MM:SS`` clock times, as ``_seconds_of_day``."""
    shaped = _flags(pc.match_substring_regex(array, "^[0-9]{1,9}:[0-9]{1,9}:[0-9]{1,9}$"))
    parts = fields(pc.if_else(bool_array(shaped), array, text_scalar("0:0:0")), ":")
    h, m, s = (_ints(field(parts, k), shaped) for k in range(3))
    valid = shaped & (h <= 23) & (m <= 59) & (s <= 59)
    return h * 3600 + m * 60 + s, valid, _flags(pc.equal(array, text_scalar("0:00:00")))


def _columns(cols: dict[str, pa.Array[Any]], candidate: npt.NDArray[np.bool_], ctx: ParseContext,
             ) -> tuple[npt.NDArray[np.bool_], dict[str, Any]]:
    """Which rows the vectorised checks vouch for, and their stored columns (plus flags popped by the caller)."""
    ok = candidate.copy()
    outcome = cols["outcome"]
    ok &= _flags(pc.is_in(outcome, text_array(["AGENT", "HANG", "PHANTOM"])))
    for name in ("vru+line", "customer_id", "type"):
        ok &= _flags(pc.match_substring_regex(cols[name], _GRAPHIC_ENDS))
    ok &= _flags(pc.match_substring_regex(cols["call_id"], "^[0-9]+$"))
    ok &= _flags(pc.match_substring_regex(cols["priority"], "^[0-9]$"))
    server = cols["server"]
    ok &= _flags(pc.or_(pc.equal(server, text_scalar("")), pc.match_substring_regex(server, _GRAPHIC_ENDS)))
    clocks = {}
    for name in _CLOCKS:
        seconds, valid, zero = _clock_columns(cols[name])
        ok &= valid
        clocks[name] = (seconds, zero)
    durations = {}
    for name in _SIGNED:
        shaped = _flags(pc.match_substring_regex(cols[name], "^-?[0-9]{1,9}$"))
        ok &= shaped
        durations[name] = _ints(cols[name], shaped)
    midnight_s = np.zeros(len(ok), dtype=np.int64)
    dates = pc.dictionary_encode(pc.fill_null(cols["date"], text_scalar("")))
    codes = np.asarray(arrow_numbers(dates.indices), dtype=np.int64)
    known = np.zeros(len(dates.dictionary), dtype=bool)
    at_midnight = np.zeros(len(dates.dictionary), dtype=np.int64)
    for k, value in enumerate(dates.dictionary.to_pylist()):
        try:
            day = _date(value)
        except _Bad:
            continue
        known[k] = True
        at_midnight[k] = int(dt.datetime(day.year, day.month, day.day, tzinfo=ctx.tz).timestamp())
    ok &= known[codes]
    midnight_s = at_midnight[codes]

    entry, _ = clocks["vru_entry"]
    q_clock, q_zero = clocks["q_start"]
    ser_clock, ser_zero = clocks["ser_start"]
    vru_s = durations["vru_time"]
    q_s = np.maximum(durations["q_time"], 0)
    ser_s = np.maximum(durations["ser_time"], 0)
    outcomes = np.array(pc.fill_null(outcome, text_scalar("")).to_pylist(), dtype=object)
    served = outcomes == "AGENT"
    phantom = outcomes == "PHANTOM"
    queued = ~q_zero
    vru_exit = entry + vru_s
    q_start = _nearest_columns(q_clock, vru_exit)
    q_exit = q_start + q_s
    before_service = np.where(queued, q_exit, vru_exit)
    ser_start = np.where(ser_zero & (ser_s == 0), before_service, _nearest_columns(ser_clock, before_service))
    ended = np.where(served, ser_start + ser_s, np.where(queued, q_exit, vru_exit))
    wait = np.where(served, ser_start, q_exit) - q_start

    keep = ok & ~phantom
    take = np.flatnonzero(keep)
    s, q, a = served[take], queued[take], (midnight_s * 1000)[take]
    taken = int_array(take)
    vru_line = pc.take(cols["vru+line"], taken)
    kind: list[str] = pc.take(cols["type"], taken).to_pylist()
    customer = pc.take(cols["customer_id"], taken).to_pylist()
    agent = pc.take(cols["server"], taken).to_pylist()
    ms = {name: (values[take] * 1000 + a) for name, values in
          (("entry", entry), ("ivr_out", np.maximum(vru_exit, entry)), ("q_start", q_start), ("ser_start", ser_start),
           ("ended", ended))}
    served_l, queued_l = s.tolist(), q.tolist()
    entered = ms["entry"].tolist()
    built: dict[str, Any] = {
        "source": [SOURCE] * len(take),
        "source_call_id": pc.binary_join_element_wise(vru_line, pc.take(cols["call_id"], taken),
                                                         text_scalar("-")).to_pylist(),
        "direction": [Direction.INBOUND.value] * len(take),
        "outcome": np.where(s, Outcome.ANSWERED.value,
                            np.where(q, Outcome.ABANDONED.value, Outcome.IVR_HANGUP.value)).tolist(),
        "queue": kind,
        "call_type": [_BUSINESS_LINES.get(k, k) for k in kind],
        "caller_number": [None if c == "0" else c for c in customer],
        "priority": _ints(cols["priority"], ok)[take].tolist(),
        "started_at": entered,
        "ivr_entered_at": entered,
        "ivr_exited_at": ms["ivr_out"].tolist(),
        "queue_entered_at": [v if k else None for v, k in zip(ms["q_start"].tolist(), queued_l, strict=True)],
        "answered_at": [v if k else None for v, k in zip(ms["ser_start"].tolist(), served_l, strict=True)],
        "ended_at": ms["ended"].tolist(),
        "wait_s": [max(0.0, float(w)) if k else (0.0 if v else None)
                   for w, k, v in zip(wait[take].tolist(), queued_l, served_l, strict=True)],
        "agent": [g if v and g and g not in _NO_AGENT else None for g, v in zip(agent, served_l, strict=True)],
        "talk_s": np.where(s, ser_s[take], 0).astype(float).tolist(),
    }
    negatives = {f"negative_{name}": _flags(pc.starts_with(cols[name], "-")).astype(np.int8) for name in _SIGNED}
    return ok, {**built, **negatives, "phantom": phantom.astype(np.int8), "kept": keep.astype(np.int8)}


def _nearest_columns(clock_s: npt.NDArray[np.int64], around_s: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``_nearest`` column-wise (the same float division and round-half-even)."""
    days = np.round((around_s - clock_s) / _DAY).astype(np.int64)
    return clock_s + days * _DAY
