"""Running an import job (started from the web page) through the one import engine, ``import_files``.

``run_import_job`` is what the worker thread runs: the same all-or-nothing, idempotent import as
``callops import``, with its progress written to the job row (at most every ``PROGRESS_EVERY_S`` seconds,
each in its own short transaction, never while the import holds the write lock) and its report, the
rejects file or the error kept with the job. The uploaded file is removed when the job ends.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from callops.errors import CallopsError, InvalidInput
from callops.ingest.pipeline import ImportProgress, import_files
from callops.store.import_jobs import fail_job, finish_job, job_progress

__all__ = ["ImportJobSpec", "run_import_job", "PROGRESS_EVERY_S"]

PROGRESS_EVERY_S = 0.5
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportJobSpec:
    """What the worker imports: the staged file, shown under ``file_name`` in messages."""

    job_id: int
    path: Path
    file_name: str
    fmt: str
    zone: str
    encoding: str
    skip_invalid: bool
    options: Mapping[str, Any] = field(default_factory=dict)
    max_text_chars: int | None = None  # stop (nothing written) past this much text: a gzip that expands too far


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_import_job(engine: sa.Engine, spec: ImportJobSpec, *, clock: Callable[[], dt.datetime] = _utc_now) -> None:
    """Import ``spec.path`` and record the outcome on the job row; never raises for a bad file."""
    last = [0.0]

    def progress(step: ImportProgress) -> None:
        if spec.max_text_chars is not None and step.text_chars > spec.max_text_chars:
            raise InvalidInput(f"the file unpacks to more than {spec.max_text_chars:,} characters of text, the "
                               "most one web import reads; nothing was written: import it on the server with "
                               "callops import", file=spec.file_name)
        if step.phase == "writing" and step.written > 0:
            return  # the import holds the write lock now: a write from here would wait on it
        now = time.monotonic()
        if step.phase == "reading" and now - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = now
        with engine.begin() as conn:
            job_progress(conn, spec.job_id, phase=step.phase, done_bytes=step.done_bytes, records=step.records,
                         now=clock())

    try:
        with tempfile.TemporaryDirectory(prefix="callops-import-") as folder:
            rejects = Path(folder) / "rejects.csv"
            with engine.begin() as conn:
                job_progress(conn, spec.job_id, phase="reading", done_bytes=0, records=0, now=clock())
            report = import_files(engine, [spec.path], fmt=spec.fmt, tz=spec.zone, skip_invalid=spec.skip_invalid,
                                  rejects_path=rejects, options=spec.options, encoding=spec.encoding,
                                  progress=progress, names=[spec.file_name])
            result = report.as_dict()
            result["rejects_file"] = None
            text = rejects.read_text(encoding="utf-8-sig") if report.rejects_file else None
        with engine.begin() as conn:
            finish_job(conn, spec.job_id, result=result, rejects_csv=text, now=clock())
    except CallopsError as exc:
        with engine.begin() as conn:
            fail_job(conn, spec.job_id, error=str(exc), now=clock())
    except Exception as exc:  # a bug: the job says so instead of staying "running" for ever
        _log.exception("import job %s failed", spec.job_id)
        with engine.begin() as conn:
            fail_job(conn, spec.job_id, error=f"internal error ({type(exc).__name__}); nothing was written",
                     now=clock())
    finally:
        spec.path.unlink(missing_ok=True)
