"""Post-call surveys (CSAT): a score 1-5 per call from the IVR (press 1 to 5) or an SMS reply.

The import file has the columns ``call,score,channel,at`` (and optionally ``source`` when call ids repeat
across sources): ``call`` is the call's id at its source (``source_call_id``), ``score`` 1-5, ``channel``
ivr or sms, ``at`` an ISO time with a UTC offset. The first bad row raises InvalidInput naming file, line
(the header is line 1) and field; a call named twice names the line it first appeared on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from callops.csv_rows import CheckedDictReader
from callops.errors import InvalidInput

__all__ = ["SurveyChannel", "SurveyRow", "read_csat_csv", "check_score", "CSAT_COLUMNS", "MAX_CSAT_ROWS"]

CSAT_COLUMNS = ("call", "score", "channel", "at")
_OPTIONAL = ("source",)
MAX_CSAT_ROWS = 1_000_000


class SurveyChannel(StrEnum):
    IVR = "ivr"
    SMS = "sms"


@dataclass(frozen=True, slots=True)
class SurveyRow:
    call: str
    source: str | None
    score: int
    channel: SurveyChannel
    at: dt.datetime  # aware UTC
    line: int


def check_score(text: str, *, field: str = "score") -> int:
    """A survey score: a whole number 1-5."""
    try:
        score = int(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a whole number 1-5", field=field) from None
    if not 1 <= score <= 5:
        raise InvalidInput(f"{score} is not between 1 and 5", field=field)
    return score


def _channel(text: str) -> SurveyChannel:
    try:
        return SurveyChannel(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"{text!r} is not ivr or sms", field="channel") from None


def _at(text: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO time", field="at") from None
    if at.tzinfo is None:
        raise InvalidInput(f"{text!r} has no UTC offset (write e.g. 2026-03-02T09:15:00+08:00)", field="at")
    return at.astimezone(dt.UTC)


def read_csat_csv(text: str, *, file: str = "csat.csv") -> list[SurveyRow]:
    """Every row of ``text``; the first bad one raises naming file, line and field."""
    reader = CheckedDictReader(text, file=file)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSAT_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSAT_COLUMNS + _OPTIONAL]
    if missing or unknown:
        what = f"missing column(s) {', '.join(missing)}" if missing else f"unknown column(s) {', '.join(unknown)}"
        raise InvalidInput(f"{what}; expected {','.join(CSAT_COLUMNS)}[,source]", file=file, line=1)
    reader.fieldnames = header
    rows: list[SurveyRow] = []
    seen: dict[tuple[str | None, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_CSAT_ROWS:
            raise InvalidInput(f"more than {MAX_CSAT_ROWS:,} rows: split the file", file=file, line=line)
        if None in raw or any(raw.get(c) is None for c in header):
            raise InvalidInput(f"wrong number of fields (expected {len(header)})", file=file, line=line)
        try:
            call = raw["call"].strip()
            if not call or len(call) > 120:
                raise InvalidInput("a call id of 1-120 characters is required", field="call")
            source = (raw.get("source") or "").strip() or None
            row = SurveyRow(call, source, check_score(raw["score"]), _channel(raw["channel"]), _at(raw["at"]), line)
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, file=file, line=line, field=exc.field) from None
        key = (row.source, row.call)
        if key in seen:
            raise InvalidInput(f"call {row.call!r} is already on line {seen[key]}", file=file, line=line,
                               field="call")
        seen[key] = line
        rows.append(row)
    return rows
