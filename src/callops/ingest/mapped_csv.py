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
- ``values``: ``outcome`` / ``direction`` → {value in the file: canonical value};
- ``filter``: conditions a row must all meet to be imported; other rows are skipped, counted with the
  condition they failed;
- ``outcome_rules``: an ordered list of ``{when: [conditions], outcome: VALUE}``; the first rule whose
  conditions all hold gives the outcome, so it can depend on other columns (talk seconds, a queue
  time); rows no rule matches take the ``outcome`` column or constant as usual.

A condition is ``{column: NAME, OP: VALUE}`` with one OP of ``equals``, ``not_equals``, ``in``,
``not_in`` (lists), ``empty`` (true/false), ``greater_than``, ``less_than`` (numbers; a value that is
not a number fails the condition) or ``matches`` (a regular expression, whole value).

``source_call_id`` and ``outcome`` must come from a column or a constant; ``direction`` defaults to
inbound; at least one of the timestamp fields must be mapped.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from callops.errors import InvalidInput
from callops.ingest.callers import caller_number
from callops.ingest.items import Item, ParseContext, Rejection, Skip
from callops.ingest.textfile import csv_rows, named_rows
from callops.records import Call, Direction, Outcome

__all__ = ["parse", "CsvMapping", "load_mapping", "FIELDS"]

_TIMES = ("ivr_entered_at", "ivr_exited_at", "queue_entered_at", "answered_at", "ended_at")
_FLOATS = ("talk_s", "hold_s", "acw_s")
_TEXTS = ("source_call_id", "queue", "call_type", "caller_number", "agent", "transfer_target", "campaign",
          "disposition")
FIELDS = (*_TEXTS, "direction", "outcome", "priority", *_TIMES, *_FLOATS)


_OPS = ("equals", "not_equals", "in", "not_in", "empty", "greater_than", "less_than", "matches")


class Condition(BaseModel):
    """One test on one column of a row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str = Field(min_length=1)
    equals: str | None = None
    not_equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    empty: bool | None = None
    greater_than: float | None = None
    less_than: float | None = None
    matches: str | None = None

    @model_validator(mode="after")
    def _one_op(self) -> Condition:
        given = [op for op in _OPS if getattr(self, "in_" if op == "in" else op) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(_OPS)} (got {', '.join(given) or 'none'})")
        if self.matches is not None:
            try:
                re.compile(self.matches)
            except re.error as exc:
                raise ValueError(f"matches: not a regular expression ({exc})") from exc
        return self

    def holds(self, value: str) -> bool:
        value = value.strip()
        if self.equals is not None:
            return value == self.equals
        if self.not_equals is not None:
            return value != self.not_equals
        if self.in_ is not None:
            return value in self.in_
        if self.not_in is not None:
            return value not in self.not_in
        if self.empty is not None:
            return (value == "") is self.empty
        if self.matches is not None:
            return re.fullmatch(self.matches, value) is not None
        try:
            number = float(value)
        except ValueError:
            return False
        return number > self.greater_than if self.greater_than is not None else number < (self.less_than or 0.0)

    def describe(self) -> str:
        for op in _OPS:
            given = getattr(self, "in_" if op == "in" else op)
            if given is not None:
                return f"{self.column} {op} {given!r}"
        return self.column


class OutcomeRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: list[Condition] = Field(min_length=1)
    outcome: Outcome


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
    filter: list[Condition] = Field(default_factory=list)
    outcome_rules: list[OutcomeRule] = Field(default_factory=list)

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
            if needed == "outcome" and self.outcome_rules:
                continue
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
    ruled = next((rule.outcome for rule in mapping.outcome_rules
                  if all(c.holds(get[c.column]) for c in rule.when)), None)
    if ruled is not None:
        values["outcome"] = ruled
    elif "outcome" not in mapping.columns and "outcome" not in mapping.constants:
        raise _Bad("outcome", "no outcome rule matches the row and no outcome column or constant is mapped")
    for name in FIELDS:
        if name in values:
            continue
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
    if "caller_number" in values:
        values["caller_number"] = caller_number(values["caller_number"])
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
    tested = {c.column for c in mapping.filter} | {c.column for r in mapping.outcome_rules for c in r.when}
    missing = sorted((set(mapping.columns.values()) | tested) - set(names))
    if error is not None or missing:
        yield Rejection(ctx.file, number, None, f"the header lacks the mapped column(s) {', '.join(missing)}"
                        if error is None else f"not CSV: {error}", ",".join(header))
        return
    for entry in named_rows(rows, names, file=ctx.file, delimiter=mapping.delimiter):
        if isinstance(entry, Rejection):
            yield entry
            continue
        number, values, raw = entry
        failed = next((c for c in mapping.filter if not c.holds(values[c.column])), None)
        if failed is not None:
            yield Skip(number, f"filtered out by the mapping: {failed.describe()} does not hold")
            continue
        try:
            yield _build(values, mapping, read_time)
        except _Bad as bad:
            yield Rejection(ctx.file, number, bad.field, bad.reason, raw)
