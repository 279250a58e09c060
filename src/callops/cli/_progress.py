"""A progress bar on stderr for long CLI work (an import of a large file), shown only to a person.

``StageProgress`` is the ``progress`` callback of ``import_files`` (it is told ``ImportProgress``): nothing
appears during the first ``after_s`` seconds (a small file finishes without a bar), then one click progress
bar per stage (``reading FILE`` in bytes, ``writing`` in rows) on stderr. ``for_terminal`` gives None when
stderr is not a terminal or the output is JSON, so scripts and pipes never see a bar.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import click

from callops.ingest.pipeline import ImportProgress

__all__ = ["StageProgress", "for_terminal"]


class StageProgress:
    def __init__(self, *, after_s: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 file: Any = None) -> None:
        self.started = clock()
        self.after_s = after_s
        self.clock = clock
        self.file = file if file is not None else sys.stderr
        self.stage: str | None = None
        self.bar: Any = None
        self.shown = 0

    def __call__(self, step: ImportProgress) -> None:
        if step.phase == "writing":
            self.show("writing", step.written, step.to_write)
        else:
            self.show(f"reading {step.file}", step.done_bytes, step.total_bytes)

    def show(self, stage: str, done: int, total: int) -> None:
        if self.bar is None and self.clock() - self.started < self.after_s:
            return
        if stage != self.stage or self.bar is None:
            self.close()
            self.stage, self.shown = stage, 0
            self.bar = click.progressbar(length=max(total, 1), label=stage, file=self.file, show_pos=True)
            self.bar.__enter__()
        if done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        """Finish the bar on screen (if one was shown)."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def for_terminal(*, as_json: bool) -> StageProgress | None:
    """A progress display when a person watches stderr; None for JSON output or a redirected stderr."""
    if as_json or not sys.stderr.isatty():
        return None
    return StageProgress()
