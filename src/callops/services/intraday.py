"""Intraday management from a saved staffing plan: today's intervals of the plan, the actual calls of the plan's
queue so far (the canonical records, which the live feeds write as calls end), the re-forecast, the gap, and
what moving agents between the queues of two plans would do now (``callops.live.intraday``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.live.intraday import Intraday, MoveResult, PlanSlot, intraday, move_agents
from callops.queueing.staffing import ServiceTargets
from callops.scheduling.staffing_plan import StaffingPlan
from callops.store.plans import list_plans, load_plan
from callops.store.schema import calls
from callops.store.types import to_millis

__all__ = ["plan_intraday", "plan_move", "plan_names"]


def _today(plan: StaffingPlan, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> tuple[list[PlanSlot], dt.datetime]:
    day = now.astimezone(tz).date()
    start = dt.datetime.combine(day, dt.time(), tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    slots = [PlanSlot(i.start_at, i.calls, i.aht_s, i.agents) for i in plan.intervals if start <= i.start_at < end]
    if not slots:
        raise InvalidInput(f"plan {plan.name!r} has no interval on {day.isoformat()}", field="plan")
    return slots, start


def _actual(conn: sa.Connection, queue: str | None, start: dt.datetime, interval_s: int,
            slots: list[PlanSlot]) -> dict[dt.datetime, int]:
    raw = sa.type_coerce(calls.c.started_at, sa.BigInteger)
    start_ms = to_millis(slots[0].start_at)
    end_ms = to_millis(slots[-1].start_at) + interval_s * 1000
    bucket = ((raw - start_ms) // (interval_s * 1000)).label("bucket")
    conds = [calls.c.scenario.is_(None), raw >= start_ms, raw < end_ms]
    if queue is not None:
        conds.append(calls.c.queue == queue)
    rows = conn.execute(sa.select(sa.cast(bucket, sa.BigInteger), sa.func.count()).where(*conds).group_by(
        sa.cast(bucket, sa.BigInteger)))
    first = slots[0].start_at
    return {first + dt.timedelta(seconds=int(b) * interval_s): int(n) for b, n in rows}


def _targets(plan: StaffingPlan) -> ServiceTargets:
    t = plan.targets
    return ServiceTargets(service_level=t.service_level, sl_time_s=t.sl_time_s, asa_s=t.asa_s,
                          max_abandon=t.max_abandon, max_occupancy=t.max_occupancy)


def plan_intraday(conn: sa.Connection, name: str, *, now: dt.datetime, tz: zoneinfo.ZoneInfo,
                  version: int | None = None) -> tuple[StaffingPlan, Intraday]:
    plan = load_plan(conn, name, version)
    interval_s = plan.targets.interval_min * 60
    slots, start = _today(plan, now, tz)
    actual = _actual(conn, plan.queue, start, interval_s, slots)
    return plan, intraday(slots, actual, now, interval_s=interval_s, targets=_targets(plan),
                          patience_s=plan.targets.patience_s)


def plan_move(conn: sa.Connection, from_plan: str, to_plan: str, agents: int, *, now: dt.datetime,
              tz: zoneinfo.ZoneInfo) -> MoveResult:
    """Moving ``agents`` now from the queue of ``from_plan`` to that of ``to_plan`` (re-forecast calls)."""
    if from_plan == to_plan:
        raise InvalidInput("choose two different plans", field="to_plan")
    p1, a = plan_intraday(conn, from_plan, now=now, tz=tz)
    p2, b = plan_intraday(conn, to_plan, now=now, tz=tz)
    if p1.targets.interval_min != p2.targets.interval_min:
        raise InvalidInput("the two plans have different interval lengths", field="to_plan")
    ra = next((r for r in a.rows if r.state == "now"), None)
    rb = next((r for r in b.rows if r.state == "now"), None)
    if ra is None or rb is None:
        raise InvalidInput("the plan has no interval now", field="from_plan" if ra is None else "to_plan")
    return move_agents(agents=agents, from_calls=ra.reforecast_calls, from_aht_s=ra.aht_s,
                       from_agents=ra.planned_agents, to_calls=rb.reforecast_calls, to_aht_s=rb.aht_s,
                       to_agents=rb.planned_agents, interval_s=p1.targets.interval_min * 60,
                       sl_time_s=p2.targets.sl_time_s)


def plan_names(conn: sa.Connection) -> list[str]:
    """The names of the saved staffing plans (any version), sorted: the plans the floor can follow."""
    return sorted({name for name, _, _, _ in list_plans(conn)})
