"""Counting new hires as fractions of an agent in staffing (``callops.people.ramp_fraction``): the ramp table in
use (the site's, else measured from recent hires' learning curves, else the default) and the effective
headcount a staffing plan can count on."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import sqlalchemy as sa

from callops.people.ramp import RampPoint
from callops.people.ramp_fraction import (
    REFERENCE_WEEKS,
    EffectiveHeadcount,
    RampTable,
    effective_headcount,
    from_stored,
    measured_ramp_table,
)
from callops.scheduling import StaffingPlan
from callops.store.directory import list_agents
from callops.store.people import load_stints
from callops.store.people_activity import ramp_handle_by_week
from callops.store.qa_library import get_setting, set_setting
from callops.store.qa_reviews import write_audit

__all__ = ["RAMP_KEY", "MEASURE_HIRES", "MEASURE_DAYS", "ramp_table", "set_ramp_table", "effective_staff", "plan_staff"]

RAMP_KEY = "people.ramp_table"
_CACHE_SIZE = 64
_measured: dict[tuple[str, dt.date, str], RampTable] = {}  # measured once a day per database and zone, per process
_lock = threading.Lock()
MEASURE_HIRES = 200  # the latest hires whose learning curves the measured table reads (one query for all)
MEASURE_DAYS = 730  # ... hired within this many days before the reference weeks end


def ramp_table(conn: sa.Connection, *, today: dt.date, tz: zoneinfo.ZoneInfo) -> RampTable:
    """The site's table when set, else measured from the latest hires whose reference weeks have passed (once a
    day per database and zone in this process: the measurement reads every call of up to 200 hires' 26 weeks)."""
    stored = from_stored(get_setting(conn, RAMP_KEY, None))
    if stored is not None:
        return stored
    key = (conn.engine.url.render_as_string(hide_password=True), today, tz.key)
    with _lock:
        found = _measured.get(key)
    if found is not None:
        return found
    last = today - dt.timedelta(weeks=REFERENCE_WEEKS)
    first = last - dt.timedelta(days=MEASURE_DAYS)
    hires = sorted((s for s in load_stints(conn) if first <= s.hire_on <= last), key=lambda s: s.hire_on)
    pooled = ramp_handle_by_week(conn, hires[-MEASURE_HIRES:], tz=tz, weeks=REFERENCE_WEEKS)
    table = measured_ramp_table(
        [RampPoint("all", week, 0, n, round(handle / n, 3) if n else None, None, 0, None) for week, n, handle in pooled]
    )
    with _lock:
        if len(_measured) >= _CACHE_SIZE:
            _measured.clear()
        _measured[key] = table
    return table


def set_ramp_table(conn: sa.Connection, table: RampTable | None, *, actor: str, now: dt.datetime) -> None:
    """Set the site's table (None: back to measured / default); audited as ``ramp_table.set``."""
    before = from_stored(get_setting(conn, RAMP_KEY, None))
    value = list(table.fractions) if table is not None else None
    set_setting(conn, RAMP_KEY, value)
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="ramp_table.set",
        subject="site:ramp_table",
        details={"before": list(before.fractions) if before else None, "after": value},
    )


def effective_staff(conn: sa.Connection, *, on: dt.date, queue: str | None, table: RampTable) -> EffectiveHeadcount:
    """The directory's active agents (with ``queue`` among their skills when given), each weighted by the ramp
    table at their tenure week on ``on`` (by their people record; no record: experienced)."""
    hired: dict[str, dt.date] = {}
    stints = load_stints(conn)
    for stint in stints:
        if stint.employed_on(on):
            hired[stint.person] = stint.hire_on
    for stint in stints:  # not employed that day but hired later: left out of the count
        if stint.hire_on > on and stint.person not in hired:
            hired[stint.person] = stint.hire_on
    people = {a.agent_id: hired.get(a.agent_id) for a in list_agents(conn) if queue is None or queue in a.skills}
    return effective_headcount(people, on=on, table=table)


def plan_staff(
    conn: sa.Connection, plan: StaffingPlan, *, tz: zoneinfo.ZoneInfo, today: dt.date
) -> dict[str, object] | None:
    """The effective headcount on the plan's first day against its peak of scheduled agents (None: no intervals)."""
    if not plan.intervals:
        return None
    on = plan.intervals[0].start_at.astimezone(tz).date()
    table = ramp_table(conn, today=today, tz=tz)
    staff = effective_staff(conn, on=on, queue=plan.queue, table=table)
    peak = plan.peak_scheduled
    return {
        **staff.as_dict(),
        "ramp_source": table.source,
        "peak_scheduled": peak,
        "gap": round(staff.effective - peak, 4),
    }
