"""Saved staffing plans, versioned by name: saving under a name again makes the next version."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import NotFound
from callops.scheduling import PlanInterval, StaffingPlan, StaffingTargets
from callops.store.engine import new_id
from callops.store.schema import staffing_plan_intervals, staffing_plans

__all__ = ["save_plan", "load_plan", "list_plans", "delete_plan"]


def save_plan(conn: sa.Connection, plan: StaffingPlan, *, now: dt.datetime) -> StaffingPlan:
    """Store ``plan`` as the next version of its name; returns it with id, version and time."""
    latest = conn.execute(sa.select(sa.func.max(staffing_plans.c.version))
                          .where(staffing_plans.c.name == plan.name)).scalar_one()
    version = (latest or 0) + 1
    result = conn.execute(staffing_plans.insert().values(
        name=plan.name, version=version, created_at=now, created_by=plan.created_by, forecast_id=plan.forecast_id,
        queue=plan.queue, interval_min=plan.targets.interval_min, targets=plan.targets.as_dict(), note=plan.note))
    plan_id = new_id(result)
    if plan.intervals:
        conn.execute(staffing_plan_intervals.insert(), [{
            "plan_id": plan_id, "interval_start_at": i.start_at, "calls": i.calls, "aht_s": i.aht_s,
            "agents": i.agents, "scheduled": i.scheduled, "service_level": i.service_level, "asa_s": i.asa_s,
            "p_abandon": i.p_abandon, "occupancy": i.occupancy} for i in plan.intervals])
    return load_plan(conn, plan.name, version)


def load_plan(conn: sa.Connection, name: str, version: int | None = None) -> StaffingPlan:
    """The plan ``name`` at ``version`` (default: the newest)."""
    query = sa.select(staffing_plans).where(staffing_plans.c.name == name)
    query = query.where(staffing_plans.c.version == version) if version else query.order_by(
        staffing_plans.c.version.desc())
    head = conn.execute(query.limit(1)).first()
    if head is None:
        raise NotFound(f"no staffing plan {name!r}" + (f" version {version}" if version else ""))
    rows = conn.execute(sa.select(staffing_plan_intervals).where(staffing_plan_intervals.c.plan_id == head.id)
                        .order_by(staffing_plan_intervals.c.interval_start_at))
    intervals = tuple(PlanInterval(start_at=r.interval_start_at, calls=r.calls, aht_s=r.aht_s, agents=r.agents,
                                   scheduled=r.scheduled, service_level=r.service_level, asa_s=r.asa_s,
                                   p_abandon=r.p_abandon, occupancy=r.occupancy) for r in rows)
    return StaffingPlan(name=head.name, version=head.version, targets=StaffingTargets(**head.targets),
                        intervals=intervals, queue=head.queue, note=head.note, created_at=head.created_at,
                        created_by=head.created_by, forecast_id=head.forecast_id, plan_id=head.id)


def list_plans(conn: sa.Connection) -> list[tuple[str, int, dt.datetime, str | None]]:
    """(name, version, created_at, queue) of every saved plan, newest first."""
    query = sa.select(staffing_plans.c.name, staffing_plans.c.version, staffing_plans.c.created_at,
                      staffing_plans.c.queue).order_by(staffing_plans.c.created_at.desc(),
                                                       staffing_plans.c.version.desc())
    return [(r.name, r.version, r.created_at, r.queue) for r in conn.execute(query)]


def delete_plan(conn: sa.Connection, name: str, version: int | None = None) -> int:
    """Delete the plan ``name`` (every version, or only ``version``); returns how many versions went.

    The forecasts it was built from stay. Deleting nothing is ``NotFound``.
    """
    where = staffing_plans.c.name == name
    if version is not None:
        where = sa.and_(where, staffing_plans.c.version == version)
    ids = [row.id for row in conn.execute(sa.select(staffing_plans.c.id).where(where))]
    if not ids:
        raise NotFound(f"no staffing plan {name!r}" + (f" version {version}" if version else ""))
    conn.execute(staffing_plan_intervals.delete().where(staffing_plan_intervals.c.plan_id.in_(ids)))
    conn.execute(staffing_plans.delete().where(staffing_plans.c.id.in_(ids)))
    return len(ids)
