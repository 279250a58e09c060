"""FreeSWITCH calls from mod_cdr_csv: a CSV with a header, or one of the stock templates without one.

``template`` option (``--template``): ``header`` (default) reads a first line naming the columns (order
free, unknown columns ignored); ``example`` and ``snom`` read mod_cdr_csv's stock templates of those
names, which write no header: caller_id_name, caller_id_number, destination_number, context,
start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode,
read_codec, write_codec (``snom`` adds sip_user_agent, call_clientcode, sip_rtp_rxstat, sip_rtp_txstat,
sofia_record_file).

A row whose ``cc_queue`` is set is a mod_callcenter queue call, read from the caller leg's variables:

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

A row without ``cc_queue`` (every row of the stock templates) is a plain call: ``context`` ``public``
(FreeSWITCH's context for calls from outside) → inbound, answered when ``answer_stamp`` (or
``answer_epoch``) is set (the channel answered: no queue or agent is known), else abandoned; another
context dialling a number of 7 or more digits → outbound with the caller id number as agent, outcome
by ``hangup_cause`` (USER_BUSY → busy, NO_ANSWER / NO_USER_RESPONSE / ORIGINATOR_CANCEL → no_answer,
others failed when unanswered); anything else is an internal call, skipped with the reason. Stamps are
local clock times in ``--tz``. A b-leg row (its uuid is an earlier row's ``bleg_uuid``) is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from callops.errors import InvalidInput
from callops.ingest.callers import caller_number
from callops.ingest.items import Item, ParseContext, Rejection, Skip
from callops.ingest.textfile import csv_rows, named_rows
from callops.records import Call, Direction, Outcome

__all__ = ["parse", "SOURCE", "COLUMNS", "REQUIRED", "TEMPLATES", "call_from_variables"]

SOURCE = "freeswitch-cc"
COLUMNS = ("uuid", "cc_member_uuid", "cc_queue", "cc_queue_joined_epoch", "cc_queue_answered_epoch",
           "cc_queue_terminated_epoch", "cc_queue_canceled_epoch", "cc_cause", "cc_cancel_reason", "cc_agent",
           "cc_side", "caller_id_number", "end_epoch", "billsec")
REQUIRED = ("cc_queue", "cc_queue_joined_epoch")
_EXAMPLE = ("caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp", "answer_stamp",
            "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid", "accountcode", "read_codec",
            "write_codec")
TEMPLATES: dict[str, tuple[str, ...]] = {
    "example": _EXAMPLE,
    "snom": (*_EXAMPLE, "sip_user_agent", "call_clientcode", "sip_rtp_rxstat", "sip_rtp_txstat", "sofia_record_file"),
}
_STAMP = "%Y-%m-%d %H:%M:%S"
_NO_ANSWER_CAUSES = {"NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL"}
_REASONS = {"NONE", "TIMEOUT", "NO_AGENT_TIMEOUT", "BREAK_OUT", "EXIT_WITH_KEY", ""}


class _Bad(ValueError):
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


def _moment(get: dict[str, str], name: str, tz: dt.tzinfo) -> dt.datetime | None:
    """``NAME_epoch`` (UTC seconds) or ``NAME_stamp`` (local clock time), None when neither is set."""
    epoch = _epoch(get, f"{name}_epoch")
    if epoch is not None:
        return _at(epoch)
    stamp = get.get(f"{name}_stamp", "").strip()
    if not stamp:
        return None
    try:
        return dt.datetime.strptime(stamp[:19], _STAMP).replace(tzinfo=tz).astimezone(dt.UTC)
    except ValueError:
        raise _Bad(f"{name}_stamp", f"{stamp!r} is not a time YYYY-MM-DD HH:MM:SS") from None


def _plain(get: dict[str, str], tz: dt.tzinfo) -> Call | str:
    """A call without mod_callcenter variables (the stock templates): see the module docstring."""
    context = get.get("context", "").strip()
    dialled = get.get("destination_number", "").strip().lstrip("+")
    start, answer, end = _moment(get, "start", tz), _moment(get, "answer", tz), _moment(get, "end", tz)
    if start is None and end is None:
        return "no queue (cc_queue empty) and no start or end time"
    if context == "public":
        direction = Direction.INBOUND
    elif dialled.isdigit() and len(dialled) >= 7:
        direction = Direction.OUTBOUND
    else:
        return f"not a customer call: context {context or '(none)'!r}, internal destination"
    call_id = get.get("uuid", "").strip()
    if not call_id:
        raise _Bad("uuid", "empty")
    billsec = get.get("billsec", "").strip() or "0"
    if not billsec.isdigit():
        raise _Bad("billsec", f"{billsec!r} is not a whole number of seconds")
    cause = get.get("hangup_cause", "").strip().upper()
    inbound = direction is Direction.INBOUND
    if answer is not None:
        outcome = Outcome.ANSWERED
    elif inbound:
        outcome = Outcome.ABANDONED
    else:
        outcome = (Outcome.BUSY if cause == "USER_BUSY" else
                   Outcome.NO_ANSWER if cause in _NO_ANSWER_CAUSES else Outcome.FAILED)
    number = get.get("caller_id_number", "").strip()
    return Call(source=SOURCE, source_call_id=call_id, direction=direction, outcome=outcome,
                caller_number=caller_number(number if inbound else dialled),
                queue_entered_at=start if inbound else None, answered_at=answer, ended_at=end or start,
                agent=None if inbound else (number or None),
                talk_s=float(billsec) if answer is not None else 0.0, disposition=cause or None)


def call_from_variables(get: dict[str, str], tz: dt.tzinfo) -> Call | str:
    """The call of one caller leg's variables (a CSV row or a JSON CDR), or why it is skipped.

    Raises ``ValueError`` subclass ``_Bad`` (field, reason) for a value that cannot be read.
    """
    return _row(get, tz)


def _row(get: dict[str, str], tz: dt.tzinfo = dt.UTC) -> Call | str:
    if get.get("cc_side", "").strip() == "agent":
        return "agent leg (cc_side=agent)"
    queue = get.get("cc_queue", "").strip()
    if not queue:
        return _plain(get, tz)
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
                caller_number=caller_number(get.get("caller_id_number")), queue_entered_at=_at(joined),
                answered_at=_at(answered), ended_at=_at(ended),
                agent=(get.get("cc_agent", "").strip() or None) if answered is not None else None, talk_s=talk)


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    template = str(ctx.options.get("template") or "header")
    rows = csv_rows(lines)
    if template in TEMPLATES:
        names = list(TEMPLATES[template])
    elif template != "header":
        raise InvalidInput(f"unknown template {template!r}; choose header, {', '.join(TEMPLATES)}", field="--template")
    else:
        first = next(rows, None)
        if first is None:
            return
        number, header, error = first
        names = [h.strip() for h in header]
        if error is not None or not {"uuid", "cc_member_uuid"} & set(names) or (
                "cc_queue" in names and "cc_queue_joined_epoch" not in names):
            need = "cc_member_uuid or uuid" if error is None and "cc_queue" not in names else (
                error or "cc_queue_joined_epoch")
            yield Rejection(ctx.file, number, None, f"not a FreeSWITCH CDR header: missing {need} (a file "
                            "without a header: use --template example or snom)", ",".join(header))
            return
    blegs: set[str] = set()
    for entry in named_rows(rows, names, file=ctx.file):
        if isinstance(entry, Rejection):
            yield entry
            continue
        number, values, raw = entry
        uuid = values.get("uuid", "").strip()
        if uuid and uuid in blegs:
            yield Skip(number, "b-leg of a call already read (bleg_uuid)")
            continue
        if values.get("bleg_uuid", "").strip():
            blegs.add(values["bleg_uuid"].strip())
        try:
            result = _row(values, ctx.tz)
        except _Bad as bad:
            yield Rejection(ctx.file, number, bad.field, bad.reason, raw)
            continue
        yield result if isinstance(result, Call) else Skip(number, result)
