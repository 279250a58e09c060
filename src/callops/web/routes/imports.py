"""The import page: upload a file, see what callops makes of it, import it in the background.

    GET  /imports                    the form (size limit, format or "detect", zone, encoding) and recent imports
    POST /imports/upload             action=preview: the guess and the first calls; action=import: start the job
    GET  /imports/{id}               the job: progress bar, then the summary and the rejects file
    GET  /imports/{id}/rejects.csv   the rejected lines (UTF-8 with a BOM for Excel on Chinese Windows)
    GET  /api/imports/{id}           the job as JSON (the progress bar polls it)

Everything needs the ``import_data`` right. The import is ``callops import``'s engine (``import_files``):
all or nothing (or, with "set bad lines aside", the good lines and a rejects file), and repeating it adds
nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.config import Settings
from callops.errors import InvalidInput
from callops.ingest.formats import FORMATS
from callops.ingest.freeswitch_cc import TEMPLATES
from callops.ingest.preview import PREVIEW_LINES
from callops.ingest.textfile import ENCODINGS
from callops.permissions import Permission
from callops.records import Call
from callops.services.import_jobs import ImportJobSpec
from callops.store.import_jobs import ImportJob, create_job, get_job, job_rejects, recent_jobs
from callops.web.deps import ConnDep, EngineDep, NowDep, SettingsDep, User, ViewerDep, require
from callops.web.downloads import attachment
from callops.web.import_uploads import (
    UPLOAD_PATH,
    Staged,
    UploadProblem,
    check_upload,
    size_text,
    stage_upload,
    staged_file,
    submit_import,
)
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.viewer import Viewer
from callops.yaml_input import load_yaml

router = APIRouter()

NAV = (NavItem("nav.imports", "/imports", permission=Permission.IMPORT_DATA, order=35,
               description_key="imports.card"),)

Importer = Annotated[User, require(Permission.IMPORT_DATA)]
JobId = Annotated[int, Path(ge=1, le=2**53)]
TEXT_PER_UPLOAD_BYTE = 10  # a job reads at most 10 characters of text per byte of the limit (gzip expands)
_FIELDS = ("format", "zone", "encoding", "mapping", "template", "skip_invalid", "staged")


def _defaults(site_tz: str) -> dict[str, str]:
    return {"format": "auto", "zone": site_tz, "encoding": "utf-8", "mapping": "", "template": "",
            "skip_invalid": "1", "staged": ""}


def _page(request: Request, viewer: Viewer, conn: sa.Connection, settings: Settings, now: dt.datetime,
          form: dict[str, str], *,
          problem: UploadProblem | None = None, preview: dict[str, Any] | None = None,
          staged: Staged | None = None, preview_rows: list[dict[str, str]] | None = None) -> HTMLResponse:
    message = None
    if problem is not None:
        params = dict(problem.params)
        if "why" in params:  # the sniffer's reason, in the viewer's language
            params["reason"] = viewer.t(f"imports.why.{params.pop('why')}", **params.pop("details"))
        message = viewer.t(f"imports.error.{problem.key}", **params)
    return render(request, viewer, "imports/index.html", {
        "form": form, "formats": sorted(FORMATS), "encodings": ENCODINGS, "templates": sorted(TEMPLATES),
        "site_tz": settings.site_tz, "limit_bytes": settings.import_max_bytes,
        "limit_text": size_text(settings.import_max_bytes), "upload_path": UPLOAD_PATH,
        "problem": problem, "message": message, "preview": preview, "staged": staged,
        "jobs": recent_jobs(conn), "now": now, "preview_lines": PREVIEW_LINES, "preview_rows": preview_rows or []},
        status_code=problem.status if problem is not None else 200)


@router.get("/imports", response_class=HTMLResponse, include_in_schema=False)
def imports_page(request: Request, conn: ConnDep, user: Importer, viewer: ViewerDep, settings: SettingsDep,
                 now: NowDep) -> HTMLResponse:
    return _page(request, viewer, conn, settings, now, _defaults(settings.site_tz))


def _rows(calls: list[Call], zone: zoneinfo.ZoneInfo) -> list[dict[str, str]]:
    """The preview's calls as the table shows them, times in the zone the file was read in."""
    rows = []
    for call in calls:
        start = call.started_at
        wait = call.wait_s
        rows.append({"id": call.source_call_id, "queue": call.queue or "–", "outcome": call.outcome.value,
                     "started": start.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if start else "–",
                     "agent": call.agent or "–", "wait": f"{wait:.0f}" if wait is not None else "–",
                     "talk": f"{call.talk_s:.0f}"})
    return rows


def _options(form: dict[str, str], fmt: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if form["mapping"].strip() and fmt in {"csv", "auto"}:
        try:
            options["mapping"] = load_yaml(form["mapping"], file="mapping")
        except InvalidInput as exc:
            raise UploadProblem("bad_mapping", "mapping", params={"detail": str(exc)}) from None
        options["mapping_file"] = "mapping"
    if form["template"] in TEMPLATES:
        options["template"] = form["template"]
    return options


def _checked_form(form: dict[str, str]) -> None:
    if form["format"] != "auto" and form["format"] not in FORMATS:
        raise UploadProblem("unknown_choice", "format", params={"value": form["format"][:40]})
    if form["encoding"] not in ENCODINGS:
        raise UploadProblem("unknown_choice", "encoding", params={"value": form["encoding"][:40]})
    try:
        zoneinfo.ZoneInfo(form["zone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise UploadProblem("unknown_zone", "zone", params={"value": form["zone"][:64]}) from None


@router.post(UPLOAD_PATH, response_class=HTMLResponse, include_in_schema=False)
async def upload(request: Request, conn: ConnDep, engine: EngineDep, user: Importer, viewer: ViewerDep,
                 settings: SettingsDep, now: NowDep) -> Response:
    raw = await request.form(max_files=1, max_fields=20)
    try:
        return await _upload(request, raw, conn, engine, user, viewer, settings, now)
    finally:
        await raw.close()


async def _upload(request: Request, raw: FormData, conn: sa.Connection, engine: sa.Engine, user: User,
                  viewer: Viewer, settings: Settings, now: dt.datetime) -> Response:
    form = _defaults(settings.site_tz)
    form.update({name: str(value).strip() for name, value in raw.items() if name in _FIELDS and isinstance(value, str)})
    form["skip_invalid"] = "1" if raw.get("skip_invalid") else ""
    action = raw.get("action")
    staged: Staged | None = None
    try:
        file = raw.get("file")  # staged before the choices are checked: a bad zone or format keeps the upload
        if isinstance(file, UploadFile) and (file.filename or file.size):
            staged = await stage_upload(file, user_id=user.id, max_bytes=settings.import_max_bytes)
            form["staged"] = staged.token
        elif form["staged"]:
            staged = staged_file(form["staged"], user_id=user.id)
        else:
            _checked_form(form)
            raise UploadProblem("no_file", "file")
        _checked_form(form)
        options = _options(form, form["format"])
        guess, fmt, preview = check_upload(staged, fmt=form["format"], zone=form["zone"], encoding=form["encoding"],
                                           options=options)
    except UploadProblem as problem:
        conn.rollback()
        if problem.field == "file":
            form["staged"] = ""
            staged = None
        return _page(request, viewer, conn, settings, now, form, problem=problem, staged=staged)
    if action != "import":
        return _page(request, viewer, conn, settings, now, form, staged=staged, preview={
            "guess": guess, "format": fmt, "chosen": form["format"], "result": preview},
            preview_rows=_rows(preview.calls, zoneinfo.ZoneInfo(form["zone"])))
    job_id = create_job(conn, file_name=staged.name, fmt=fmt, zone=form["zone"], encoding=form["encoding"],
                        size_bytes=staged.size_bytes, created_by=user.username, now=now)
    spec = ImportJobSpec(job_id=job_id, path=staged.path, file_name=staged.name, fmt=fmt, zone=form["zone"],
                         encoding=form["encoding"], skip_invalid=bool(form["skip_invalid"]), options=options,
                         max_text_chars=settings.import_max_bytes * TEXT_PER_UPLOAD_BYTE)
    # the job row commits when this handler returns; the worker is handed the job after that
    return RedirectResponse(f"/imports/{job_id}", status_code=303,
                            background=BackgroundTask(submit_import, engine, spec))


@router.get("/imports/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, job_id: JobId, conn: ConnDep, user: Importer, viewer: ViewerDep,
             now: NowDep) -> HTMLResponse:
    job = get_job(conn, job_id)
    return render(request, viewer, "imports/job.html", {"job": job, "status": job.shown_status(now)})


@router.get("/imports/{job_id}/rejects.csv", include_in_schema=False)
def job_rejects_file(job_id: JobId, conn: ConnDep, user: Importer) -> Response:
    text = job_rejects(conn, job_id)
    return Response(("\ufeff" + text).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment(f"import-{job_id}-rejects.csv"))


class ImportJobOut(BaseModel):
    id: int
    status: str
    phase: str
    file_name: str
    format: str
    percent: int
    done_bytes: int
    size_bytes: int
    records: int
    result: dict[str, Any] | None
    error: str | None
    rejects_url: str | None


def _job_out(job: ImportJob, now: dt.datetime) -> ImportJobOut:
    return ImportJobOut(id=job.id, status=job.shown_status(now), phase=job.phase, file_name=job.file_name,
                        format=job.format, percent=job.percent, done_bytes=job.done_bytes, size_bytes=job.size_bytes,
                        records=job.records, result=job.result, error=job.error,
                        rejects_url=f"/imports/{job.id}/rejects.csv" if job.has_rejects else None)


@router.get("/api/imports/{job_id}", response_model=ImportJobOut)
def job_api(job_id: JobId, conn: ConnDep, user: Importer, now: NowDep) -> ImportJobOut:
    """An import started from the web page: status (queued, running, done, failed, stalled), progress, result."""
    return _job_out(get_job(conn, job_id), now)
