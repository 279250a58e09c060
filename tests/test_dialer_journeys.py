"""Member journeys and the best time to call (pure): the journey YAML refused naming the field, answer rates
shrunk to the pool, and a journey plan re-checked touch by touch by the independent per-member loop (0 violations),
with the spacing kept, each channel's capacity respected, repurchasers left out and calls at the best hour."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from callops.dialer import Channel, ContactHistory, HistoryRow, Outcome, check_member_loop, policy_from_mapping
from callops.dialer.best_time import best_times, hour_of_week, learn_answer_rates
from callops.dialer.contact_check import holiday_dates
from callops.dialer.journeys import DEFAULT_JOURNEY, JourneyError, load_journey, plan_journeys
from callops.dialer.policy import PolicyError, china_default, load_policy

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 2, 0, 0, tzinfo=CST)


def test_journey_yaml_is_validated_naming_the_field() -> None:
    journey = load_journey(
        "name: welcome\ntouches:\n - {after: 1d, channel: sms, purpose: care}\n - {after: 36h, channel: call}\n"
    )
    assert journey.campaign == "welcome" and [t.after_s for t in journey.touches] == [86400, 129600]
    for text, field in (
        ("touches:\n - {after: 1w, channel: sms}\n", "touches[0].after"),
        ("touches:\n - {after: 1d, channel: fax}\n", "touches[0].channel"),
        ("touches:\n - {after: 1d, channel: sms}\n - {after: 0h, channel: sms}\n", "touches[1].after"),
        ("touches: []\n", "touches"),
        ("name: x\nsteps: []\n", "steps"),
    ):
        with pytest.raises(JourneyError) as err:
            load_journey(text)
        assert err.value.field == field, text
    with pytest.raises(JourneyError):
        load_journey("a: &x [1]\nb: *x\n")


def _row(
    member: str, at: dt.datetime, outcome: Outcome, *, channel: Channel = Channel.CALL, campaign: str = "spring"
) -> HistoryRow:
    return HistoryRow(member, f"+861380013{int(member[1:]):04d}", channel, at, outcome, campaign)


def test_answer_rates_shrink_to_the_pool_and_pick_the_best_open_hour() -> None:
    """Member m1 answered 2 of 2 calls on Monday 19:00 and 0 of 3 on Monday 10:00: the rates follow the three
    levels of shrinkage in best_time's docstring; a member without calls gets the pool's rate; the best hour
    after Monday 09:30 is 19:00 local, and never an hour outside the calling window."""
    monday = dt.datetime(2026, 3, 2, tzinfo=CST)
    rows = [_row("m1", monday + dt.timedelta(hours=19, minutes=i), Outcome.SUCCESS) for i in range(2)]
    rows += [
        _row("m1", monday - dt.timedelta(days=7) + dt.timedelta(hours=10, minutes=i), Outcome.NO_ANSWER)
        for i in range(3)
    ]
    rows += [_row("m2", monday + dt.timedelta(hours=10), Outcome.REFUSED)]
    history = ContactHistory.from_rows(rows, default_zone="Asia/Shanghai")
    rates = learn_answer_rates(history, strength=4.0, pool_strength=20.0)
    overall = (3 + 1) / (6 + 2)
    pool_19 = (2 + 20 * overall) / (2 + 20)
    pool_10 = (1 + 20 * overall) / (4 + 20)
    day_19 = (2 + 4 * pool_19) / (2 + 4)  # every call is on a Monday: the day and week levels coincide
    day_10 = (0 + 4 * pool_10) / (3 + 4)
    got = rates.rate(np.array([0, 0, 1, 1]), np.array([19, 10, 19, 11]))
    assert got == pytest.approx([(2 + 4 * day_19) / 6, 4 * day_10 / 7, pool_19, overall])
    tuesday_19 = rates.rate(np.array([0]), np.array([24 + 19]))[0]  # no call then: the pool shifted by m1's 19:00
    assert tuesday_19 == pytest.approx(overall + day_19 - pool_19) and tuesday_19 > overall
    assert list(
        hour_of_week(
            np.array([int((monday + dt.timedelta(hours=19)).timestamp())]), np.array(["Asia/Shanghai"], dtype=object)
        )
    ) == [19]
    after = int((monday + dt.timedelta(hours=9, minutes=30)).timestamp())
    best = best_times(rates, history, np.array([0]), np.array([after]), china_default())
    assert dt.datetime.fromtimestamp(int(best[0]), CST) == monday + dt.timedelta(hours=19)
    narrow = policy_from_mapping({"calling_window": {"start": "09:00", "end": "18:00"}})
    best = best_times(rates, history, np.array([0]), np.array([after]), narrow)
    local = dt.datetime.fromtimestamp(int(best[0]), CST)
    assert 9 <= local.hour < 18 and local.hour != 10  # 10:00 answered 0 of 3: another open hour is better


def _population() -> list[HistoryRow]:
    rows: list[HistoryRow] = []
    for i in range(30):
        m = f"m{i:02d}"
        bought = START - dt.timedelta(days=3) + dt.timedelta(days=i % 10, hours=11)
        rows.append(_row(m, bought, Outcome.SUCCESS))
        rows.append(_row(m, bought - dt.timedelta(days=20, hours=-8), Outcome.CALLBACK))  # answered at 19:00
        rows.append(_row(m, bought - dt.timedelta(days=13), Outcome.NO_ANSWER))  # not at 11:00
    rows.append(_row("m05", START + dt.timedelta(hours=-5), Outcome.SUCCESS))  # a repurchase: leaves the journey
    rows.append(
        _row("m01", START - dt.timedelta(days=1), Outcome.SUCCESS, channel=Channel.SMS, campaign="other")
    )  # an SMS from another campaign: the weekly SMS cap defers the first touch
    return rows


def test_journey_plan_breaks_no_rule_and_keeps_spacing_and_capacity() -> None:
    policy = policy_from_mapping(
        {
            "caps": [
                {"channel": "call", "limit": 5, "window": "24h"},
                {"channel": "call", "limit": 3, "window": "5min"},
                {"channel": "sms", "limit": 1, "window": "7d"},
            ]
        }
    )
    rows = _population()
    dnc = frozenset({"+8613800130006"})
    plan = plan_journeys(
        rows,
        DEFAULT_JOURNEY,
        policy,
        start=START,
        days=60,
        per_hour={Channel.CALL: 8, Channel.SMS: 100, Channel.EMAIL: 100},
        dnc_numbers=dnc,
    )
    assert plan.members_in_journey == 29  # m05 repurchased
    touched = {p.member for p in plan.touches}
    assert "m05" not in touched and len(touched) == 29
    assert plan.left_out == {"dnc": 1}  # m06's call touch: its number is on the do-not-call list
    by_member: dict[str, list[HistoryRow]] = {}
    for r in rows:
        by_member.setdefault(r.member, []).append(r)
    holidays = frozenset(d.astype(dt.date) for d in holiday_dates(policy, range(2026, 2028)))
    violations = 0
    per_slot: Counter[tuple[Channel, int]] = Counter()
    for p in plan.touches:  # in time order: each checked against the history and the touches planned before it
        past = [r for r in by_member[p.member] if r.at < p.planned_at]
        verdict = check_member_loop(
            p.member,
            past,
            "Asia/Shanghai",
            policy,
            p.planned_at,
            holidays=holidays,
            channel=p.channel,
            campaign=DEFAULT_JOURNEY.campaign,
            no_consent=False,
            dnc=p.phone in dnc and p.channel is Channel.CALL,
        )
        violations += not verdict["allowed"]
        by_member[p.member].append(
            HistoryRow(p.member, p.phone, p.channel, p.planned_at, Outcome.NO_ANSWER, DEFAULT_JOURNEY.campaign)
        )
        per_slot[(p.channel, int(p.planned_at.timestamp()) // 900)] += 1
        assert p.planned_at >= p.due_at
    assert violations == 0
    assert max(n for (ch, _), n in per_slot.items() if ch is Channel.CALL) <= 2  # 8 an hour = 2 a slot
    for m in touched - {"m06"}:
        mine = sorted((p for p in plan.touches if p.member == m), key=lambda p: p.planned_at)
        assert [p.touch for p in mine] == list(range(len(mine)))
        bought = next(r.at for r in rows if r.member == m and r.outcome is Outcome.SUCCESS)
        previous = bought
        for p in mine:
            assert p.planned_at - previous >= dt.timedelta(seconds=DEFAULT_JOURNEY.touches[p.touch].after_s)
            previous = p.planned_at
        calls = [p for p in mine if p.channel is Channel.CALL]
        assert calls and all(p.planned_at.astimezone(CST).hour == 19 for p in calls)  # their best hour
    first_sms = next(p for p in plan.touches if p.member == "m01" and p.touch == 0)
    assert first_sms.due_at < START + dt.timedelta(days=1)  # due on the first day, but an SMS of another campaign
    assert first_sms.planned_at >= START + dt.timedelta(days=6)  # the day before blocks SMS for 7 days
    m06 = [p.touch for p in plan.touches if p.member == "m06"]
    assert m06 == [0]  # the SMS went; the call is blocked for good, so the journey stops there


def test_a_popular_best_hour_keeps_only_its_capacity() -> None:
    """20 members due at 10:00 all answer best at 19:00, but calls are 4 an hour: 19:00-20:00 keeps 4 of them
    and the rest keep their earliest time that day instead of spilling into the next."""
    journey = load_journey("name: j\ntouches:\n - {after: 1d, channel: call}\n")
    rows = []
    for i in range(20):
        m = f"m{i:02d}"
        rows.append(_row(m, START - dt.timedelta(days=1) + dt.timedelta(hours=10), Outcome.SUCCESS))
        rows += [_row(m, START - dt.timedelta(days=d) + dt.timedelta(hours=19), Outcome.CALLBACK) for d in (3, 5)]
        rows += [_row(m, START - dt.timedelta(days=d) + dt.timedelta(hours=12), Outcome.NO_ANSWER) for d in (4, 6)]
    plan = plan_journeys(rows, journey, china_default(), start=START, days=1, per_hour={Channel.CALL: 4})
    hours = Counter(p.planned_at.astimezone(CST).hour for p in plan.touches)
    assert len(plan.touches) == 20 and plan.left_out == {}
    assert hours[19] == 4 and all(p.planned_at < START + dt.timedelta(days=1) for p in plan.touches)
    assert sum(n for h, n in hours.items() if 10 <= h < 19) == 16


def test_journey_and_policy_yaml_go_through_the_one_loader() -> None:
    """A journey and a policy refuse an alias bomb the same way (the line named) and a file over 64 kB."""
    bomb = "name: j\ncampaign: c\na: &a [x, x]\nb: [*a, *a]\n"
    with pytest.raises(JourneyError, match=r"aliases \(\*a\).*line 4") as journey:
        load_journey(bomb)
    with pytest.raises(PolicyError, match=r"aliases \(\*a\).*line 4") as policy:
        load_policy(bomb)
    assert journey.value.reason == policy.value.reason
    with pytest.raises(JourneyError, match="larger than 64,000 bytes"):
        load_journey("# " + "x" * 64_000)
