"""Simulation runs kept as scenarios: their calls and agent intervals carry the scenario's name,
so the metrics layer reports them like real calls while real-data queries never see them.
Saving a scenario again replaces its previous run; deleting one removes its records. A saved scenario
tells the span of its calls (first and last start), the dates to report it over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.metrics.zones import DAY_MS
from callops.records import AgentInterval, Call
from callops.store.kpi_aggregates import forget_scenario
from callops.store.records import insert_calls, insert_intervals
from callops.store.schema import agent_intervals, calls, scenarios

__all__ = ["SavedScenario", "check_scenario_name", "save_scenario", "get_scenario", "list_scenarios",
           "delete_scenario"]


@dataclass(frozen=True, slots=True)
class SavedScenario:
    """A stored run: what was simulated, its summary, and how many calls it holds over which span."""

    name: str
    created_at: dt.datetime
    created_by: str | None
    definition: Mapping[str, Any]
    replications: int
    seed: int
    summary: Mapping[str, Any]
    calls: int
    first_call_at: dt.datetime | None  # start of the earliest call (UTC); None without calls
    last_call_at: dt.datetime | None  # start of the latest call


def check_scenario_name(name: str, *, field: str = "name") -> None:
    """Refuse a name that is not 1-80 letters, digits, '-', '_' or '.' (``InvalidInput`` on ``field``)."""
    if not name or len(name) > 80 or not all(ch.isalnum() or ch in "-_." for ch in name):
        raise InvalidInput(f"scenario name {name!r} must be 1-80 letters, digits, '-', '_' or '.'", field=field)


def _days(conn: sa.Connection, name: str) -> set[int]:
    """The UTC day numbers of scenario ``name``'s calls and agent states (what deleting them changes)."""
    out: set[int] = set()
    for table, start in ((calls, "started_at"), (agent_intervals, "start_at")):
        day = sa.type_coerce(table.c[start], sa.BigInteger) // DAY_MS
        out.update(int(d) for d in conn.execute(sa.select(day).where(table.c.scenario == name).distinct()).scalars())
    return out


def _delete_rows(conn: sa.Connection, name: str) -> None:
    days = _days(conn, name)
    conn.execute(calls.delete().where(calls.c.scenario == name))
    forget_scenario(conn, name, days)
    conn.execute(agent_intervals.delete().where(agent_intervals.c.scenario == name))
    conn.execute(scenarios.delete().where(scenarios.c.name == name))


def delete_scenario(conn: sa.Connection, name: str) -> SavedScenario:
    """Remove scenario ``name`` with its calls and agent intervals and return what it held; NotFound when it was
    never saved."""
    saved = get_scenario(conn, name)
    _delete_rows(conn, name)
    return saved


def save_scenario(conn: sa.Connection, name: str, *, definition: Mapping[str, Any], replications: int, seed: int,
                  summary: Mapping[str, Any], records: Iterable[Call | AgentInterval], now: dt.datetime,
                  created_by: str | None = None) -> SavedScenario:
    """Replace scenario ``name`` with this run; every record must carry ``scenario=name``."""
    check_scenario_name(name)
    _delete_rows(conn, name)
    conn.execute(scenarios.insert().values(name=name, created_at=now, created_by=created_by,
                                           definition=dict(definition), replications=replications, seed=seed,
                                           summary=dict(summary)))
    call_batch: list[Call] = []
    interval_batch: list[AgentInterval] = []
    for record in records:
        if record.scenario != name:
            raise InvalidInput(f"a record of scenario {record.scenario!r} cannot be saved under {name!r}",
                               field="scenario")
        (call_batch if isinstance(record, Call) else interval_batch).append(record)  # type: ignore[arg-type]
    insert_calls(conn, call_batch)
    insert_intervals(conn, interval_batch)
    return get_scenario(conn, name)


def _saved(name: str | None = None) -> sa.Select[Any]:
    """Each scenario (or only ``name``) with the count and the first and last start of its calls."""
    of = calls.c.scenario.is_not(None) if name is None else calls.c.scenario == name
    span = (sa.select(calls.c.scenario, sa.func.count().label("calls"),
                      sa.func.min(calls.c.started_at).label("first_call_at"),
                      sa.func.max(calls.c.started_at).label("last_call_at"))
            .where(of).group_by(calls.c.scenario).subquery("span"))
    query = (sa.select(scenarios, span.c.calls, span.c.first_call_at, span.c.last_call_at)
             .outerjoin(span, span.c.scenario == scenarios.c.name))
    return query if name is None else query.where(scenarios.c.name == name)


_ALL_SAVED = _saved().order_by(scenarios.c.created_at.desc(), scenarios.c.name)  # built once: every report page


def _scenario(row: sa.Row[Any]) -> SavedScenario:
    return SavedScenario(name=row.name, created_at=row.created_at, created_by=row.created_by,
                         definition=row.definition, replications=row.replications, seed=row.seed,
                         summary=row.summary, calls=int(row.calls or 0), first_call_at=row.first_call_at,
                         last_call_at=row.last_call_at)


def get_scenario(conn: sa.Connection, name: str) -> SavedScenario:
    """Scenario ``name``; NotFound when it was never saved."""
    row = conn.execute(_saved(name)).first()
    if row is None:
        raise NotFound(f"no scenario {name!r}: `callops scenarios list` shows the saved ones")
    return _scenario(row)


def list_scenarios(conn: sa.Connection) -> list[SavedScenario]:
    """Every saved scenario, newest first."""
    return [_scenario(row) for row in conn.execute(_ALL_SAVED)]
