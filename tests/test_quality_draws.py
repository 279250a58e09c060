"""Verifiable draws: Rivest's counter procedure, commit/freeze/reveal, evaluator assignment, verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.errors import Conflict, InvalidInput
from callops.quality import (
    CallSummary,
    DrawRecord,
    Grouping,
    Pick,
    SamplingRule,
    TargetedSample,
    counter_stream,
    draw_from_mapping,
    draw_sample,
    draw_to_mapping,
    eligible_calls,
    seed_commitment,
    verify_draw,
)

UTC = dt.UTC
SEED = "k3Jf9-secret-seed-0042"
DICE = "31415926 27182818"
RULE = SamplingRule(
    rule_id="daily-3",
    filed_at=dt.datetime(2026, 11, 20, tzinfo=UTC),
    period_start=dt.datetime(2026, 11, 23, tzinfo=UTC),
    period_end=dt.datetime(2026, 11, 25, tzinfo=UTC),
    timezone="UTC",
    per=Grouping.AGENT_DAY,
    pick=Pick.RANDOM,
    n=3,
)
FROZEN = dt.datetime(2026, 11, 25, 0, 5, tzinfo=UTC)
ARRIVED = dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _calls(agents: int = 3, per_day: int = 8) -> list[CallSummary]:
    out = []
    for a, day, k in itertools.product(range(agents), (23, 24), range(per_day)):
        start = dt.datetime(2026, 11, day, 8 + k, 7 * a, tzinfo=UTC)
        out.append(CallSummary(f"{day}-{a}-{k:02d}", f"ag{a}", "billing", start, 30 + 17 * k, "answered"))
    return out


def test_counter_stream_reproduces_rivests_test_vector() -> None:
    """Seed 3546311556112163624615351222 over 1..876 gives 740, 180, 264, 789, 238 as in Rivest's sampler."""
    stream = counter_stream("3546311556112163624615351222")
    assert [1 + n % 876 for _, n in itertools.islice(stream, 5)] == [740, 180, 264, 789, 238]


def test_counter_stream_is_sha256_of_seed_comma_counter() -> None:
    """Number i is SHA256("seed,i") read as a big-endian integer (Stark's published vector for i = 1)."""
    i, number = next(counter_stream("12345678901234567890"))
    assert i == 1 and f"{number:064x}".startswith("4da594a8ab6064d6")
    assert number == int(hashlib.sha256(b"12345678901234567890,1").hexdigest(), 16)


def test_draw_takes_n_random_calls_per_agent_day_without_replacement() -> None:
    """3 agents x 2 days, 3 distinct calls from each group, each from that group."""
    record = draw_sample(
        RULE, _calls(), seed=SEED, public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED
    )
    per_group = Counter((s.agent, s.group) for s in record.selections)
    assert len(per_group) == 6 and set(per_group.values()) == {3}
    assert len({s.call_id for s in record.selections}) == 18
    for s in record.selections:
        assert s.call_id.startswith(f"{s.group[-2:]}-{s.agent[-1]}-") and s.counter is not None
    assert record.seed_commitment == seed_commitment(SEED) and record.seed == SEED


def test_draw_is_deterministic_and_depends_on_public_randomness() -> None:
    """The same inputs give the same draw; other dice give another one."""
    a = draw_sample(RULE, _calls(), seed=SEED, public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED)
    b = draw_sample(RULE, _calls(), seed=SEED, public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED)
    c = draw_sample(
        RULE, _calls(), seed=SEED, public_random="66612", frozen_at=FROZEN, public_random_at=ARRIVED
    )
    assert a.selections == b.selections
    assert [s.call_id for s in a.selections] != [s.call_id for s in c.selections]


def test_nth_rule_picks_the_second_long_call_after_eleven() -> None:
    """'the 2nd call longer than 60 s after 11:00' picks that call per agent-day, no stream used."""
    rule = replace(RULE, pick=Pick.NTH, n=2, longer_than_s=60, after_local=dt.time(11, 0))
    record = draw_sample(
        rule, _calls(), seed=SEED, public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED
    )
    # calls start 08:xx + k hours with duration 30 + 17 k: from 11:00 on (k >= 3) all last > 60 s, so k = 4.
    assert sorted(s.call_id for s in record.selections) == sorted(
        f"{d}-{a}-04" for d in (23, 24) for a in range(3)
    )
    assert all(s.counter is None for s in record.selections)


def test_small_groups_are_taken_whole_and_reported_short() -> None:
    """A group with fewer calls than n is taken whole and listed as a shortfall."""
    record = draw_sample(
        RULE, _calls(per_day=2), seed=SEED, public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED
    )
    assert len(record.selections) == 12
    assert {(s.wanted, s.available) for s in record.shortfalls} == {(3, 2)}


def test_evaluators_are_assigned_from_the_same_stream_never_to_their_own_calls() -> None:
    """Evaluators use counters after the picks; agent ag1 (rotated into QA) never reviews their own call."""
    record = draw_sample(
        RULE,
        _calls(),
        seed=SEED,
        public_random=DICE,
        frozen_at=FROZEN,
        public_random_at=ARRIVED,
        evaluators=("qa1", "qa2", "ag1"),
    )
    last_pick = max(s.counter for s in record.selections if s.counter is not None)
    assert all(s.evaluator_counter is not None and s.evaluator_counter > last_pick for s in record.selections)
    assert all(s.evaluator != s.agent for s in record.selections)
    assert {s.evaluator for s in record.selections} == {"qa1", "qa2", "ag1"}


def test_targeted_samples_are_labelled() -> None:
    """A targeted extra call is added once, labelled targeted with its reason, and never counted as random."""
    plain = draw_sample(
        RULE, _calls(), seed=SEED, public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED
    )
    spare = sorted({c.call_id for c in _calls()} - {s.call_id for s in plain.selections})[0]
    extra = TargetedSample(spare, "customer complaint", "lead7")
    record = draw_sample(
        RULE,
        _calls(),
        seed=SEED,
        public_random=DICE,
        frozen_at=FROZEN,
        public_random_at=ARRIVED,
        targeted=[extra],
    )
    targeted = [s for s in record.selections if s.targeted]
    assert len(targeted) == 1 and targeted[0].reason == "customer complaint" and targeted[0].counter is None
    assert [s for s in record.selections if not s.targeted] == list(plain.selections)
    again = draw_sample(
        RULE,
        _calls(),
        seed=SEED,
        public_random=DICE,
        frozen_at=FROZEN,
        public_random_at=ARRIVED,
        targeted=[TargetedSample(plain.selections[0].call_id, "already drawn", "lead7")],
    )
    assert not any(s.targeted for s in again.selections)
    with pytest.raises(InvalidInput, match="not among"):
        draw_sample(
            RULE,
            _calls(),
            seed=SEED,
            public_random=DICE,
            frozen_at=FROZEN,
            public_random_at=ARRIVED,
            targeted=[TargetedSample("nope", "x", "y")],
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"frozen_at": dt.datetime(2026, 11, 24, 12, tzinfo=UTC)}, "before the period ends"),
        ({"public_random_at": FROZEN}, "after the freeze"),
    ],
)
def test_draw_refuses_out_of_order_steps(changes: dict[str, dt.datetime], message: str) -> None:
    """Freezing before the period ends, or randomness not after the freeze, is a Conflict."""
    args: dict[str, Any] = {"frozen_at": FROZEN, "public_random_at": ARRIVED, **changes}
    with pytest.raises(Conflict, match=message):
        draw_sample(RULE, _calls(), seed=SEED, public_random=DICE, **args)


def test_draw_refuses_a_late_rule_and_a_short_seed() -> None:
    """A rule filed inside the last day is refused; so is a seed shorter than 16 characters."""
    late = replace(RULE, filed_at=RULE.period_start - dt.timedelta(hours=3))
    with pytest.raises(Conflict):
        draw_sample(late, _calls(), seed=SEED, public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED)
    with pytest.raises(InvalidInput, match="seed"):
        draw_sample(
            RULE, _calls(), seed="short", public_random=DICE, frozen_at=FROZEN, public_random_at=ARRIVED
        )


def _record() -> DrawRecord:
    return draw_sample(
        RULE,
        _calls(),
        seed=SEED,
        public_random=DICE,
        frozen_at=FROZEN,
        public_random_at=ARRIVED,
        evaluators=("qa1", "qa2"),
        targeted=[TargetedSample("24-2-07", "escalated", "lead7")],
    )


def test_verify_accepts_an_honest_draw_after_a_json_round_trip() -> None:
    """A record written to a mapping and read back verifies against the same calls."""
    record = _record()
    again = draw_from_mapping(draw_to_mapping(record))
    assert again == record
    assert verify_draw(again, _calls()).matches


def test_verify_rejects_a_changed_selection() -> None:
    """Swapping one picked call for another is reported as a selection difference."""
    record = _record()
    first = record.selections[0]
    forged = replace(record, selections=(replace(first, call_id="23-0-07"), *record.selections[1:]))
    result = verify_draw(forged, _calls())
    assert not result.matches and {d.kind for d in result.discrepancies} == {"selection"}
    assert "23-0-07" in result.discrepancies[0].detail


def test_verify_rejects_a_changed_eligible_list() -> None:
    """Dropping a call from the calls file after the freeze gives an eligible-hash mismatch."""
    calls = _calls()
    result = verify_draw(_record(), calls[1:])
    assert "eligible" in {d.kind for d in result.discrepancies}


def test_verify_rejects_a_wrong_seed() -> None:
    """A seed that does not hash to the commitment is a commitment mismatch (and the draw differs)."""
    result = verify_draw(_record(), _calls(), seed="another-secret-seed-99")
    kinds = {d.kind for d in result.discrepancies}
    assert "commitment" in kinds and "selection" in kinds


def test_verify_rejects_a_changed_rule_or_reassigned_evaluator() -> None:
    """Editing the rule inside the record or moving a call to another evaluator is caught."""
    record = _record()
    changed_rule = verify_draw(replace(record, rule=replace(RULE, n=2)), _calls())
    assert "rule" in {d.kind for d in changed_rule.discrepancies}
    first = record.selections[0]
    other = "qa2" if first.evaluator == "qa1" else "qa1"
    moved = replace(record, selections=(replace(first, evaluator=other), *record.selections[1:]))
    assert {d.kind for d in verify_draw(moved, _calls()).discrepancies} == {"evaluators"}


def test_verify_needs_a_revealed_seed() -> None:
    """Before the seed is revealed there is nothing to check against."""
    record = replace(_record(), seed=None)
    result = verify_draw(record, _calls())
    assert not result.matches and result.discrepancies[0].kind == "commitment"
    assert verify_draw(record, _calls(), seed=SEED).matches


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 10), st.text(min_size=1, max_size=12))
def test_random_picks_are_distinct_eligible_and_sized(n: int, per_day: int, dice: str) -> None:
    """Every draw picks min(n, group size) distinct eligible calls from each group."""
    rule = replace(RULE, n=n)
    calls = _calls(agents=2, per_day=per_day)
    record = draw_sample(
        rule, calls, seed=SEED, public_random=dice + "x", frozen_at=FROZEN, public_random_at=ARRIVED
    )
    eligible = {c.call_id for c in eligible_calls(rule, calls)}
    ids = [s.call_id for s in record.selections]
    assert len(ids) == len(set(ids)) and set(ids) <= eligible
    assert set(Counter((s.agent, s.group) for s in record.selections).values()) == {min(n, per_day)}


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 4),
    st.text(min_size=1, max_size=20),
    st.lists(st.sampled_from(["qa1", "qa2", "ag0"]), min_size=1, max_size=3, unique=True),
)
def test_every_honest_draw_verifies(n: int, dice: str, evaluators: list[str]) -> None:
    """verify_draw(draw_sample(...)) matches for any rule size, public randomness and evaluator list."""
    rule = replace(RULE, n=n)
    record = draw_sample(
        rule,
        _calls(),
        seed=SEED,
        public_random=dice + "!",
        frozen_at=FROZEN,
        public_random_at=ARRIVED,
        evaluators=evaluators,
    )
    assert verify_draw(draw_from_mapping(draw_to_mapping(record)), _calls()).matches
