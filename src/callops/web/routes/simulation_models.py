"""Typed answers of the simulation API, so /openapi.json (and /docs) name their keys.

The JSON stays that of the CLI (``callops simulate --json``, ``callops scenarios list --json``,
``callops replay --json``): fields are declared in the order the services write them, and measures are
``Number`` (``int | float``) so a whole value keeps its JSON form (``0`` does not become ``0.0``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callops.simulation.replay import Capacity

Number = int | float


class SavedScenarioOut(BaseModel):
    """A saved scenario as ``callops scenarios list --json`` lists it, times in the site's zone."""

    model_config = ConfigDict(populate_by_name=True)

    name: str
    calls: int = Field(description="simulated calls stored")
    from_: str | None = Field(alias="from", description="first local date of its calls (YYYY-MM-DD)")
    to: str | None = Field(description="last local date of its calls (YYYY-MM-DD)")
    first_call_at: str | None = Field(description="first call start, ISO 8601 with offset")
    last_call_at: str | None = Field(description="last call start, ISO 8601 with offset")
    replications: int
    seed: int
    created_at: str = Field(description="when it was saved, ISO 8601 with offset")


class SimulationRunOut(BaseModel):
    """One or two scenarios' results; ``saved`` only with ``save``."""

    replications: int
    seed: int
    metrics: list[str] = Field(description="the metric keys of each result")
    results: list[dict[str, Any]] = Field(
        description="per scenario: each metric as {mean, ci95: [low, high]}, offered_mean, the <outcome>_mean "
                    "counts, queues (per queue, with more than one), replications and scenario")
    saved: SavedScenarioOut | None = Field(default=None, description="the stored scenario (with save only)")


class ReplayHourOut(BaseModel):
    """One hour of the average day: actual against simulated."""

    hour: int = Field(description="local hour of the day, 0-23")
    offered_per_day: Number
    agents: int
    service_level_actual: Number
    service_level_sim: Number
    asa_s_actual: Number
    asa_s_sim: Number
    p_abandon_actual: Number
    p_abandon_sim: Number


class ReplayOut(BaseModel):
    """Recorded history replayed through the simulator (``callops replay --json``)."""

    queue: str | None = Field(description="the queue replayed (null: all)")
    days: int
    calls: int
    capacity: Capacity = Field(description="how agent capacity was taken from the history")
    patience_s: Number = Field(description="the patience fitted to the history, seconds")
    replications: int
    seed: int
    hours: list[ReplayHourOut]
    mean_absolute_error: dict[str, Number] = Field(description="per measure, over the compared hours")
