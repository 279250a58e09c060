"""Stored rules and draws: the eligible calls from the calls table, freezing once, a record that re-verifies."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import Conflict, NotFound
from callops.quality import draw_sample, rule_from_mapping, seed_commitment, verify_draw
from callops.records import Call, Direction, Outcome
from callops.store.qa_sampling import (
    call_summaries,
    get_draw,
    get_rule,
    insert_freeze,
    insert_rule,
    set_draw_record,
    set_public_random,
    summary_from_json,
    summary_to_json,
)
from callops.store.records import insert_calls

UTC = dt.UTC
START = dt.datetime(2026, 3, 2, tzinfo=UTC)
SEED = "s" * 32
RULE = rule_from_mapping({
    "rule_id": "w10", "filed_at": "2026-02-27T00:00:00Z", "timezone": "UTC", "per": "agent_period",
    "period": {"start": "2026-03-02T00:00:00Z", "end": "2026-03-03T00:00:00Z"}, "select": {"pick": "random", "n": 1}})


def _calls() -> list[Call]:
    out = []
    for n, (agent, scenario) in enumerate([("A1", None), ("A1", None), ("A2", None), (None, None), ("A1", "sim")]):
        at = START + dt.timedelta(hours=n + 1)
        out.append(Call(source="t", source_call_id=f"c{n}", direction=Direction.INBOUND, outcome=Outcome.ANSWERED,
                        queue="PS", queue_entered_at=at, answered_at=at, agent=agent, talk_s=61.5, scenario=scenario))
    return out


def test_summaries_are_real_calls_with_an_agent(engine: sa.Engine) -> None:
    """Simulated calls and calls without an agent are not sampled; summaries survive their JSON form."""
    with engine.begin() as conn:
        insert_calls(conn, _calls())
        found = call_summaries(conn, START, START + dt.timedelta(days=1))
    assert [c.agent for c in found] == ["A1", "A1", "A2"]
    assert all(summary_from_json(summary_to_json(c)) == c for c in found)


def test_rule_freeze_and_draw_are_stored_once(engine: sa.Engine) -> None:
    """A rule name is filed once, frozen once, gets randomness once, is drawn once; the record re-verifies."""
    with engine.begin() as conn:
        insert_calls(conn, _calls())
        stored = insert_rule(conn, RULE, by="qa1", commitment=seed_commitment(SEED), secret_seed=SEED)
        with pytest.raises(Conflict):
            insert_rule(conn, RULE, by="qa1", commitment=seed_commitment(SEED), secret_seed=SEED)
        assert get_rule(conn, "w10").rule == RULE
        with pytest.raises(NotFound):
            get_draw(conn, "w10")
        eligible = tuple(call_summaries(conn, RULE.period_start, RULE.period_end))
        frozen_at = RULE.period_end + dt.timedelta(hours=1)
        draw = insert_freeze(conn, stored, frozen_at=frozen_at, eligible_hash="h", eligible=eligible)
        with pytest.raises(Conflict):
            insert_freeze(conn, stored, frozen_at=frozen_at, eligible_hash="h", eligible=eligible)
        draw = set_public_random(conn, draw, value="1 2 3", at=frozen_at + dt.timedelta(minutes=1))
        with pytest.raises(Conflict):
            set_public_random(conn, draw, value="4", at=frozen_at + dt.timedelta(minutes=2))
        record = draw_sample(RULE, draw.eligible, seed=SEED, public_random="1 2 3", frozen_at=frozen_at,
                             public_random_at=frozen_at + dt.timedelta(minutes=1), evaluators=("qa1", "qa2"))
        drawn = set_draw_record(conn, draw, record, at=frozen_at + dt.timedelta(minutes=3))
        with pytest.raises(Conflict):
            set_draw_record(conn, drawn, record, at=frozen_at + dt.timedelta(minutes=4))
    assert drawn.record == record and drawn.eligible == eligible
    assert verify_draw(drawn.record, drawn.eligible).matches
