"""What a format parser yields: records, rejections of bad lines, and counted skips."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from callops.records import AgentInterval, Call

__all__ = ["Rejection", "Skip", "Notice", "Item", "ParseContext", "Parser"]


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


Item = Call | AgentInterval | Rejection | Skip | Notice


@dataclass(frozen=True, slots=True)
class ParseContext:
    file: str  # the name used in messages
    tz: zoneinfo.ZoneInfo  # zone of local clock times in the source
    options: Mapping[str, Any] = field(default_factory=dict)  # format-specific, e.g. a CSV mapping


Parser = Callable[[Iterator[tuple[int, str]], ParseContext], Iterator[Item]]
