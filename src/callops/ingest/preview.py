"""A dry look at the first lines of a file: the calls they make and the lines refused, nothing stored.

The web import page shows this before anything is imported. It reads at most ``PREVIEW_LINES`` lines
through the same reader and parser as ``import_files`` (so a call it shows is the call the import would
store), keeps the first ``PREVIEW_CALLS`` calls and the first ``PREVIEW_REJECTIONS`` refused lines with
their reasons. Calls still open when the preview stops reading are not shown (the import would complete
them from later lines).
"""

from __future__ import annotations

import itertools
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callops.errors import InvalidInput
from callops.ingest.formats import parser_for
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.ingest.textfile import decoded_lines, open_binary
from callops.records import AgentInterval, Call

__all__ = ["Preview", "preview_file", "PREVIEW_LINES", "PREVIEW_CALLS", "PREVIEW_REJECTIONS"]

PREVIEW_LINES = 5000
PREVIEW_CALLS = 20
PREVIEW_REJECTIONS = 20


@dataclass(slots=True)
class Preview:
    calls: list[Call] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rejected: int = 0  # all refused lines seen, beyond those kept
    agent_intervals: int = 0
    skipped: int = 0
    notices: list[str] = field(default_factory=list)
    lines_read: int = 0
    complete: bool = False  # the whole file was read


def preview_file(path: Path, *, fmt: str, tz: str, encoding: str = "utf-8", name: str | None = None,
                 options: Mapping[str, Any] | None = None, max_lines: int = PREVIEW_LINES) -> Preview:
    """What the first ``max_lines`` lines of ``path`` make in format ``fmt``; ``name`` is the file's name in
    messages (default: the path)."""
    parse = parser_for(fmt)
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}", field="tz") from exc
    file = name or str(path)
    preview = Preview()
    ctx = ParseContext(file=file, tz=zone, options=options or {})

    def keep(rejection: Rejection) -> None:
        preview.rejected += 1
        if len(preview.rejections) < PREVIEW_REJECTIONS:
            preview.rejections.append(rejection)

    def lines() -> Iterator[tuple[int, str]]:
        with open_binary(path) as raw:
            for entry in decoded_lines(raw, file, encoding=encoding):
                if isinstance(entry, Rejection):
                    keep(entry)
                    preview.lines_read = entry.line
                else:
                    preview.lines_read = entry[0]
                    yield entry
                if preview.lines_read >= max_lines:
                    return
            preview.complete = True

    stream = lines()
    first = list(itertools.islice(stream, 1))
    while first and not first[0][1].strip():
        first = list(itertools.islice(stream, 1))
    if not first and not preview.rejected:
        keep(Rejection(file, max(preview.lines_read, 1), None,
                       "empty file (no lines, or only blank ones): nothing to import; is it the right file?"))
        return preview
    for item in parse(itertools.chain(first, stream), ctx):
        if isinstance(item, Call):
            if len(preview.calls) < PREVIEW_CALLS:
                preview.calls.append(item)
        elif isinstance(item, AgentInterval):
            preview.agent_intervals += 1
        elif isinstance(item, Skip):
            preview.skipped += 1
        elif isinstance(item, Notice):
            if preview.complete:
                preview.notices.append(f"{item.file}, line {item.line}: {item.message}" if item.line
                                       else f"{item.file}: {item.message}")
        else:
            keep(item)
    return preview
