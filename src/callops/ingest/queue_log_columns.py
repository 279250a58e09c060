"""Asterisk ``queue_log`` read as columns: the same calls, intervals, skips and errors as the line reader.

The file's lines are split on ``|`` column-wise (``callops.ingest.columnar``). The lines that only count
as skipped (comments, informational and unknown events with a valid epoch; ring events with a valid
duration) are classified and counted column-wise, per distinct event text.

Calls are grouped by ``callid@queue`` column-wise. A group whose lines are, in file order, exactly an
``ENTERQUEUE`` and one end event (``ABANDON``, ``EXITEMPTY``, ``WITHDRAW``, ``EXITWITHTIMEOUT`` or
``EXITWITHKEY`` with its wait field), or an ``ENTERQUEUE``, a ``CONNECT`` and a ``COMPLETECALLER`` /
``COMPLETEAGENT`` / ``TRANSFER`` / ``BLINDTRANSFER`` with its durations, every line well formed with a
whole-second epoch and no ``QUEUESTART`` or sweep point between its first and last line, is a *simple
call*: it is built column-wise, as the line reader would build it. Its ``CONNECT`` and end lines still
pass, in order, through the state machine's agent part (the agent's on-call count, its name resolved
in the order the file shows names), so agent intervals are exactly the line reader's.

The rest (other groups, agent events, ``QUEUESTART``, anything malformed) go in order through the same
state machine as the line reader, ``QueueLogReader``, because a call's state and an agent's state depend
on every earlier event; its subclass here keeps finished calls and intervals as stored rows instead of
records. The periodic sweep of silent calls runs at the same lines as in the line reader. Finished calls
of both kinds are handed on in the order of the line that finished them, as the line reader does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as _compute

from callops.arrow_arrays import bool_array, int_array
from callops.ingest.asterisk_queue_log import (
    _AGENT_EVENTS,
    _CALL_EVENTS,
    _INFO,
    _SWEEP_EVERY,
    SOURCE,
    OpenCall,
    QueueLogReader,
    _at,
)
from callops.ingest.asterisk_queue_log import _LEFT as _LEFT_OUTCOME
from callops.ingest.callers import caller_number
from callops.ingest.columnar import Lines, ascii_trim, field, fields, flags, numbers, text_scalar
from callops.ingest.items import Item, ParseContext, Rows, Skips
from callops.records import AgentState, Direction, Outcome
from callops.store.record_batches import call_rows, interval_rows

# pyarrow-stubs type each compute kernel by overloads that refuse the array kinds used here (large strings,
# struct fields, boolean masks); Arrow checks the arrays at run time.
pc: Any = _compute

__all__ = ["parse_columns"]

_STATE, _PLAIN, _RING = 0, 1, 2  # must go through the state machine / a plain skip / a skip whose data1 is checked
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LAST_EPOCH_S = 32_503_680_000  # as the line reader: before the year 3000
_TELL_EVERY = 50_000  # lines between progress reports
_ROWS_EVERY = 50_000  # finished records kept before they are handed on as rows


def _millis(epoch_s: float) -> int:
    """Epoch milliseconds of the moment the line reader stores for ``epoch_s`` (via a microsecond datetime)."""
    if epoch_s.is_integer():
        return int(epoch_s) * 1000
    return (_at(epoch_s) - _EPOCH) // dt.timedelta(milliseconds=1)


def _wait_s(entered_s: float | None, answered_s: float | None, end_s: float) -> float | None:
    """``Call.wait_s`` of the call the line reader would build."""
    if entered_s is None:
        return 0.0 if answered_s is not None else None
    until = answered_s if answered_s is not None else end_s
    if entered_s.is_integer() and until.is_integer():
        return max(0.0, until - entered_s)
    return max(0.0, (_at(until) - _at(entered_s)).total_seconds())


class _RowReader(QueueLogReader):
    """The line reader's state machine, keeping finished calls and intervals as row fields with their line."""

    def __init__(self, ctx: ParseContext, simple: _SimpleCalls | None = None) -> None:
        super().__init__(ctx)
        self.simple = simple
        self.line = 0  # the line being read (its rows, and the simple calls ended before it, are kept)
        self.call_fields: list[tuple[Any, ...]] = []
        self.call_lines: list[int] = []
        self.interval_fields: list[tuple[Any, ...]] = []
        self.interval_lines: list[int] = []

    def emit_call(self, call: OpenCall, end_s: float, outcome: Outcome, talk_s: float,
                  transfer_target: str | None) -> None:
        entered, answered = call.entered_s, call.answered_s
        queued = _millis(entered) if entered is not None else None
        answered_ms = _millis(answered) if answered is not None else None
        ended = _millis(end_s)
        started = queued if queued is not None else answered_ms if answered_ms is not None else ended
        self.call_fields.append((call.call_id, outcome.value, call.queue, call.caller, started, queued, answered_ms,
                                 ended, _wait_s(entered, answered, end_s), call.agent, talk_s, transfer_target))
        self.call_lines.append(self.line)

    def emit_interval(self, name: str, state: AgentState, reason: str | None, start_s: float, end_s: float) -> None:
        self.interval_fields.append((name, state.value, _millis(start_s), _millis(end_s), reason))
        self.interval_lines.append(self.line)

    def connected(self, now_s: float, logged: str) -> None:
        """A simple call's CONNECT: what the line reader does to its agent (the call is built column-wise)."""
        name = self.agent_name(logged)
        member = self.agents.get(name)
        if member is not None:
            member.calls += 1
            self.settle(name, member, now_s)

    def released(self, now_s: float, logged: str, connected: str) -> None:
        """An answered simple call's end line (the agent that line logs, and the one its CONNECT logged)."""
        self.agent_name(logged)  # names are stored as first met, in line order
        name = self.agent_name(connected)
        member = self.agents.get(name)
        if member is not None and member.calls > 0:
            member.calls -= 1
            self.settle(name, member, now_s)

    def kept(self) -> int:
        """Rows kept and not yet handed on (simple calls ended before the current line included)."""
        simple = 0
        if self.simple is not None:
            simple = int(np.searchsorted(self.simple.ends, self.line, side="left")) - self.simple.done
        return len(self.call_fields) + len(self.interval_fields) + simple

    def rows(self) -> Rows:
        """The rows kept so far, in stored form (and forgotten here), calls in the order of their end line."""
        names = ("source_call_id", "outcome", "queue", "caller_number", "started_at", "queue_entered_at",
                 "answered_at", "ended_at", "wait_s", "agent", "talk_s", "transfer_target")
        count = len(self.call_fields)
        columns: dict[str, Any] = dict(zip(names, zip(*self.call_fields, strict=True), strict=True)) if count else {}
        columns.update(source=[SOURCE] * count, direction=[Direction.INBOUND.value] * count)
        calls = call_rows(columns, count) if count else []
        call_lines = self.call_lines
        if self.simple is not None:
            built, built_lines = self.simple.take(self.line, self.resolved)
            if built and calls:
                merged = np.argsort(np.array(call_lines + built_lines), kind="stable").tolist()
                everything, every_line = calls + built, call_lines + built_lines
                calls, call_lines = [everything[k] for k in merged], [every_line[k] for k in merged]
            elif built:
                calls, call_lines = built, built_lines
        count = len(self.interval_fields)
        kinds = ("agent", "state", "start_at", "end_at", "reason")
        spans: dict[str, Any] = dict(zip(kinds, zip(*self.interval_fields, strict=True), strict=True)) if count else {}
        spans["source"] = [SOURCE] * count
        intervals = interval_rows(spans, count) if count else []
        made = Rows(calls, call_lines, intervals, self.interval_lines)
        self.call_fields, self.call_lines, self.interval_fields, self.interval_lines = [], [], [], []
        return made


def _flags(array: pa.Array[Any]) -> npt.NDArray[np.bool_]:
    return flags(array)


def _ints(array: pa.Array[Any]) -> npt.NDArray[np.int64]:
    return np.asarray(numbers(array), dtype=np.int64)


# a line's part in a simple call (decided per distinct event text)
_NOT_CALL, _ENTER, _CONNECT, _ANSWER, _TRANSFER, _LEFT3, _LEFT4, _OTHER = range(8)
_ROLES = {"ENTERQUEUE": _ENTER, "CONNECT": _CONNECT, "COMPLETECALLER": _ANSWER, "COMPLETEAGENT": _ANSWER,
          "TRANSFER": _TRANSFER, "BLINDTRANSFER": _TRANSFER, "ABANDON": _LEFT3, "EXITEMPTY": _LEFT3,
          "WITHDRAW": _LEFT3, "EXITWITHTIMEOUT": _LEFT3, "EXITWITHKEY": _LEFT4}  # ATTENDEDTRANSFER: _OTHER
_SECONDS = r"^[0-9]{1,9}$"  # a duration field the line reader reads as a whole number (ASCII-trimmed)
_FEED, _CONNECTED, _RELEASED = 1, 2, 3  # what the ordered pass does with a line


@dataclass(frozen=True, slots=True)
class _Events:
    codes: npt.NDArray[np.int64]  # per line, the code of its event text
    kinds: npt.NDArray[np.int8]  # per code: _STATE, _PLAIN or _RING
    reasons: list[str]  # per code: the reason a skip of it is counted under
    roles: npt.NDArray[np.int8]  # per code: its part in a simple call
    outcomes: list[str | None]  # per code: the outcome of a call it ends (simple calls' end events)
    restart: npt.NDArray[np.bool_]  # per code: QUEUESTART


def _event_kinds(raw_events: pa.Array[Any]) -> _Events:
    """Per line, the code of its event text; per code, its kind, the reason a skip of it is counted under and
    its part in a call (decided in Python per distinct text, so whitespace and case are read exactly as the
    line reader does)."""
    encoded = pc.dictionary_encode(pc.fill_null(raw_events, text_scalar("")))
    codes = _ints(encoded.indices)
    size = len(encoded.dictionary)
    kinds = np.zeros(size, dtype=np.int8)
    roles = np.full(size, _NOT_CALL, dtype=np.int8)
    restart = np.zeros(size, dtype=bool)
    reasons: list[str] = []
    outcomes: list[str | None] = []
    for k, text in enumerate(encoded.dictionary.to_pylist()):
        event = text.strip()
        if event == "ENTERQUEUE" or event == "QUEUESTART" or event in _CALL_EVENTS or event in _AGENT_EVENTS:
            kinds[k], reason = _STATE, ""
        elif event in _INFO:
            kinds[k], reason = (_RING if event in {"RINGNOANSWER", "RINGCANCELED"} else _PLAIN), _INFO[event]
        else:
            kinds[k], reason = _PLAIN, f"event {event[:40]!r} is not a queue event callops reads"
        reasons.append(reason)
        if event == "ENTERQUEUE" or event in _CALL_EVENTS:
            roles[k] = _ROLES.get(event, _OTHER)
        restart[k] = event == "QUEUESTART"
        outcome = (_LEFT_OUTCOME[event] if event in _LEFT_OUTCOME else Outcome.ANSWERED if roles[k] == _ANSWER
                   else Outcome.TRANSFERRED if roles[k] == _TRANSFER else None)
        outcomes.append(None if outcome is None else outcome.value)
    return _Events(codes, kinds, reasons, roles, outcomes, restart)


@dataclass(slots=True)
class _SimpleCalls:
    """The simple calls of a file, column-wise, in the order of the line that ends each (0-based ``ends``)."""

    ends: npt.NDArray[np.int64]
    call_ids: pa.Array[Any]
    queues: pa.Array[Any]
    callers: pa.Array[Any]  # the ENTERQUEUE's data2 (null when absent)
    agents: pa.Array[Any]  # the CONNECT's agent as logged (null when the call was not answered)
    entered: npt.NDArray[np.int64]  # epoch seconds
    answered: npt.NDArray[np.int64]  # epoch seconds; -1 when not answered
    ended: npt.NDArray[np.int64]
    talk: npt.NDArray[np.int64]
    outcomes: npt.NDArray[Any]  # stored outcome values
    extens: pa.Array[Any]  # transfers: data1 and data2 of the end line (null elsewhere)
    contexts: pa.Array[Any]
    done: int = 0  # calls handed on so far

    def take(self, upto: int, resolved: Mapping[str, str]) -> tuple[list[tuple[Any, ...]], list[int]]:
        """Stored rows of the calls ended on a line before index ``upto`` not yet taken, with their lines."""
        start, stop = self.done, int(np.searchsorted(self.ends, upto, side="left"))
        self.done = stop
        count = stop - start
        if count <= 0:
            return [], []
        answered = self.answered[start:stop]
        was_answered = answered >= 0
        entered_ms = (self.entered[start:stop] * 1000).tolist()
        answered_ms = [ms if yes else None for ms, yes in zip((answered * 1000).tolist(), was_answered.tolist(),
                                                             strict=True)]
        until = np.where(was_answered, answered, self.ended[start:stop])
        extens, contexts = self.extens.slice(start, count).to_pylist(), self.contexts.slice(start, count).to_pylist()
        columns: dict[str, Any] = {
            "source": [SOURCE] * count, "direction": [Direction.INBOUND.value] * count,
            "source_call_id": self.call_ids.slice(start, count).to_pylist(),
            "outcome": self.outcomes[start:stop].tolist(),
            "queue": self.queues.slice(start, count).to_pylist(),
            "caller_number": [caller_number(v) for v in self.callers.slice(start, count).to_pylist()],
            "started_at": entered_ms, "queue_entered_at": entered_ms, "answered_at": answered_ms,
            "ended_at": (self.ended[start:stop] * 1000).tolist(),
            "wait_s": np.maximum(until - self.entered[start:stop], 0).astype(np.float64).tolist(),
            "agent": [None if a is None else resolved[a] for a in self.agents.slice(start, count).to_pylist()],
            "talk_s": self.talk[start:stop].astype(np.float64).tolist(),
            "transfer_target": [None if e is None or c is None else f"{e.strip()}@{c.strip()}"[:200]
                                for e, c in zip(extens, contexts, strict=True)],
        }
        return call_rows(columns, count), (self.ends[start:stop] + 1).tolist()


def _simple_calls(lines: Lines, events: _Events, candidates: npt.NDArray[np.bool_],
                  barriers: npt.NDArray[np.int64], epoch_s: npt.NDArray[np.float64]
                  ) -> tuple[_SimpleCalls, npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """The file's simple calls (see the module docstring), the CONNECT line of each answered one (in the
    order of their end lines), and every line of theirs."""
    at = np.flatnonzero(candidates)  # lines whose event is ENTERQUEUE or a call event, with the five fields
    if len(at) == 0:
        return None
    split = fields(pc.take(lines.array, int_array(at)), "|")
    keys = pc.binary_join_element_wise(field(split, 1), field(split, 2), text_scalar("@"))
    group = _ints(pc.dictionary_encode(keys).indices)
    order = np.argsort(group, kind="stable")  # each call's lines together, in file order
    sorted_group = group[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_group[1:] != sorted_group[:-1])))
    sizes = np.diff(np.concatenate((starts, [len(order)])))

    role = events.roles[events.codes[at]]
    whole = _flags(pc.match_substring_regex(field(split, 0), r"^[0-9]{1,11}$")) & (epoch_s[at] < _LAST_EPOCH_S)
    digits = {i: _flags(pc.match_substring_regex(ascii_trim(field(split, i)), _SECONDS)) for i in (5, 6, 7, 8)}
    ok = whole & ((role == _ENTER)
                  | ((role == _CONNECT) & digits[5])
                  | ((role == _ANSWER) & digits[5] & digits[6])
                  | ((role == _TRANSFER) & digits[7] & digits[8])
                  | ((role == _LEFT3) & digits[7])
                  | ((role == _LEFT4) & digits[8]))
    sorted_role, sorted_ok, sorted_line = role[order], ok[order], at[order]

    def part(offset: int, chosen: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
        return sorted_role[chosen + offset], sorted_ok[chosen + offset]

    two = starts[sizes == 2]
    (r0, k0), (r1, k1) = part(0, two), part(1, two)
    two = two[(r0 == _ENTER) & ((r1 == _LEFT3) | (r1 == _LEFT4)) & k0 & k1]
    three = starts[sizes == 3]
    (r0, k0), (r1, k1), (r2, k2) = part(0, three), part(1, three), part(2, three)
    three = three[(r0 == _ENTER) & (r1 == _CONNECT) & ((r2 == _ANSWER) | (r2 == _TRANSFER)) & k0 & k1 & k2]

    def unbroken(first: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
        """Those with no restart or sweep point from their first line to their last."""
        lo = np.searchsorted(barriers, sorted_line[first], side="left")
        hi = np.searchsorted(barriers, sorted_line[first + size - 1], side="right")
        kept: npt.NDArray[np.int64] = first[hi == lo]
        return kept

    two, three = unbroken(two, 2), unbroken(three, 3)
    enter = np.concatenate((order[two], order[three]))  # positions in ``at``
    end = np.concatenate((order[two + 1], order[three + 2]))
    connect = np.concatenate((np.full(len(two), -1, dtype=np.int64), order[three + 1]))
    by_end = np.argsort(at[end], kind="stable")
    enter, end, connect = enter[by_end], end[by_end], connect[by_end]
    answered = connect >= 0
    end_role = role[end]
    talk_at = np.where(end_role == _ANSWER, 6, 8)
    talk = np.zeros(len(end), dtype=np.int64)
    for index in (6, 8):
        chosen = np.flatnonzero(answered & (talk_at == index))
        if len(chosen):
            picked = ascii_trim(pc.take(field(split, index), int_array(end[chosen])))
            talk[chosen] = _ints(pc.cast(picked, pa.int64()))
    transfer = end_role == _TRANSFER
    end_lines = at[end]
    calls = _SimpleCalls(
        ends=end_lines, call_ids=pc.take(keys, int_array(enter)), queues=pc.take(field(split, 2), int_array(enter)),
        callers=pc.take(field(split, 6), int_array(enter)),
        agents=pc.take(field(split, 3), int_array(np.where(answered, connect, 0), ~answered)),
        entered=epoch_s[at[enter]].astype(np.int64),
        answered=np.where(answered, epoch_s[at[np.maximum(connect, 0)]].astype(np.int64), -1),
        ended=epoch_s[end_lines].astype(np.int64), talk=talk,
        outcomes=np.array(events.outcomes, dtype=object)[events.codes[end_lines]],
        extens=pc.take(field(split, 5), int_array(end, ~transfer)),
        contexts=pc.take(field(split, 6), int_array(end, ~transfer)))
    connects = at[connect[answered]]
    return calls, connects, np.concatenate((at[enter], connects, end_lines))


def parse_columns(lines: Lines, ctx: ParseContext) -> Iterator[Item | Rows | Skips]:
    """The columnar form of ``asterisk_queue_log.parse``."""
    # epoch, event and data1 of every line with at least the five fixed fields (null for shorter lines)
    parts = pc.extract_regex(lines.array, r"^(?P<epoch>[^|]*)\|[^|]*\|[^|]*\|[^|]*\|(?P<event>[^|]*)"
                                          r"(?:\|(?P<data1>[^|]*))?")
    shaped = _flags(pc.is_valid(parts))
    text = ~lines.blank
    comment = _flags(pc.starts_with(lines.array, "#")) & text
    epochs = pc.struct_field(parts, "epoch")
    plain_epoch = _flags(pc.match_substring_regex(epochs, r"^[0-9]{1,11}(\.[0-9]{1,6})?$"))
    epoch_s = np.asarray(numbers(pc.cast(pc.if_else(bool_array(plain_epoch), epochs, text_scalar("0")),
                                         pa.float64())), dtype=np.float64)
    plain_epoch &= epoch_s < _LAST_EPOCH_S
    events = _event_kinds(pc.struct_field(parts, "event"))
    codes = events.codes
    kind = events.kinds[codes]
    ring_ok = _flags(pc.match_substring_regex(ascii_trim(pc.struct_field(parts, "data1")), "^[0-9]+$"))
    del parts, epochs
    fed = np.cumsum(text)  # the line reader's count of lines fed, this one included
    sweep = text & (fed % _SWEEP_EVERY == 0)
    counted = text & ~comment & shaped & plain_epoch & ((kind == _PLAIN) | ((kind == _RING) & ring_ok))
    counted &= ~sweep
    visit = text & ~comment & ~counted
    pa.default_memory_pool().release_unused()

    counted_comments = np.flatnonzero(comment & ~sweep)
    if len(counted_comments):
        yield Skips("comment line", len(counted_comments), int(counted_comments[0]) + 1)
    at = np.flatnonzero(counted)
    found, first, count = np.unique(codes[at], return_index=True, return_counts=True)
    for code, k, n in zip(found.tolist(), first.tolist(), count.tolist(), strict=True):
        yield Skips(events.reasons[code], n, int(at[k]) + 1)

    visit |= comment & sweep
    step = visit.astype(np.int8) * _FEED
    used = text & ~comment & shaped
    barriers = np.flatnonzero((used & events.restart[codes]) | sweep)
    simple = _simple_calls(lines, events, used & (events.roles[codes] != _NOT_CALL), barriers, epoch_s)
    pa.default_memory_pool().release_unused()  # the split lines of the calls are gone: hand their memory back
    partner: dict[int, int] = {}  # end line -> CONNECT line of each answered simple call
    if simple is not None:
        calls, connects, every = simple
        answered_ends = calls.ends[calls.answered >= 0]
        step[every] = 0
        step[connects] = _CONNECTED
        step[answered_ends] = _RELEASED
        partner = dict(zip(answered_ends.tolist(), connects.tolist(), strict=True))
    reader = _RowReader(ctx, simple[0] if simple is not None else None)
    del simple
    texts = lines.texts
    fed_before = (fed - 1).tolist()
    told = 0
    todo = np.flatnonzero(step)
    for n, (i, what) in enumerate(zip(todo.tolist(), step[todo].tolist(), strict=True)):
        if ctx.progress is not None and i - told >= _TELL_EVERY:
            told = i
            ctx.progress(i, len(texts))
        reader.line = i + 1
        if what == _FEED:
            reader.fed = fed_before[i]
            produced = reader.feed(i + 1, texts[i])
            if produced:
                yield from produced
        elif what == _CONNECTED:
            reader.connected(float(epoch_s[i]), texts[i].split("|", 4)[3])
        else:
            reader.released(float(epoch_s[i]), texts[i].split("|", 4)[3], texts[partner[i]].split("|", 4)[3])
        if (n & 1023 == 0 or len(reader.call_fields) + len(reader.interval_fields) >= _ROWS_EVERY) \
                and reader.kept() >= _ROWS_EVERY:
            yield reader.rows()  # handed on in pieces: the short and the stored form never both fill memory
    reader.line = len(texts) + 1
    yield reader.rows()
    yield from reader.close()
