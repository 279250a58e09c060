"""Published sampling rules and their draws (``qa_sampling_rules``, ``qa_draws``).

A rule row keeps the rule's published form, its seed commitment and the secret seed itself, which
leaves the server only inside the draw record, after the draw. A draw row is written at the freeze
(the eligible calls and their hash), gets the public randomness later, and the record at the draw.
The stored calls become ``CallSummary`` values here: real calls (no scenario) with an agent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, NotFound
from callops.quality import (
    CallSummary,
    DrawRecord,
    SamplingRule,
    draw_from_mapping,
    draw_to_mapping,
    rule_from_mapping,
    rule_to_mapping,
)
from callops.store.records import of_scenario
from callops.store.schema import calls, qa_draws, qa_sampling_rules

__all__ = ["StoredRule", "StoredDraw", "insert_rule", "replace_rule", "get_rule", "list_rules", "call_summaries",
           "summary_to_json", "summary_from_json", "insert_freeze", "set_public_random", "set_draw_record",
           "get_draw", "list_draws"]


@dataclass(frozen=True, slots=True)
class StoredRule:
    rule_pk: int
    rule: SamplingRule
    filed_by: str
    seed_commitment: str
    secret_seed: str | None  # never shown before the draw


@dataclass(frozen=True, slots=True)
class StoredDraw:
    draw_id: int
    rule_pk: int
    rule_name: str
    frozen_at: dt.datetime
    eligible_hash: str
    eligible: tuple[CallSummary, ...]
    public_random: str | None
    public_random_at: dt.datetime | None
    record: DrawRecord | None
    record_json: dict[str, Any] | None  # exactly as stored, for the public download
    drawn_at: dt.datetime | None


def _rule(row: sa.Row[Any]) -> StoredRule:
    return StoredRule(int(row.id), rule_from_mapping(row.definition, source=f"rule {row.name}"), row.filed_by,
                      row.seed_commitment, row.secret_seed)


def insert_rule(conn: sa.Connection, rule: SamplingRule, *, by: str, commitment: str, secret_seed: str) -> StoredRule:
    exists = conn.execute(sa.select(qa_sampling_rules.c.id).where(qa_sampling_rules.c.name == rule.rule_id)).first()
    if exists is not None:
        raise Conflict(f"a sampling rule named {rule.rule_id!r} is filed already")
    conn.execute(qa_sampling_rules.insert().values(
        name=rule.rule_id, definition=rule_to_mapping(rule), period_start_at=rule.period_start,
        period_end_at=rule.period_end, filed_at=rule.filed_at, filed_by=by, seed_commitment=commitment,
        secret_seed=secret_seed))
    return get_rule(conn, rule.rule_id)


def replace_rule(conn: sa.Connection, rule: SamplingRule, *, by: str) -> StoredRule:
    """Overwrite a filed rule's definition (the caller checked it is not locked); the seed stays."""
    conn.execute(qa_sampling_rules.update().where(qa_sampling_rules.c.name == rule.rule_id).values(
        definition=rule_to_mapping(rule), period_start_at=rule.period_start, period_end_at=rule.period_end,
        filed_at=rule.filed_at, filed_by=by))
    return get_rule(conn, rule.rule_id)


def get_rule(conn: sa.Connection, name: str) -> StoredRule:
    row = conn.execute(sa.select(qa_sampling_rules).where(qa_sampling_rules.c.name == name)).first()
    if row is None:
        raise NotFound(f"no sampling rule {name!r}")
    return _rule(row)


def list_rules(conn: sa.Connection) -> list[StoredRule]:
    rows = conn.execute(sa.select(qa_sampling_rules).order_by(qa_sampling_rules.c.period_start_at.desc(),
                                                               qa_sampling_rules.c.name))
    return [_rule(r) for r in rows]


def call_summaries(conn: sa.Connection, start: dt.datetime, end: dt.datetime) -> list[CallSummary]:
    """Real calls with an agent that started in [start, end); the duration is the talk time (the recording)."""
    query = (sa.select(calls.c.id, calls.c.agent, calls.c.queue, calls.c.started_at, calls.c.talk_s, calls.c.outcome)
             .where(of_scenario(calls.c.scenario, None), calls.c.agent.is_not(None), calls.c.started_at >= start,
                    calls.c.started_at < end).order_by(calls.c.id))
    return [CallSummary(str(r.id), str(r.agent), r.queue or "none", r.started_at, float(r.talk_s), str(r.outcome))
            for r in conn.execute(query)]


def summary_to_json(call: CallSummary) -> dict[str, Any]:
    return {"call_id": call.call_id, "agent": call.agent, "queue": call.queue,
            "started_at": call.started_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "duration_s": call.duration_s, "outcome": call.outcome}


def summary_from_json(data: dict[str, Any]) -> CallSummary:
    return CallSummary(str(data["call_id"]), str(data["agent"]), str(data["queue"]),
                       dt.datetime.fromisoformat(str(data["started_at"])).astimezone(dt.UTC),
                       float(data["duration_s"]), str(data["outcome"]))


def _draw(row: sa.Row[Any]) -> StoredDraw:
    record = None if row.record is None else draw_from_mapping(row.record, source=f"draw {row.name}")
    return StoredDraw(int(row.id), int(row.rule_id), row.name, row.frozen_at, row.eligible_hash,
                      tuple(summary_from_json(c) for c in row.eligible), row.public_random, row.public_random_at,
                      record, row.record, row.drawn_at)


def _draw_query() -> sa.Select[Any]:
    return sa.select(qa_draws, qa_sampling_rules.c.name).join(
        qa_sampling_rules, qa_sampling_rules.c.id == qa_draws.c.rule_id)


def insert_freeze(conn: sa.Connection, rule: StoredRule, *, frozen_at: dt.datetime, eligible_hash: str,
                  eligible: tuple[CallSummary, ...]) -> StoredDraw:
    exists = conn.execute(sa.select(qa_draws.c.id).where(qa_draws.c.rule_id == rule.rule_pk)).first()
    if exists is not None:
        raise Conflict(f"the calls of rule {rule.rule.rule_id!r} are frozen already")
    conn.execute(qa_draws.insert().values(rule_id=rule.rule_pk, frozen_at=frozen_at, eligible_hash=eligible_hash,
                                          eligible=[summary_to_json(c) for c in eligible]))
    return get_draw(conn, rule.rule.rule_id)


def set_public_random(conn: sa.Connection, draw: StoredDraw, *, value: str, at: dt.datetime) -> StoredDraw:
    done = conn.execute(qa_draws.update().where(qa_draws.c.id == draw.draw_id, qa_draws.c.public_random.is_(None))
                        .values(public_random=value, public_random_at=at))
    if done.rowcount != 1:
        raise Conflict(f"the public randomness of rule {draw.rule_name!r} is entered already")
    return get_draw(conn, draw.rule_name)


def set_draw_record(conn: sa.Connection, draw: StoredDraw, record: DrawRecord, *, at: dt.datetime) -> StoredDraw:
    done = conn.execute(qa_draws.update().where(qa_draws.c.id == draw.draw_id, qa_draws.c.record.is_(None))
                        .values(record=draw_to_mapping(record), seed=record.seed, drawn_at=at))
    if done.rowcount != 1:
        raise Conflict(f"rule {draw.rule_name!r} is drawn already")
    return get_draw(conn, draw.rule_name)


def get_draw(conn: sa.Connection, rule_name: str) -> StoredDraw:
    row = conn.execute(_draw_query().where(qa_sampling_rules.c.name == rule_name)).first()
    if row is None:
        raise NotFound(f"the calls of rule {rule_name!r} are not frozen yet")
    return _draw(row)


def list_draws(conn: sa.Connection) -> list[StoredDraw]:
    return [_draw(r) for r in conn.execute(_draw_query().order_by(qa_draws.c.frozen_at.desc()))]
