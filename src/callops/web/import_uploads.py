"""Uploads of the web import page: staged on disk, checked, previewed, then imported by a worker thread.

An uploaded file is copied to a staging folder a chunk at a time, counting bytes: past
``Settings.import_max_bytes`` the copy stops and the upload is refused naming the limit (the request body
itself is capped by ``BodyLimit`` at the limit plus ``UPLOAD_SLACK_BYTES`` for the form's other fields).
A staged file belongs to the user who sent it (its name starts with their id and a random token) and is
removed by the import that takes it, or after ``STAGED_FOR``.

``check_upload`` finds what is wrong with a file before anything is imported, as an ``UploadProblem``
with a message key of the ``imports`` locale area, the form field it belongs to and a 4xx status: empty,
too large, a corrupt gzip, not in the chosen encoding, a format it cannot recognise, a format chosen
that the lines do not fit. The import itself runs in one worker thread per process
(``submit_import``): one import at a time, as the database takes one writer at a time.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.datastructures import UploadFile

from callops.errors import InvalidInput
from callops.ingest.items import Rejection
from callops.ingest.preview import Preview, preview_file
from callops.ingest.sniff import Guess, sniff_file
from callops.services.import_jobs import ImportJobSpec, run_import_job

__all__ = ["UPLOAD_PATH", "UPLOAD_SLACK_BYTES", "STAGED_FOR", "UploadProblem", "Staged", "stage_upload",
           "staged_file", "check_upload", "submit_import", "staging_folder", "size_text"]

UPLOAD_PATH = "/imports/upload"
UPLOAD_SLACK_BYTES = 1 << 20
STAGED_FOR = 2 * 3600  # seconds a previewed file waits for its import
_CHUNK = 1 << 20
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callops-import")


class UploadProblem(Exception):
    """Why an upload cannot be imported: ``key`` (locale ``imports.error.<key>``), its parameters, the field."""

    def __init__(self, key: str, field: str, status: int = 400, params: dict[str, Any] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.status = status
        self.params = params or {}


@dataclass(frozen=True, slots=True)
class Staged:
    token: str
    path: Path
    name: str  # the file's name on the user's computer
    size_bytes: int


def staging_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "callops-uploads"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()[:120]
    return cleaned or "upload"


def _sweep(folder: Path) -> None:
    """Remove staged files nobody imported within ``STAGED_FOR``."""
    cutoff = time.time() - STAGED_FOR
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)
        except OSError:
            continue


async def stage_upload(upload: UploadFile, *, user_id: int, max_bytes: int) -> Staged:
    """Copy ``upload`` to the staging folder, refusing it past ``max_bytes`` (nothing is kept then)."""
    folder = staging_folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    path = folder / f"{user_id}-{token}.upload"
    name = _clean_name(upload.filename or "")
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise UploadProblem("too_large", "file", 413, {"limit": size_text(max_bytes), "name": name})
            out.write(chunk)
    path.with_suffix(".json").write_text(json.dumps({"name": name}), encoding="utf-8")
    return Staged(token, path, name, size)


def staged_file(token: str, *, user_id: int) -> Staged:
    """The file ``user_id`` staged under ``token``; a problem when it is unknown or gone."""
    if not _TOKEN.fullmatch(token):
        raise UploadProblem("staged_gone", "file")
    path = staging_folder() / f"{user_id}-{token}.upload"
    meta = path.with_suffix(".json")
    try:
        name = str(json.loads(meta.read_text(encoding="utf-8"))["name"])
        size = path.stat().st_size
    except (OSError, ValueError, KeyError):
        raise UploadProblem("staged_gone", "file") from None
    return Staged(token, path, name, size)


def size_text(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB" if size >= 1 << 20 else f"{size:,} bytes"


def _readable(staged: Staged, encoding: str) -> Guess:
    """The sniffer's guess; a corrupt gzip or unreadable file is a problem."""
    try:
        return sniff_file(staged.path, encoding=encoding)
    except InvalidInput as exc:
        raise _readable_problem(staged, exc) from None


def check_upload(staged: Staged, *, fmt: str, zone: str, encoding: str,
                 options: dict[str, Any]) -> tuple[Guess, str, Preview]:
    """(the sniffer's guess, the format to use, a preview of the first lines) or an ``UploadProblem``."""
    if staged.size_bytes == 0:
        raise UploadProblem("empty", "file", params={"name": staged.name})
    guess = _readable(staged, encoding)
    if guess.undecodable is not None:
        raise _encoding_problem(staged, encoding, guess.undecodable)
    chosen = fmt if fmt != "auto" else guess.format
    if chosen is None:
        if "empty" in guess.reason:
            raise UploadProblem("empty", "file", params={"name": staged.name})
        raise UploadProblem("unknown_format", "format", params={"name": staged.name, "reason": guess.reason,
                                                                "why": guess.rule, "details": guess.details})
    if chosen == "csv" and "mapping" not in options:
        raise UploadProblem("mapping_needed", "mapping", params={"name": staged.name})
    if chosen == "freeswitch-cc" and "template" not in options and guess.template is not None:
        options["template"] = guess.template
    try:
        preview = preview_file(staged.path, fmt=chosen, tz=zone, encoding=encoding, name=staged.name,
                               options=options)
    except InvalidInput as exc:
        if exc.field in {"mapping", "--mapping"} or (exc.file or "").endswith(".yaml"):
            raise UploadProblem("bad_mapping", "mapping", params={"detail": str(exc)}) from None
        if "cannot read" in exc.reason:
            raise _readable_problem(staged, exc) from None
        raise UploadProblem("not_this_format", "format", params={
            "name": staged.name, "format": chosen, "line": exc.line or 1, "reason": exc.reason}) from None
    undecodable = [r for r in preview.rejections if r.reason.startswith(f"not {encoding} text")]
    if undecodable:
        raise _encoding_problem(staged, encoding, undecodable[0])
    if preview.rejections and any("empty file" in r.reason for r in preview.rejections):
        raise UploadProblem("empty", "file", params={"name": staged.name})
    if not preview.calls and not preview.agent_intervals and preview.rejections:
        first = preview.rejections[0]
        raise UploadProblem("not_this_format", "format", params={
            "name": staged.name, "format": chosen, "line": first.line, "reason": first.reason})
    return guess, chosen, preview


def _encoding_problem(staged: Staged, encoding: str, rejection: Rejection) -> UploadProblem:
    return UploadProblem("encoding", "encoding", params={
        "name": staged.name, "encoding": encoding.upper(), "line": rejection.line,
        "detail": rejection.reason.split(" (try", 1)[0]})


def _readable_problem(staged: Staged, exc: InvalidInput) -> UploadProblem:
    with staged.path.open("rb") as probe:
        is_gzip = probe.read(2) == b"\x1f\x8b"
    return UploadProblem("corrupt_gzip" if is_gzip else "unreadable", "file",
                         params={"name": staged.name, "detail": exc.reason})


def submit_import(engine: sa.Engine, spec: ImportJobSpec) -> None:
    """Run the job in this process's import thread (after the request that wrote the job row committed)."""
    spec.path.with_suffix(".json").unlink(missing_ok=True)
    _EXECUTOR.submit(run_import_job, engine, spec)
