"""Any CSV with a header, read through a YAML mapping onto the canonical Call fields.

The mapping (``--mapping FILE.yaml``) is validated before any row is read; a bad one is refused
naming the mapping file and key. Keys:

- ``source`` (required): the source name stored with each call (``source`` + call id is unique);
- ``delimiter``: one character, default ``,``;
- ``zone``: zone of the file's local times (default: ``--tz``);
- ``timestamp_format``: a ``strptime`` format, or ``iso`` (default; an offset in the value wins over
  the zone) or ``epoch`` (Unix seconds, UTC);
- ``columns``: canonical field → column name in the header;
- ``constants``: canonical field → value for every row;
- ``values``: ``outcome`` / ``direction`` → {value in the file: canonical value}.

``source_call_id`` and ``outcome`` must come from a column or a constant; ``direction`` defaults to
inbound; at least one of the timestamp fields must be mapped.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from callops.errors import InvalidInput
from callops.ingest.items import Item, ParseContext, Rejection
from callops.ingest.textfile import csv_rows, named_rows
from callops.records import Call, Direction, Outcome

__all__ = ["parse", "CsvMapping", "load_mapping", "FIELDS"]

_TIMES = ("ivr_entered_at", "ivr_exited_at", "queue_entered_at", "answered_at", "ended_at")
_FLOATS = ("talk_s", "hold_s", "acw_s")
_TEXTS = ("source_call_id", "queue", "call_type", "caller_number", "agent", "transfer_target", "campaign",
          "disposition")
FIELDS = (*_TEXTS, "direction", "outcome", "priority", *_TIMES, *_FLOATS)


class CsvMapping(BaseModel):
    """A validated mapping file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    zone: str | None = None
    timestamp_format: str = "iso"
    columns: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, str | int | float] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("columns", "constants")
    @classmethod
    def _fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; canonical fields: {', '.join(FIELDS)}")
        return value

    @field_validator("values")
    @classmethod
    def _values(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for name, table in value.items():
            allowed = {"outcome": [o.value for o in Outcome], "direction": [d.value for d in Direction]}.get(name)
            if allowed is None:
                raise ValueError(f"{name!r}: value maps exist for outcome and direction only")
            wrong = sorted(v for v in table.values() if v not in allowed)
            if wrong:
                raise ValueError(f"{name}: {', '.join(wrong)} not one of {', '.join(allowed)}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> CsvMapping:
        both = sorted(set(self.columns) & set(self.constants))
        if both:
            raise ValueError(f"{', '.join(both)} given both as column and constant")
        given = set(self.columns) | set(self.constants)
        for needed in ("source_call_id", "outcome"):
            if needed not in given:
                raise ValueError(f"{needed} needs a column or a constant")
        if not given & set(_TIMES):
            raise ValueError(f"map at least one of {', '.join(_TIMES)}")
        return self


def load_mapping(raw: object, file: str) -> CsvMapping:
    """Validate a parsed YAML mapping; errors name the mapping file and the key."""
    if not isinstance(raw, dict):
        raise InvalidInput("a mapping must be a YAML mapping of keys (source, columns, ...)", file=file)
    try:
        return CsvMapping.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidInput(f"{first['msg']} (mapping key {key})", file=file, field=key) from exc


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


def _time_reader(mapping: CsvMapping, tz: dt.tzinfo) -> Callable[[str, str], dt.datetime]:
    fmt = mapping.timestamp_format

    def read(value: str, column: str) -> dt.datetime:
        try:
            if fmt == "epoch":
                return dt.datetime.fromtimestamp(float(value), dt.UTC)
            parsed = dt.datetime.fromisoformat(value) if fmt == "iso" else dt.datetime.strptime(value, fmt)
        except (ValueError, OverflowError, OSError) as exc:
            raise _Bad(column, f"{value!r} is not a time in format {fmt}") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        return parsed.astimezone(dt.UTC)

    return read


def _build(get: Mapping[str, str], mapping: CsvMapping, read_time: Callable[[str, str], dt.datetime]) -> Call:
    values: dict[str, Any] = {}
    for name in FIELDS:
        if name in mapping.constants:
            raw, column = str(mapping.constants[name]), f"constants.{name}"
        elif name in mapping.columns:
            column = mapping.columns[name]
            raw = get[column].strip()
        else:
            continue
        if raw == "":
            if name in ("source_call_id", "outcome"):
                raise _Bad(column, "empty")
            continue
        if name in mapping.values:
            if raw not in mapping.values[name]:
                raise _Bad(column, f"{raw!r} is not in the value map for {name} "
                                   f"({', '.join(mapping.values[name])})")
            raw = mapping.values[name][raw]
        if name == "outcome":
            try:
                values[name] = Outcome(raw)
            except ValueError:
                raise _Bad(column, f"{raw!r} is not an outcome; add it to values.outcome") from None
        elif name == "direction":
            try:
                values[name] = Direction(raw)
            except ValueError:
                raise _Bad(column, f"{raw!r} is not a direction; add it to values.direction") from None
        elif name in _TIMES:
            values[name] = read_time(raw, column)
        elif name in _FLOATS or name == "priority":
            try:
                number = float(raw)
            except ValueError:
                raise _Bad(column, f"{raw!r} is not a number") from None
            if not 0 <= number < 1e9:
                raise _Bad(column, f"{raw!r} is out of range")
            values[name] = int(number) if name == "priority" else number
        else:
            values[name] = raw
    values.setdefault("direction", Direction.INBOUND)
    call = Call(source=mapping.source, **values)
    if call.started_at is None:
        raise _Bad(mapping.columns.get("ended_at", "ended_at"), "the row has no time at all")
    return call


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    file = str(ctx.options.get("mapping_file", "mapping"))
    mapping = load_mapping(ctx.options.get("mapping"), file)
    tz = zoneinfo.ZoneInfo(mapping.zone) if mapping.zone else ctx.tz
    read_time = _time_reader(mapping, tz)
    rows = csv_rows(lines, delimiter=mapping.delimiter)
    first = next(rows, None)
    if first is None:
        yield Rejection(ctx.file, 1, None, "the file is empty; expected a header line")
        return
    number, header, error = first
    names = [h.strip() for h in header]
    missing = sorted(set(mapping.columns.values()) - set(names))
    if error is not None or missing:
        yield Rejection(ctx.file, number, None, f"the header lacks the mapped column(s) {', '.join(missing)}"
                        if error is None else f"not CSV: {error}", ",".join(header))
        return
    for entry in named_rows(rows, names, file=ctx.file, delimiter=mapping.delimiter):
        if isinstance(entry, Rejection):
            yield entry
            continue
        number, values, raw = entry
        try:
            yield _build(values, mapping, read_time)
        except _Bad as bad:
            yield Rejection(ctx.file, number, bad.field, bad.reason, raw)
