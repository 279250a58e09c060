"""Import jobs (the web page's background imports) on SQLite and PostgreSQL: the runner records progress and the
result of the one import engine, a failure with nothing written, a stop when a file expands too far, and a job
whose process ended reads as stalled."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import sqlalchemy as sa

from callops.services.import_jobs import ImportJobSpec, run_import_job
from callops.store.import_jobs import MAX_REJECTS_CHARS, create_job, finish_job, get_job, job_rejects, recent_jobs
from callops.store.schema import calls

DEMO = Path(__file__).resolve().parents[1] / "src" / "callops" / "demo" / "calls_1999-01.txt.gz"
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def _extract(tmp_path: Path, rows: int, *, broken_line: int | None = None) -> Path:
    with gzip.open(DEMO, "rt", encoding="utf-8") as source:
        lines = [next(source) for _ in range(rows + 1)]
    if broken_line is not None:
        lines[broken_line - 1] = lines[broken_line - 1].replace("990101", "991341")
    path = tmp_path / "upload.bin"
    path.write_bytes(gzip.compress("".join(lines).encode()))
    return path


def _job(conn: sa.Connection, path: Path) -> int:
    return create_job(conn, file_name="head.txt.gz", fmt="anonymous-bank", zone="Asia/Jerusalem",
                      encoding="utf-8", size_bytes=path.stat().st_size, created_by="mia", now=NOW)


def _spec(job_id: int, path: Path, *, skip_invalid: bool = True, max_text_chars: int | None = None) -> ImportJobSpec:
    return ImportJobSpec(job_id=job_id, path=path, file_name="head.txt.gz", fmt="anonymous-bank",
                         zone="Asia/Jerusalem", encoding="utf-8", skip_invalid=skip_invalid,
                         max_text_chars=max_text_chars)


def _calls(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(calls)).scalar_one())


def test_a_job_runs_the_import_and_keeps_its_result_and_rejects(engine: sa.Engine, tmp_path: Path) -> None:
    path = _extract(tmp_path, 200, broken_line=7)
    with engine.begin() as conn:
        job_id = _job(conn, path)
        assert get_job(conn, job_id).status == "queued"
    run_import_job(engine, _spec(job_id, path), clock=lambda: NOW)
    with engine.connect() as conn:
        job = get_job(conn, job_id)
        rejects = job_rejects(conn, job_id)
        assert [j.id for j in recent_jobs(conn)] == [job_id]
    assert (job.status, job.phase, job.percent) == ("done", "finished", 100)
    assert job.result is not None and job.result["rejected"] == 1 and job.result["inserted"] == _calls(engine) > 150
    assert job.has_rejects and "head.txt.gz,7,date," in rejects and str(path) not in rejects
    assert not path.exists()  # the staged upload is removed


def test_a_strict_job_fails_naming_the_line_and_writes_nothing(engine: sa.Engine, tmp_path: Path) -> None:
    path = _extract(tmp_path, 50, broken_line=9)
    with engine.begin() as conn:
        job_id = _job(conn, path)
    run_import_job(engine, _spec(job_id, path, skip_invalid=False), clock=lambda: NOW)
    with engine.connect() as conn:
        job = get_job(conn, job_id)
    assert job.status == "failed" and job.error is not None and job.error.startswith("head.txt.gz, line 9")
    assert _calls(engine) == 0 and not job.has_rejects


def test_a_file_that_expands_too_far_is_stopped(engine: sa.Engine, tmp_path: Path) -> None:
    path = _extract(tmp_path, 3000)
    with engine.begin() as conn:
        job_id = _job(conn, path)
    run_import_job(engine, _spec(job_id, path, max_text_chars=100_000), clock=lambda: NOW)
    with engine.connect() as conn:
        job = get_job(conn, job_id)
    assert job.status == "failed" and job.error is not None and "more than 100,000 characters" in job.error
    assert _calls(engine) == 0


def test_a_job_that_stopped_reporting_reads_as_stalled_and_long_rejects_are_cut(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        job_id = create_job(conn, file_name="x", fmt="csv", zone="UTC", encoding="utf-8", size_bytes=10,
                            created_by="mia", now=NOW)
        job = get_job(conn, job_id)
        assert job.shown_status(NOW + dt.timedelta(minutes=5)) == "queued"
        assert job.shown_status(NOW + dt.timedelta(minutes=11)) == "stalled"
        long = "file,line,field,reason,raw\n" + "x,1,,bad,raw\n" * (MAX_REJECTS_CHARS // 10)
        finish_job(conn, job_id, result={"inserted": 0, "calls": 0}, rejects_csv=long, now=NOW)
        kept = job_rejects(conn, job_id)
        assert len(kept) < MAX_REJECTS_CHARS + 200 and kept.endswith("characters,\n")
        assert get_job(conn, job_id).shown_status(NOW + dt.timedelta(days=1)) == "done"
