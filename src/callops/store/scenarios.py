"""Simulation runs kept as scenarios: their calls and agent intervals carry the scenario's name,
so the metrics layer reports them like real calls while real-data queries never see them.
Saving a scenario again replaces its previous run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.records import AgentInterval, Call
from callops.store.records import insert_calls, insert_intervals
from callops.store.schema import agent_intervals, calls, scenarios

__all__ = ["SavedScenario", "save_scenario", "get_scenario", "list_scenarios", "delete_scenario"]


@dataclass(frozen=True, slots=True)
class SavedScenario:
    name: str
    created_at: dt.datetime
    created_by: str | None
    definition: Mapping[str, Any]
    replications: int
    seed: int
    summary: Mapping[str, Any]
    calls: int


def _check_name(name: str) -> None:
    if not name or len(name) > 80 or not all(ch.isalnum() or ch in "-_." for ch in name):
        raise InvalidInput(f"scenario name {name!r} must be 1-80 letters, digits, '-', '_' or '.'", field="name")


def delete_scenario(conn: sa.Connection, name: str) -> None:
    conn.execute(calls.delete().where(calls.c.scenario == name))
    conn.execute(agent_intervals.delete().where(agent_intervals.c.scenario == name))
    conn.execute(scenarios.delete().where(scenarios.c.name == name))


def save_scenario(conn: sa.Connection, name: str, *, definition: Mapping[str, Any], replications: int, seed: int,
                  summary: Mapping[str, Any], records: Iterable[Call | AgentInterval], now: dt.datetime,
                  created_by: str | None = None) -> SavedScenario:
    """Replace scenario ``name`` with this run; every record must carry ``scenario=name``."""
    _check_name(name)
    delete_scenario(conn, name)
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


def get_scenario(conn: sa.Connection, name: str) -> SavedScenario:
    row = conn.execute(sa.select(scenarios).where(scenarios.c.name == name)).first()
    if row is None:
        raise NotFound(f"no scenario {name!r}")
    count = conn.execute(sa.select(sa.func.count()).select_from(calls).where(calls.c.scenario == name)).scalar_one()
    return SavedScenario(name=row.name, created_at=row.created_at, created_by=row.created_by,
                         definition=row.definition, replications=row.replications, seed=row.seed,
                         summary=row.summary, calls=int(count))


def list_scenarios(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.select(scenarios.c.name).order_by(scenarios.c.created_at.desc())).scalars())
