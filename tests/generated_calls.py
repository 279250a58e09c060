"""Generated calls for the KPI pre-aggregate tests (reproducible from a seed, millisecond waits, every outcome,
inbound and outbound) and the pre-aggregate tables' contents to compare after writes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from callops.records import Call, Direction, Outcome
from callops.store.schema import KPI_LEVELS

__all__ = ["generated_calls", "aggregate_tables"]

_OUTCOMES = [Outcome.ANSWERED] * 12 + [Outcome.ABANDONED] * 3 + [
    Outcome.TRANSFERRED, Outcome.TIMEOUT, Outcome.CALLBACK, Outcome.IVR_SELF_SERVICE, Outcome.IVR_HANGUP]


def generated_calls(first: dt.datetime, days: int, per_day: int, *, seed: int, scenario: str | None = None,
                    source: str = "gen") -> Iterator[Call]:
    """Inbound and outbound calls spread over ``days`` from ``first`` (UTC), waits with millisecond fractions."""
    rng = random.Random(seed)
    for n in range(days * per_day):
        at = first + dt.timedelta(milliseconds=rng.randrange(days * 86_400_000))
        if rng.random() < 0.15:
            outcome = rng.choice([Outcome.ANSWERED, Outcome.NO_ANSWER, Outcome.BUSY])
            yield Call(source=source, source_call_id=f"o{seed}-{n}", direction=Direction.OUTBOUND, outcome=outcome,
                       agent=rng.choice(["a1", "a2", "a3"]), answered_at=at if outcome.answered else None,
                       ended_at=at + dt.timedelta(seconds=60), talk_s=rng.randrange(0, 300_000) / 1000,
                       disposition=rng.choice([None, "contacted", "converted", "refused"]), scenario=scenario)
            continue
        outcome = rng.choice(_OUTCOMES)
        ivr = outcome in (Outcome.IVR_SELF_SERVICE, Outcome.IVR_HANGUP)
        wait = rng.choice([0, 20, 120, 600, 3600]) + rng.choice([0.0, 0.001, -0.001]) if rng.random() < 0.2 \
            else rng.randrange(0, 900_000) / 1000
        wait = max(wait, 0.0)
        times: dict[str, Any] = {"ivr_entered_at": at, "ended_at": at + dt.timedelta(seconds=30)} if ivr else {
            "queue_entered_at": at, "ended_at": at + dt.timedelta(seconds=wait + 200)}
        if outcome.answered:
            times["answered_at"] = at + dt.timedelta(seconds=wait)
        yield Call(source=source, source_call_id=f"i{seed}-{n}", direction=Direction.INBOUND, outcome=outcome,
                   queue=rng.choice(["sales", "care", None]), call_type=rng.choice(["new", "billing"]),
                   caller_number=rng.choice([None, *(str(i) for i in range(40))]), priority=rng.choice([0, 0, 1]),
                   agent=rng.choice(["a1", "a2", "a3", "a4"]) if outcome.answered else None,
                   talk_s=rng.randrange(0, 600_000) / 1000 if outcome.answered else 0.0,
                   hold_s=rng.randrange(0, 60_000) / 1000 if outcome.answered else 0.0,
                   acw_s=rng.randrange(0, 90_000) / 1000 if outcome.answered else 0.0,
                   issue_resolved=rng.choice([None, True, False]) if outcome.answered else None,
                   csat=rng.choice([None, None, 1, 3, 5]), scenario=scenario, **times)


def aggregate_tables(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every pre-aggregate table's rows, sorted: two databases holding the same aggregates compare equal."""
    out = {}
    with engine.connect() as conn:
        for tables in KPI_LEVELS:
            for t in tables:
                rows = [tuple(r) for r in conn.execute(sa.select(t))]
                out[t.name] = sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))
    return out
