"""Runs a queued roster build in a background thread, so the page answers at once and shows progress.

The request that queues the job commits it; the thread starts after (``BackgroundTasks``), marks the job
running in its own short transaction, solves outside any transaction (the time limit bounds it), then saves
the roster and marks the job done in one more, or failed with the reason. It holds one pooled connection at
a time and never the request's.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa

from callops.errors import CallopsError
from callops.services.roster_builds import save_build, solve_job
from callops.store.roster_builds import finish_job, get_job, job_inputs, start_job

__all__ = ["run_job", "start_job_thread"]

_log = logging.getLogger(__name__)


def run_job(engine: sa.Engine, job_id: int, clock: Callable[[], dt.datetime]) -> None:
    """Run job ``job_id`` to done or failed (nothing when another runner took it first)."""
    with engine.begin() as conn:
        if not start_job(conn, job_id, now=clock()):
            return
        job = get_job(conn, job_id)
        inputs = job_inputs(conn, job_id)
    try:
        result = solve_job(inputs, job.params)
    except CallopsError as exc:
        with engine.begin() as conn:
            finish_job(conn, job_id, now=clock(), error=str(exc))
        return
    except Exception:  # a bug: logged with its traceback; the job says so instead of staying "running"
        _log.exception("roster job %s failed", job_id)
        with engine.begin() as conn:
            finish_job(conn, job_id, now=clock(), error="internal error: the server logged the details")
        return
    with engine.begin() as conn:
        stored = save_build(conn, job.name, result, inputs, tz=str(job.params["tz"]), now=clock(), by=job.created_by)
        finish_job(conn, job_id, now=clock(), version=stored.version, summary={
            k: v for k, v in stored.summary.items() if k != "penalties"})


def start_job_thread(engine: sa.Engine, job_id: int, clock: Callable[[], dt.datetime]) -> None:
    """Start the thread running job ``job_id`` (call it after the job row is committed)."""
    threading.Thread(target=run_job, args=(engine, job_id, clock), name=f"callops-roster-job-{job_id}",
                     daemon=True).start()
