"""Asterisk ``queue_log`` read as columns: the same calls, intervals, skips and errors as the line reader.

The file's lines are split on ``|`` column-wise (``callops.ingest.columnar``). The lines that only count
as skipped (comments, informational and unknown events with a valid epoch; ring events with a valid
duration) are classified and counted column-wise, per distinct event text. The rest (queue and agent
events, ``QUEUESTART``, anything malformed) go in order through the same state machine as the line
reader, ``QueueLogReader``, because a call's state and an agent's state depend on every earlier event;
its subclass here keeps finished calls and intervals as stored rows instead of records. The periodic
sweep of silent calls runs at the same lines as in the line reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as _compute

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
from callops.ingest.columnar import Lines, ascii_trim
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

    def __init__(self, ctx: ParseContext) -> None:
        super().__init__(ctx)
        self.line = 0
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

    def rows(self) -> Rows:
        """The rows kept so far, in stored form (and forgotten here)."""
        names = ("source_call_id", "outcome", "queue", "caller_number", "started_at", "queue_entered_at",
                 "answered_at", "ended_at", "wait_s", "agent", "talk_s", "transfer_target")
        count = len(self.call_fields)
        columns: dict[str, Any] = dict(zip(names, zip(*self.call_fields, strict=True), strict=True)) if count else {}
        columns.update(source=[SOURCE] * count, direction=[Direction.INBOUND.value] * count)
        calls = call_rows(columns, count) if count else []
        count = len(self.interval_fields)
        kinds = ("agent", "state", "start_at", "end_at", "reason")
        spans: dict[str, Any] = dict(zip(kinds, zip(*self.interval_fields, strict=True), strict=True)) if count else {}
        spans["source"] = [SOURCE] * count
        intervals = interval_rows(spans, count) if count else []
        made = Rows(calls, self.call_lines, intervals, self.interval_lines)
        self.call_fields, self.call_lines, self.interval_fields, self.interval_lines = [], [], [], []
        return made


def _flags(array: pa.Array[Any]) -> npt.NDArray[np.bool_]:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _event_kinds(raw_events: pa.Array[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int8], list[str]]:
    """Per line, the code of its event text; per code, its kind and the reason a skip of it is counted under
    (decided in Python per distinct text, so whitespace and case are read exactly as the line reader does)."""
    encoded = pc.dictionary_encode(pc.fill_null(raw_events, ""))
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    kinds = np.zeros(len(encoded.dictionary), dtype=np.int8)
    reasons: list[str] = []
    for k, text in enumerate(encoded.dictionary.to_pylist()):
        event = text.strip()
        if event == "ENTERQUEUE" or event == "QUEUESTART" or event in _CALL_EVENTS or event in _AGENT_EVENTS:
            kinds[k], reason = _STATE, ""
        elif event in _INFO:
            kinds[k], reason = (_RING if event in {"RINGNOANSWER", "RINGCANCELED"} else _PLAIN), _INFO[event]
        else:
            kinds[k], reason = _PLAIN, f"event {event[:40]!r} is not a queue event callops reads"
        reasons.append(reason)
    return codes, kinds, reasons


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
    epoch_s = np.asarray(pc.cast(pc.if_else(pa.array(plain_epoch), epochs, "0"), pa.float64())
                         .to_numpy(zero_copy_only=False), dtype=np.float64)
    plain_epoch &= epoch_s < _LAST_EPOCH_S
    codes, kinds, reasons = _event_kinds(pc.struct_field(parts, "event"))
    kind = kinds[codes]
    ring_ok = _flags(pc.match_substring_regex(ascii_trim(pc.struct_field(parts, "data1")), "^[0-9]+$"))
    del parts, epochs, epoch_s
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
        yield Skips(reasons[code], n, int(at[k]) + 1)

    reader = _RowReader(ctx)
    visit |= comment & sweep
    texts = lines.texts
    fed_before = (fed - 1).tolist()
    told = 0
    for i in np.flatnonzero(visit).tolist():
        if ctx.progress is not None and i - told >= _TELL_EVERY:
            told = i
            ctx.progress(i, len(texts))
        reader.fed = fed_before[i]
        reader.line = i + 1
        produced = reader.feed(i + 1, texts[i])
        if produced:
            yield from produced
        if len(reader.call_fields) + len(reader.interval_fields) >= _ROWS_EVERY:
            yield reader.rows()  # handed on in pieces: the short and the stored form never both fill memory
    yield reader.rows()
    yield from reader.close()
