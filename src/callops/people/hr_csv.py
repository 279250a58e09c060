"""HR files (CSV, or XLSX read by the edge) into history rows, with a column mapping; errors name line and field.

Default columns: ``person,hire_date,exit_date,exit_reason,team,position``; optional ``contract`` and
``destination``. A mapping (``{our_column: their_header}``) names other headers. One row is one
spell: a position in a team from ``hire_date`` (the spell's first day) to ``exit_date`` (the first
day after it; empty while it lasts). A person with one row was hired once into one position; more
rows give their position history and team moves. Codes may be written in English or Chinese.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from callops.csv_rows import checked_rows
from callops.errors import InvalidInput
from callops.people.records import ExitReason, Position

__all__ = ["HistoryRow", "COLUMNS", "REQUIRED", "read_history_csv", "history_rows", "parse_reason", "parse_position"]

COLUMNS = ("person", "hire_date", "exit_date", "exit_reason", "team", "position", "contract", "destination")
REQUIRED = ("person", "hire_date", "exit_date", "exit_reason", "team", "position")
MAX_ROWS = 200_000
T = TypeVar("T")
_Choice = TypeVar("_Choice", ExitReason, Position)

_REASONS = {
    "薪酬": ExitReason.PAY, "薪资": ExitReason.PAY, "待遇": ExitReason.PAY,
    "枯燥": ExitReason.MONOTONY, "单调": ExitReason.MONOTONY,
    "没有发展": ExitReason.NO_GROWTH, "无发展": ExitReason.NO_GROWTH, "发展": ExitReason.NO_GROWTH,
    "学习": ExitReason.STUDY, "深造": ExitReason.STUDY, "健康": ExitReason.HEALTH,
    "辞退": ExitReason.DISMISSED, "解雇": ExitReason.DISMISSED,
    "转岗": ExitReason.TRANSFERRED_OUT, "调出": ExitReason.TRANSFERRED_OUT, "其他": ExitReason.OTHER,
    "salary": ExitReason.PAY, "boredom": ExitReason.MONOTONY, "growth": ExitReason.NO_GROWTH,
    "career": ExitReason.NO_GROWTH, "education": ExitReason.STUDY, "fired": ExitReason.DISMISSED,
    "dismissal": ExitReason.DISMISSED, "transfer": ExitReason.TRANSFERRED_OUT,
    "transferred": ExitReason.TRANSFERRED_OUT,
    "transfer_out": ExitReason.TRANSFERRED_OUT, "released": ExitReason.TRANSFERRED_OUT,
}
_POSITIONS = {"坐席": Position.AGENT, "话务员": Position.AGENT, "资深坐席": Position.SENIOR,
              "质检": Position.QA, "培训师": Position.TRAINER, "组长": Position.LEAD, "班长": Position.LEAD,
              "主管": Position.SUPERVISOR, "senior_agent": Position.SENIOR, "team_lead": Position.LEAD,
              "teamlead": Position.LEAD}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One spell as read from a file; ``line`` counts the header as line 1."""

    line: int
    person: str
    start_on: dt.date
    end_on: dt.date | None
    exit_reason: ExitReason | None
    team: str | None
    position: Position
    contract: str | None = None
    destination: str | None = None


def parse_reason(text: str) -> ExitReason:
    return _parse_choice(text, ExitReason, _REASONS, "an exit reason")


def parse_position(text: str) -> Position:
    return _parse_choice(text, Position, _POSITIONS, "a position")


def _parse_choice(text: str, kind: type[_Choice], aliases: Mapping[str, _Choice], what: str) -> _Choice:
    """``text`` as a member of ``kind``: an alias as written or normalised (Chinese words, common spellings),
    else the member's own value after lower-casing and turning spaces and dashes into underscores."""
    value = text.strip()
    key = value.lower().replace(" ", "_").replace("-", "_")
    if value in aliases or key in aliases:
        return aliases.get(value) or aliases[key]
    try:
        return kind(key)
    except ValueError:
        raise ValueError(f"{text!r} is not {what} (one of {', '.join(m.value for m in kind)})") from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD") from None


def _parsed(parse: Callable[[str], T], text: str, *, file: str, line: int, field: str) -> T:
    try:
        return parse(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), file=file, line=line, field=field) from None


def _headers(mapping: Mapping[str, str] | None, *, file: str) -> dict[str, str]:
    headers = {c: c for c in COLUMNS}
    for ours, theirs in (mapping or {}).items():
        if ours not in COLUMNS:
            raise InvalidInput(f"the mapping names {ours!r}, not one of {', '.join(COLUMNS)}", file=file)
        if not isinstance(theirs, str) or not theirs.strip():
            raise InvalidInput("each mapping value must be a column header", file=file, field=ours)
        headers[ours] = theirs
    return headers


def history_rows(records: Iterable[Sequence[str]], *, file: str,
                 mapping: Mapping[str, str] | None = None) -> list[HistoryRow]:
    """Rows of cells (the first is the header) into history rows; the first bad cell raises InvalidInput."""
    headers = _headers(mapping, file=file)
    it = iter(records)
    header = [h.strip().lstrip("\ufeff") for h in next(it, [])]
    missing = [headers[c] for c in REQUIRED if headers[c] not in header]
    if missing:
        raise InvalidInput(f"missing column(s) {', '.join(missing)}; the header is {', '.join(header) or '(empty)'}",
                           file=file, line=1)
    index = {c: header.index(headers[c]) for c in COLUMNS if headers[c] in header}
    out: list[HistoryRow] = []
    for line, cells in enumerate(it, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(out) >= MAX_ROWS:
            raise InvalidInput(f"more than {MAX_ROWS} rows", file=file, line=line)

        def cell(column: str, cells: Sequence[str] = cells) -> str:
            i = index.get(column)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        person = cell("person")
        if not person:
            raise InvalidInput("a row needs a person", file=file, line=line, field=headers["person"])
        if len(person) > 72:
            raise InvalidInput("a person id is at most 72 characters", file=file, line=line, field=headers["person"])
        start = _parsed(_date, cell("hire_date"), field=headers["hire_date"], file=file, line=line)
        end = (_parsed(_date, cell("exit_date"), field=headers["exit_date"], file=file, line=line)
               if cell("exit_date") else None)
        reason = (_parsed(parse_reason, cell("exit_reason"), field=headers["exit_reason"], file=file, line=line)
                  if cell("exit_reason") else None)
        position = (_parsed(parse_position, cell("position"), field=headers["position"], file=file, line=line)
                    if cell("position") else Position.AGENT)
        out.append(HistoryRow(line=line, person=person, start_on=start, end_on=end, exit_reason=reason,
                              team=cell("team") or None, position=position,
                              contract=cell("contract") or None, destination=cell("destination") or None))
    return out


def read_history_csv(text: str, *, file: str, mapping: Mapping[str, str] | None = None) -> list[HistoryRow]:
    """A CSV text (UTF-8, header first) into history rows."""
    return history_rows((row for _, row in checked_rows(io.StringIO(text), file=file)), file=file, mapping=mapping)
