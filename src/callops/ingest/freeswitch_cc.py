"""FreeSWITCH mod_callcenter calls: a CDR CSV (e.g. from mod_cdr_csv) with the ``cc_*`` channel variables.

The first line is a header naming the columns; their order is free and unknown columns are ignored.
Read columns (the caller leg's variables set by mod_callcenter):

| column | required | use |
|---|---|---|
| ``cc_member_uuid`` or ``uuid`` | yes (one of) | ``source_call_id`` (``cc_member_uuid`` first) |
| ``cc_queue`` | yes | queue; a row with it empty is not a queue call and is skipped |
| ``cc_queue_joined_epoch`` | yes | queue entry |
| ``cc_queue_answered_epoch`` | no | answer by an agent |
| ``cc_queue_terminated_epoch`` | no | end of an answered call |
| ``cc_queue_canceled_epoch`` | no | the caller left the queue unanswered |
| ``cc_cause`` | no | ``answered`` / ``cancel`` |
| ``cc_cancel_reason`` | no | ``NONE``, ``TIMEOUT``, ``NO_AGENT_TIMEOUT``, ``BREAK_OUT``, ``EXIT_WITH_KEY`` |
| ``cc_agent`` | no | agent |
| ``cc_side`` | no | ``member`` / ``agent``; agent legs are skipped (the member leg holds the call) |
| ``caller_id_number`` | no | caller number |
| ``end_epoch``, ``billsec`` | no | end and talk time when the ``cc_queue_terminated_epoch`` is missing |

Epochs are Unix seconds (UTC): ``--tz`` does not apply. Empty or ``0`` means absent.
Outcomes: answered when ``cc_queue_answered_epoch`` is set (talk = terminated − answered, else
``billsec``); otherwise cancel reason ``TIMEOUT`` / ``NO_AGENT_TIMEOUT`` → timeout, any other reason
(``BREAK_OUT``: the caller hung up, ``EXIT_WITH_KEY``, ``NONE``) → abandoned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from callops.ingest.items import Item, ParseContext, Rejection, Skip
from callops.ingest.textfile import csv_rows, named_rows
from callops.records import Call, Direction, Outcome

__all__ = ["parse", "SOURCE", "COLUMNS", "REQUIRED"]

SOURCE = "freeswitch-cc"
COLUMNS = ("uuid", "cc_member_uuid", "cc_queue", "cc_queue_joined_epoch", "cc_queue_answered_epoch",
           "cc_queue_terminated_epoch", "cc_queue_canceled_epoch", "cc_cause", "cc_cancel_reason", "cc_agent",
           "cc_side", "caller_id_number", "end_epoch", "billsec")
REQUIRED = ("cc_queue", "cc_queue_joined_epoch")
_REASONS = {"NONE", "TIMEOUT", "NO_AGENT_TIMEOUT", "BREAK_OUT", "EXIT_WITH_KEY", ""}


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


def _epoch(get: dict[str, str], field: str, *, required: bool = False) -> int | None:
    value = get.get(field, "").strip()
    if value in {"", "0"}:
        if required:
            raise _Bad(field, "empty")
        return None
    if not value.isdigit() or int(value) >= 32_503_680_000:
        raise _Bad(field, f"{value!r} is not a Unix time in seconds")
    return int(value)


def _at(seconds: int | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def _row(get: dict[str, str]) -> Call | str:
    if get.get("cc_side", "").strip() == "agent":
        return "agent leg (cc_side=agent)"
    queue = get["cc_queue"].strip()
    if not queue:
        return "not a queue call (cc_queue empty)"
    call_id = get.get("cc_member_uuid", "").strip() or get.get("uuid", "").strip()
    if not call_id:
        raise _Bad("cc_member_uuid", "empty, and no uuid")
    joined = _epoch(get, "cc_queue_joined_epoch", required=True)
    answered = _epoch(get, "cc_queue_answered_epoch")
    terminated = _epoch(get, "cc_queue_terminated_epoch")
    canceled = _epoch(get, "cc_queue_canceled_epoch")
    end = _epoch(get, "end_epoch")
    reason = get.get("cc_cancel_reason", "").strip().upper()
    if reason not in _REASONS:
        raise _Bad("cc_cancel_reason", f"{reason!r} is not one of {', '.join(sorted(_REASONS - {''}))}")
    billsec = get.get("billsec", "").strip()
    if billsec and not billsec.isdigit():
        raise _Bad("billsec", f"{billsec!r} is not a whole number of seconds")
    assert joined is not None
    if answered is not None:
        if answered < joined:
            raise _Bad("cc_queue_answered_epoch", "before cc_queue_joined_epoch")
        ended = terminated or end
        talk = float(ended - answered) if ended is not None and ended >= answered else float(billsec or 0)
        outcome = Outcome.ANSWERED
    else:
        ended = canceled or terminated or end
        talk = 0.0
        outcome = Outcome.TIMEOUT if reason in {"TIMEOUT", "NO_AGENT_TIMEOUT"} else Outcome.ABANDONED
    if ended is not None and ended < joined:
        raise _Bad("cc_queue_canceled_epoch" if answered is None else "cc_queue_terminated_epoch",
                   "before cc_queue_joined_epoch")
    return Call(source=SOURCE, source_call_id=call_id, direction=Direction.INBOUND, outcome=outcome, queue=queue,
                caller_number=get.get("caller_id_number", "").strip() or None, queue_entered_at=_at(joined),
                answered_at=_at(answered), ended_at=_at(ended),
                agent=(get.get("cc_agent", "").strip() or None) if answered is not None else None, talk_s=talk)


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    rows = csv_rows(lines)
    first = next(rows, None)
    if first is None:
        yield Rejection(ctx.file, 1, None, "the file is empty; expected a header naming the cc_* columns")
        return
    number, header, error = first
    names = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if error is not None or missing or not {"uuid", "cc_member_uuid"} & set(names):
        need = ", ".join(missing or ["cc_member_uuid or uuid"]) if error is None else error
        yield Rejection(ctx.file, number, None, f"not a mod_callcenter CDR header: missing {need}", ",".join(header))
        return
    for entry in named_rows(rows, names, file=ctx.file):
        if isinstance(entry, Rejection):
            yield entry
            continue
        number, values, raw = entry
        try:
            result = _row(values)
        except _Bad as bad:
            yield Rejection(ctx.file, number, bad.field, bad.reason, raw)
            continue
        yield result if isinstance(result, Call) else Skip(number, result)
