"""Simulation runs saved as scenarios: one implementation for ``callops simulate --save`` and the simulation page
and API (``POST /api/simulation/run`` with ``"save"``).

``save_run`` stores ONE replication of a run (``scenario_to_records`` seeded by the run's seed) under the
scenario's new name, with what was simulated (``definition``: the YAML mapping, or the single-queue fields of
``single_queue_definition``), the replications, the seed and the Result summary. ``scenario_json`` is one saved
scenario as ``callops scenarios list --json`` and ``GET /api/simulation/scenarios`` give it. Nothing here
commits; the caller does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zoneinfo
from typing import Any

import sqlalchemy as sa

from callops.simulation import Result, Scenario, scenario_to_records
from callops.store.scenarios import SavedScenario, save_scenario
from callops.yaml_input import load_yaml

__all__ = ["save_run", "scenario_json", "single_queue_definition", "yaml_definition"]


def single_queue_definition(*, calls: float, interval_s: float, aht_s: float, agents: int, hours: float,
                            patience_s: float | None, sl_time_s: float) -> dict[str, Any]:
    """The definition kept for a single queue: the fields of ``callops simulate --calls ...``."""
    return {"calls": calls, "interval_s": interval_s, "aht_s": aht_s, "agents": agents, "hours": hours,
            "patience_s": patience_s, "sl_time_s": sl_time_s}


def yaml_definition(text: str) -> dict[str, Any]:
    """The definition kept for scenario YAML: its top-level mapping (empty when the text holds no mapping)."""
    loaded = load_yaml(text)
    return dict(loaded) if isinstance(loaded, dict) else {}


def save_run(conn: sa.Connection, name: str, *, scenario: Scenario, definition: dict[str, Any], result: Result,
             seed: int, now: dt.datetime, created_by: str | None = None) -> SavedScenario:
    """Store one replication's calls and agent intervals (seeded by ``seed``) as scenario ``name``, apart from
    real data, with the definition, ``result``'s replications and summary; replaces an earlier run of ``name``."""
    calls, intervals = scenario_to_records(dataclasses.replace(scenario, name=name), seed)
    return save_scenario(conn, name, definition=json.loads(json.dumps(definition, default=str)),
                         replications=result.replications, seed=seed, summary=result.as_dict(),
                         records=[*calls, *intervals], now=now, created_by=created_by)


def _local(at: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return None if at is None else at.astimezone(tz)


def scenario_json(saved: SavedScenario, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """A saved scenario: its calls, the local dates they span (``from``/``to`` of the reports), first and last
    call start, replications, seed and when it was saved, all in zone ``tz``."""
    first, last = _local(saved.first_call_at, tz), _local(saved.last_call_at, tz)
    return {"name": saved.name, "calls": saved.calls, "from": first.date().isoformat() if first else None,
            "to": last.date().isoformat() if last else None,
            "first_call_at": first.isoformat(timespec="seconds") if first else None,
            "last_call_at": last.isoformat(timespec="seconds") if last else None,
            "replications": saved.replications, "seed": saved.seed,
            "created_at": saved.created_at.astimezone(tz).isoformat(timespec="seconds")}
