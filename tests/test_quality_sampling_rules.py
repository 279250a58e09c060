"""Sampling rules: filing in advance, locking, the published form, eligibility and groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.errors import Conflict, InvalidInput
from callops.quality import (
    CallSummary,
    Grouping,
    Pick,
    SamplingRule,
    check_filing,
    eligible_calls,
    eligible_hash,
    group_calls,
    manifest_line,
    revise_rule,
    rule_fingerprint,
    rule_from_mapping,
    rule_to_mapping,
)

CST = dt.timezone(dt.timedelta(hours=8))
PUBLISHED = {
    "rule_id": "w48-second-call",
    "description": "per agent per week, the 2nd call longer than 60 s after 11:00",
    "filed_at": "2026-11-21T17:00:00+08:00",
    "period": {"start": "2026-11-23T00:00:00+08:00", "end": "2026-11-30T00:00:00+08:00"},
    "timezone": "Asia/Shanghai",
    "per": "agent_week",
    "select": {"pick": "nth", "n": 2},
    "filters": {"longer_than_s": 60, "after": "11:00"},
}


def _call(
    call_id: str,
    agent: str,
    day: int,
    hour: int,
    minute: int = 0,
    duration_s: float = 120,
    queue: str = "billing",
    outcome: str = "answered",
) -> CallSummary:
    return CallSummary(
        call_id, agent, queue, dt.datetime(2026, 11, day, hour, minute, tzinfo=CST), duration_s, outcome
    )


def test_published_form_reads_and_round_trips() -> None:
    """A published rule reads into UTC datetimes and writes back to an equal rule, same fingerprint."""
    rule = rule_from_mapping(PUBLISHED)
    assert rule.per is Grouping.AGENT_WEEK and rule.pick is Pick.NTH and rule.n == 2
    assert rule.period_start == dt.datetime(2026, 11, 22, 16, tzinfo=dt.UTC)
    again = rule_from_mapping(rule_to_mapping(rule))
    assert again == rule and rule_fingerprint(again) == rule_fingerprint(rule)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"per": "agent_month"}, "per"),
        ({"select": {"pick": "nth", "n": 0}}, "select.n"),
        ({"filters": {"after": "25:00"}}, "filters.after"),
        ({"filed_at": "2026-11-21T17:00:00"}, "filed_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"strata": ["team"]}, "strata"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rules_name_the_field(change: dict[str, object], field: str) -> None:
    """Each malformed field is refused with its name in the error."""
    with pytest.raises(InvalidInput) as info:
        rule_from_mapping({**PUBLISHED, **change}, source="rule.yaml")
    assert field in str(info.value) and "rule.yaml" in str(info.value)


def test_rule_must_be_filed_a_day_ahead() -> None:
    """Filed 36 h ahead is fine; filed 12 h ahead is refused."""
    rule = rule_from_mapping(PUBLISHED)
    check_filing(rule)
    late = replace(rule, filed_at=rule.period_start - dt.timedelta(hours=12))
    with pytest.raises(Conflict, match="filing deadline"):
        check_filing(late)


def test_rule_can_be_revised_before_the_deadline_but_not_after() -> None:
    """A revision before the deadline is re-filed at that moment; after the deadline the rule is locked."""
    rule = rule_from_mapping(PUBLISHED)
    early = rule.period_start - dt.timedelta(hours=30)
    revised = revise_rule(rule, replace(rule, n=3), now=early)
    assert revised.n == 3 and revised.filed_at == early
    with pytest.raises(Conflict, match="locked"):
        revise_rule(rule, replace(rule, n=3), now=rule.period_start - dt.timedelta(hours=2))
    with pytest.raises(InvalidInput, match="rule id"):
        revise_rule(rule, replace(rule, rule_id="other"), now=early)


def test_eligibility_filters_period_duration_and_local_time() -> None:
    """Only calls in the period, longer than 60 s and at/after 11:00 Shanghai time are eligible."""
    rule = rule_from_mapping(PUBLISHED)
    calls = [
        _call("c1", "a", 23, 10, 59),  # before 11:00
        _call("c2", "a", 23, 11, 0),  # at 11:00: eligible
        _call("c3", "a", 23, 12, 0, duration_s=60),  # not longer than 60 s
        _call("c4", "a", 24, 15, 0),  # eligible
        _call("c5", "a", 30, 15, 0),  # after the period
        _call("c6", "a", 22, 23, 0),  # before the period
    ]
    assert [c.call_id for c in eligible_calls(rule, calls)] == ["c2", "c4"]


def test_queue_and_outcome_filters_and_strata() -> None:
    """Queue and outcome filters restrict eligibility; strata split each agent's group."""
    rule = replace(rule_from_mapping(PUBLISHED), outcomes=("answered",), strata=("queue",))
    calls = [
        _call("c1", "a", 23, 12),
        _call("c2", "a", 23, 13, queue="sales"),
        _call("c3", "a", 23, 14, outcome="abandoned"),
    ]
    eligible = eligible_calls(rule, calls)
    assert [c.call_id for c in eligible] == ["c1", "c2"]
    groups = group_calls(rule, eligible)
    assert list(groups) == [("a", "2026-W48", "billing"), ("a", "2026-W48", "sales")]


def test_groups_by_local_day_and_time_order() -> None:
    """agent_day groups use the rule's zone (00:30 in Shanghai is the previous UTC day) and time order."""
    rule = replace(rule_from_mapping(PUBLISHED), per=Grouping.AGENT_DAY, after_local=None)
    calls = [_call("z", "a", 24, 0, 30), _call("y", "a", 23, 18), _call("x", "a", 23, 12)]
    groups = group_calls(rule, eligible_calls(rule, calls))
    assert {k: [c.call_id for c in v] for k, v in groups.items()} == {
        ("a", "2026-11-23", ""): ["x", "y"],
        ("a", "2026-11-24", ""): ["z"],
    }


def test_duplicate_call_ids_are_refused() -> None:
    """Two calls with one id make the manifest ambiguous."""
    rule = rule_from_mapping(PUBLISHED)
    with pytest.raises(InvalidInput, match="more than once"):
        eligible_calls(rule, [_call("c1", "a", 23, 12), _call("c1", "b", 23, 13)])


@given(st.permutations(list(range(8))))
def test_eligible_hash_ignores_input_order(order: list[int]) -> None:
    """The manifest hash depends on the calls, not on the order they were listed in."""
    calls = [_call(f"c{i}", f"a{i % 3}", 23 + i % 5, 12 + i) for i in range(8)]
    assert eligible_hash([calls[i] for i in order]) == eligible_hash(calls)


def test_eligible_hash_changes_when_a_call_changes() -> None:
    """Changing one call's duration or dropping a call changes the hash."""
    calls = [_call("c1", "a", 23, 12), _call("c2", "a", 23, 13)]
    base = eligible_hash(calls)
    assert eligible_hash([calls[0], replace(calls[1], duration_s=121)]) != base
    assert eligible_hash(calls[:1]) != base


def test_rule_dataclass_is_frozen() -> None:
    """A rule cannot be mutated in place."""
    rule: SamplingRule = rule_from_mapping(PUBLISHED)
    with pytest.raises(AttributeError):
        rule.n = 5  # type: ignore[misc]  # the point of the test


def test_manifest_lines_are_exact() -> None:
    """A manifest line has the UTC start and the duration without loss (no exponent, no rounding)."""
    call = _call("c9", "ag1", 23, 12, duration_s=1234567)
    assert manifest_line(call) == "c9,ag1,billing,2026-11-23T04:00:00Z,1234567,answered"
    assert manifest_line(replace(call, duration_s=61.25)).split(",")[4] == "61.25"
