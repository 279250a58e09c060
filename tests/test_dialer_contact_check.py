"""The vectorised contact-policy check: each rule on hand-made histories, and agreement with the per-member loop."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from callops.dialer import (
    NEVER,
    Channel,
    ConsentRecord,
    ContactHistory,
    HistoryRow,
    Outcome,
    Purpose,
    check_contacts,
    check_members_loop,
    china_default,
    consent_missing,
    holiday_dates,
    on_dnc,
    policy_from_mapping,
)
from callops.dialer.synthetic import synthetic_history

CST = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def row(member: str, when: str, outcome: Outcome = Outcome.NO_ANSWER, *, campaign: str = "c1",
        channel: Channel = Channel.CALL, phone: str = "+8613800138000") -> HistoryRow:
    return HistoryRow(member, phone, channel, at(when), outcome, campaign)


def decide(rows: list[HistoryRow], when: str, **kwargs: object) -> dict[str, dict[str, object]]:
    history = ContactHistory.from_rows(rows, default_zone="Asia/Shanghai")
    policy = kwargs.pop("policy", china_default())
    out = check_contacts(history, policy, at(when), **kwargs)  # type: ignore[arg-type]
    return {str(d["member"]): d for d in out.as_dicts()}


def test_five_calls_in_24h_block_until_the_first_leaves_the_window() -> None:
    """Five calls in 24 h block a sixth (calls_per_24h) until 24 h after the first of them."""
    rows = [row("a", f"2026-03-02T{h:02d}:00:00") for h in (9, 10, 11, 12, 13)]
    d = decide(rows, "2026-03-02T15:00:00")["a"]
    assert d == {"member": "a", "allowed": False, "rule": "calls_per_24h",
                 "next_allowed_at": "2026-03-03T09:00:00+08:00"}
    assert decide(rows, "2026-03-03T09:00:00")["a"]["allowed"] is True


def test_three_calls_in_five_minutes() -> None:
    """Three calls within 5 minutes block a fourth until the oldest is 5 minutes old."""
    rows = [row("a", f"2026-03-02T10:0{m}:00") for m in (0, 1, 2)]
    d = decide(rows, "2026-03-02T10:03:00")["a"]
    assert (d["rule"], d["next_allowed_at"]) == ("calls_per_5min", "2026-03-02T10:05:00+08:00")


def test_refusal_cap_counts_attempts_after_the_refusal_in_that_campaign() -> None:
    """After a refusal two more attempts are allowed in that campaign, then none; other campaigns are separate."""
    rows = [row("a", "2026-03-01T10:00:00", Outcome.REFUSED), row("a", "2026-03-01T11:00:00")]
    assert decide(rows, "2026-03-02T10:00:00")["a"]["allowed"] is True
    rows.append(row("a", "2026-03-01T12:00:00", channel=Channel.SMS))
    d = decide(rows, "2026-03-02T10:00:00")["a"]
    assert (d["rule"], d["next_allowed_at"]) == ("refusal_cap", None)
    assert decide(rows, "2026-03-02T10:00:00", campaign="c2")["a"]["allowed"] is True
    stop = policy_from_mapping({"refusal_cap": 0})
    d0 = decide(rows[:1], "2026-03-02T10:00:00", policy=stop)["a"]
    assert d0["rule"] == "refusal_cap"


def test_quiet_period_after_an_abandoned_call() -> None:
    """An abandoned call blocks further calls for 72 h (an SMS is not blocked by it)."""
    rows = [row("a", "2026-03-02T10:00:00", Outcome.ABANDONED)]
    d = decide(rows, "2026-03-04T10:00:00")["a"]
    assert (d["rule"], d["next_allowed_at"]) == ("quiet_after_abandon", "2026-03-05T10:00:00+08:00")
    assert decide(rows, "2026-03-04T10:00:00", channel=Channel.SMS)["a"]["allowed"] is True


def test_calling_window_in_the_members_zone() -> None:
    """At 22:00 Beijing time a Chinese number waits for 08:00; a New York number is judged in New York time."""
    rows = [row("cn", "2026-02-20T10:00:00"), row("us", "2026-02-20T10:00:00", phone="+12125550100")]
    d = decide(rows, "2026-03-02T22:00:00")
    assert (d["cn"]["rule"], d["cn"]["next_allowed_at"]) == ("calling_window", "2026-03-03T08:00:00+08:00")
    assert d["us"]["allowed"] is True  # 09:00 in New York


def test_holidays_skip_whole_days_and_caps_then_the_window() -> None:
    """A listed holiday blocks its whole local day; a cap releasing after 21:00 waits for the next opening."""
    policy = policy_from_mapping({"holidays": ["2026-03-03"]})
    rows = [row("a", f"2026-03-02T{h:02d}:30:00") for h in (16, 17, 18, 19, 20)]
    d = decide(rows, "2026-03-02T20:45:00", policy=policy)["a"]
    assert (d["rule"], d["next_allowed_at"]) == ("calls_per_24h", "2026-03-04T08:00:00+08:00")
    d2 = decide([row("b", "2026-02-01T10:00:00")], "2026-03-03T12:00:00", policy=policy)["b"]
    assert (d2["rule"], d2["next_allowed_at"]) == ("holiday", "2026-03-04T08:00:00+08:00")


def test_consent_and_dnc_are_permanent() -> None:
    """A withdrawn consent for the channel/purpose, or a number on the DNC list, block with no next time."""
    rows = [row("a", "2026-03-01T10:00:00"), row("b", "2026-03-01T10:00:00", phone="+8613900139000"),
            row("c", "2026-03-01T10:00:00", phone="+8613700137000")]
    history = ContactHistory.from_rows(rows, default_zone="Asia/Shanghai")
    when = at("2026-03-02T10:00:00")
    records = [ConsentRecord("a", Channel.CALL, None, False, at("2026-03-01T12:00:00")),
               ConsentRecord("c", Channel.CALL, Purpose.SALES, False, at("2026-03-01T12:00:00")),
               ConsentRecord("c", None, None, True, at("2026-03-01T13:00:00"))]
    missing = consent_missing(history, records, channel=Channel.CALL, purpose=Purpose.SALES, at=when)
    dnc = on_dnc(history, frozenset({"+8613900139000"}))
    out = check_contacts(history, china_default(), when, no_consent=missing, dnc=dnc)
    assert list(out.rule) == ["consent", "dnc", None]
    assert int(out.next_allowed_s[0]) == NEVER


POLICIES = [
    {},
    {"refusal_cap": 0, "quiet_after_abandon_h": 24, "holidays": ["2026-03-03"]},
    {"calling_window": {"start": "09:00", "end": "18:00"},
     "caps": [{"channel": "call", "limit": 2, "window": "1h"}, {"channel": "call", "limit": 6, "window": "7d"},
              {"channel": "sms", "limit": 1, "window": "24h"}], "holiday_calendar": "CN"},
]


@pytest.mark.parametrize("settings", POLICIES)
@pytest.mark.parametrize("channel", [Channel.CALL, Channel.SMS])
def test_vectorised_check_agrees_with_the_per_member_loop(settings: dict[str, object], channel: Channel) -> None:
    """On 2,000 random members at several instants, rule and next time equal the independent loop's."""
    policy = policy_from_mapping(settings)
    end = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    history = synthetic_history(np.random.default_rng(7), members=2000, attempts_per_member=4, end=end)
    by_member = {str(history.members[i]): history.attempts_of(i) for i in range(history.size)}
    zones = {str(m): str(z) for m, z in zip(history.members, history.zones, strict=True)}
    hol = [d.item() for d in holiday_dates(policy, range(2026, 2028))]
    seen: set[object] = set()
    for when in (end, end - dt.timedelta(hours=9), end + dt.timedelta(hours=15, minutes=7)):
        fast = check_contacts(history, policy, when, channel=channel, campaign=None)
        slow = check_members_loop(by_member, zones, policy, when, holidays=hol, channel=channel)
        assert [r["rule"] for r in slow] == list(fast.rule)
        expected = [NEVER if r["next_allowed_at"] is None else int(r["next_allowed_at"].timestamp())  # type: ignore[attr-defined]
                    for r in slow]
        assert expected == [int(x) for x in fast.next_allowed_s]
        seen.update(fast.rule)
    assert None in seen and len(seen) >= 3  # allowed members and at least two different binding rules
