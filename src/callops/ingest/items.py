"""What a format parser yields: records, rejections of bad lines, and counted skips."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from callops.records import AgentInterval, Call

if TYPE_CHECKING:
    from callops.ingest.columnar import Lines

__all__ = ["Rejection", "Skip", "Skips", "Notice", "Rows", "Item", "ParseContext", "Parser", "ColumnarParser"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """A line that cannot be imported; ``line`` counts the header as line 1."""

    file: str
    line: int
    field: str | None
    reason: str
    raw: str = ""


@dataclass(frozen=True, slots=True)
class Skip:
    """A line deliberately not imported (e.g. Anonymous Bank PHANTOM calls)."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know that is not an error (e.g. a call still open at end of file)."""

    file: str
    line: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Skips:
    """``count`` lines not imported for one reason, the first of them ``line`` (a columnar parser counts
    them column-wise)."""

    reason: str
    count: int
    line: int


@dataclass(frozen=True, slots=True)
class Rows:
    """Records already in stored form (``callops.store.record_batches.CALL_FIELDS`` / ``INTERVAL_FIELDS``),
    each with the line that completed it, in line order: what a columnar parser yields instead of records."""

    calls: list[tuple[Any, ...]]
    call_lines: list[int]
    intervals: list[tuple[Any, ...]] = field(default_factory=list)
    interval_lines: list[int] = field(default_factory=list)


Item = Call | AgentInterval | Rejection | Skip | Notice


@dataclass(frozen=True, slots=True)
class ParseContext:
    file: str  # the name used in messages
    tz: zoneinfo.ZoneInfo  # zone of local clock times in the source
    options: Mapping[str, Any] = field(default_factory=dict)  # format-specific, e.g. a CSV mapping
    progress: Callable[[int, int], None] | None = None  # told (lines read, lines in the file) now and then


Parser = Callable[[Iterator[tuple[int, str]], ParseContext], Iterator[Item]]
ColumnarParser = Callable[["Lines", ParseContext], Iterator[Item | Rows | Skips]]
"""A whole file's lines (``callops.ingest.columnar.Lines``) in; records as rows, and messages, out."""
