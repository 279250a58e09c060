"""Member journeys (seed 004): after a first purchase, a planned series of touches towards a repurchase.

A journey is data (``load_journey`` reads YAML, ``journey_from_mapping`` validates it naming the field)::

    name: repurchase
    campaign: repurchase          # the attempts of the journey are recorded under this campaign
    touches:                      # in order; ``after`` = spacing from the previous touch (the first: the purchase)
      - {after: 2d, channel: sms, purpose: care}
      - {after: 7d, channel: call, purpose: care}
      - {after: 14d, channel: email, purpose: sales}
      - {after: 14d, channel: call, purpose: sales}
      - {after: 30d, channel: sms, purpose: sales}

A member enters the journey with their **first purchase** (their first call with the outcome ``success``, any
campaign) and leaves it with a **repurchase** (a later successful call) or when every touch is made. The touches
already made are the journey campaign's attempts after the first purchase; the next touch is due ``after`` its
predecessor (or the purchase), and never before the sum of the spacings from the purchase.

``plan_journeys`` plans the touches due in a horizon, day by day: each day, the members whose next touch is due
that day get it at a time the contact policy allows (``planner.plan_attempts`` on that touch's channel, with the
touches planned on earlier days counted in the caps, so no member is over-contacted across journeys, campaigns and
channels), within each channel's capacity per hour; calls go at the member's best hour of the day they are due
(``best_time``, not past that day's end; when more members pick an hour than it has calls, those who gain least
keep their earliest time). A member gets at most one touch a day; a touch that finds no room rolls to the next day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from callops.dialer.best_time import AnswerRates, best_times, hour_of_week, learn_answer_rates
from callops.dialer.consent import ConsentRecord, consent_missing, on_dnc
from callops.dialer.contact_check import NEVER, check_contacts
from callops.dialer.history import CHANNEL_CODES, OUTCOME_CODES, ContactHistory, HistoryRow
from callops.dialer.phones import zone_for_phone
from callops.dialer.planner import plan_attempts
from callops.dialer.policy import ContactPolicy
from callops.dialer.records import Channel, Outcome, Purpose
from callops.errors import InvalidInput
from callops.yaml_input import load_yaml, yaml_problem

__all__ = [
    "DEFAULT_JOURNEY",
    "Journey",
    "JourneyError",
    "JourneyPlan",
    "PlannedTouch",
    "Touch",
    "journey_from_mapping",
    "load_journey",
    "plan_journeys",
]

MAX_TOUCHES = 50
MAX_JOURNEY_BYTES = 64_000
MAX_DAYS = 92
_SPACING = re.compile(r"^(\d{1,4})\s*(h|d)$")
_NAME = re.compile(r"^[\w.\-]{1,80}$")


class JourneyError(ValueError):
    """A journey that cannot be used; ``field`` names the offending setting."""

    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"journey field {field}: {reason}" if field else f"journey: {reason}")


@dataclass(frozen=True, slots=True)
class Touch:
    after_s: int
    channel: Channel
    purpose: Purpose
    label: str


@dataclass(frozen=True, slots=True)
class Journey:
    name: str
    campaign: str
    touches: tuple[Touch, ...]


DEFAULT_JOURNEY_SETTINGS: dict[str, Any] = {
    "name": "repurchase",
    "campaign": "repurchase",
    "touches": [
        {"after": "2d", "channel": "sms", "purpose": "care"},
        {"after": "7d", "channel": "call", "purpose": "care"},
        {"after": "14d", "channel": "email", "purpose": "sales"},
        {"after": "14d", "channel": "call", "purpose": "sales"},
        {"after": "30d", "channel": "sms", "purpose": "sales"},
    ],
}


def journey_from_mapping(data: Mapping[str, Any]) -> Journey:
    unknown = sorted(set(map(str, data)) - {"name", "campaign", "touches"})
    if unknown:
        raise JourneyError(unknown[0], "unknown setting (known: campaign, name, touches)")
    name = str(data.get("name", "journey"))
    if not _NAME.match(name):
        raise JourneyError("name", "1-80 letters, digits, '-', '_' or '.'")
    campaign = str(data.get("campaign", name))
    if not _NAME.match(campaign):
        raise JourneyError("campaign", "1-80 letters, digits, '-', '_' or '.'")
    raw = data.get("touches")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_TOUCHES:
        raise JourneyError("touches", f"must be a list of 1 to {MAX_TOUCHES} {{after, channel, purpose}}")
    touches = []
    for i, item in enumerate(raw):
        where = f"touches[{i}]"
        if (
            not isinstance(item, Mapping)
            or set(item) - {"after", "channel", "purpose"}
            or "after" not in item
            or "channel" not in item
        ):
            raise JourneyError(where, "must have after and channel (and optionally purpose)")
        found = _SPACING.match(str(item["after"]).strip())
        if not found:
            raise JourneyError(f"{where}.after", f"{item['after']!r} is not a spacing like 36h or 7d")
        after_s = int(found.group(1)) * (3600 if found.group(2) == "h" else 86400)
        if i > 0 and after_s < 3600:
            raise JourneyError(f"{where}.after", "touches must be at least an hour apart")
        try:
            channel = Channel(str(item["channel"]))
        except ValueError:
            raise JourneyError(f"{where}.channel", f"{item['channel']!r} is not one of call, sms, email") from None
        try:
            purpose = Purpose(str(item.get("purpose", "sales")))
        except ValueError:
            raise JourneyError(
                f"{where}.purpose", f"{item.get('purpose')!r} is not one of {', '.join(p.value for p in Purpose)}"
            ) from None
        touches.append(Touch(after_s, channel, purpose, f"{found.group(1)}{found.group(2)}"))
    return Journey(name, campaign, tuple(touches))


DEFAULT_JOURNEY = journey_from_mapping(DEFAULT_JOURNEY_SETTINGS)


def load_journey(text: str) -> Journey:
    """A journey from YAML (at most 64 kB, no aliases; read by ``callops.yaml_input`` as every settings file)."""
    try:
        data = load_yaml(text, max_bytes=MAX_JOURNEY_BYTES)
    except InvalidInput as exc:
        raise JourneyError(None, yaml_problem(exc)) from None
    if not isinstance(data, Mapping):
        raise JourneyError(None, "the journey must be a mapping of settings")
    return journey_from_mapping(data)


@dataclass(frozen=True, slots=True)
class PlannedTouch:
    member: str
    phone: str | None
    touch: int  # index into the journey's touches
    channel: Channel
    purpose: Purpose
    planned_at: dt.datetime  # UTC
    due_at: dt.datetime  # UTC, the earliest the spacing allowed


@dataclass(frozen=True, slots=True)
class JourneyPlan:
    touches: tuple[PlannedTouch, ...]
    members_in_journey: int
    left_out: dict[str, int]  # why members with a touch due in the horizon got none: rule, capacity_or_horizon


def _state(
    history: ContactHistory, journey: Journey
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per member: first purchase time (NEVER: none), touches made, time of the last touch (or the purchase),
    repurchased."""
    n = history.size
    success = (history.channel == CHANNEL_CODES[Channel.CALL]) & (history.outcome == OUTCOME_CODES[Outcome.SUCCESS])
    first = np.full(n, NEVER, dtype=np.int64)
    np.minimum.at(first, history.member_idx[success], history.at_s[success])
    after_first = history.at_s > first[history.member_idx]
    repurchased = np.zeros(n, dtype=bool)
    repurchased[history.member_idx[success & after_first]] = True
    campaign_codes = np.flatnonzero(history.campaigns == journey.campaign)
    in_journey = np.isin(history.campaign_idx, campaign_codes) & after_first & ~success
    made = np.bincount(history.member_idx[in_journey], minlength=n).astype(np.int64)
    last = first.copy()
    np.maximum.at(last, history.member_idx[in_journey], history.at_s[in_journey])
    return first, made, last, repurchased


def plan_journeys(
    rows: Sequence[HistoryRow],
    journey: Journey,
    policy: ContactPolicy,
    *,
    start: dt.datetime,
    days: int,
    per_hour: Mapping[Channel, int],
    phones: Mapping[str, str] | None = None,
    consents: Sequence[ConsentRecord] = (),
    dnc_numbers: frozenset[str] = frozenset(),
    best_time: bool = True,
) -> JourneyPlan:
    """The journey's touches due in [start, start + days), each at a time the policy allows given the history and
    the touches planned before it; ``per_hour`` bounds each channel's touches per hour (the agents' hours for calls).
    ``phones`` overrides members' numbers (a contact list)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1 to {MAX_DAYS}")
    if any(v < 1 for v in per_hour.values()):
        raise ValueError("each channel's touches per hour must be at least 1")
    planned: list[PlannedTouch] = []
    why: dict[str, str] = {}
    entered: set[str] = set()
    # the members never change (touches go to members who bought), so one history of the real attempts is
    # extended each day with the touches planned so far; the answer rates come from the real attempts only
    learned = _history(rows, policy, list(phones or {}), phones)
    index = {str(m): i for i, m in enumerate(learned.members)}
    rates = learn_answer_rates(learned) if best_time else None
    added_member: list[int] = []
    added_at: list[int] = []
    added_channel: list[int] = []
    for day in range(days):
        day_start = start + dt.timedelta(days=day)
        history = _extended(learned, added_member, added_at, added_channel, journey.campaign)
        first, made, last, repurchased = _state(history, journey)
        active = (first < NEVER) & ~repurchased & (made < len(journey.touches))
        entered.update(str(m) for m in history.members[active])
        if not active.any():
            break
        step = np.minimum(made, len(journey.touches) - 1)
        spacing = np.array([t.after_s for t in journey.touches], dtype=np.int64)
        cumulative = np.cumsum(spacing)
        due = np.where(active, np.maximum(last + spacing[step], first + cumulative[step]), NEVER)
        day_end_s = int(day_start.timestamp()) + 86400
        due_today = active & (due < day_end_s)
        for k, touch in enumerate(journey.touches):
            members = due_today & (step == k)
            if not members.any():
                continue
            not_before = np.maximum(due, int(day_start.timestamp()))
            if rates is not None and touch.channel is Channel.CALL:
                idx = np.flatnonzero(members)
                within_day = np.full(len(idx), day_end_s, dtype=np.int64)
                best = best_times(rates, history, idx, not_before[idx], policy, until_s=within_day)
                not_before[idx] = _within_capacity(
                    rates, history, idx, not_before[idx], best, per_hour.get(Channel.CALL, 1_000_000)
                )
            no_consent = consent_missing(history, consents, channel=touch.channel, purpose=touch.purpose, at=day_start)
            dnc = on_dnc(history, dnc_numbers) if touch.channel is Channel.CALL else None
            hourly = per_hour.get(touch.channel, 1_000_000)
            made_plan = plan_attempts(
                history,
                policy,
                members=members,
                start=day_start,
                end=day_start + dt.timedelta(days=1),
                attempts_per_slot=max(1, hourly // 4),
                campaign=journey.campaign,
                no_consent=no_consent,
                dnc=dnc,
                not_before_s=not_before,
                channel=touch.channel,
            )
            unplaced_mask = members.copy()
            for a in made_plan.attempts:
                i = index[a.member]
                planned.append(
                    PlannedTouch(
                        a.member,
                        a.phone,
                        k,
                        touch.channel,
                        touch.purpose,
                        a.planned_at,
                        dt.datetime.fromtimestamp(int(due[i]), dt.UTC),
                    )
                )
                added_member.append(i)
                added_at.append(int(a.planned_at.timestamp()))
                added_channel.append(CHANNEL_CODES[touch.channel])
                unplaced_mask[i] = False
                why.pop(a.member, None)
            unplaced = np.flatnonzero(unplaced_mask)
            if len(unplaced):
                decisions = check_contacts(
                    history,
                    policy,
                    day_start,
                    channel=touch.channel,
                    campaign=journey.campaign,
                    no_consent=no_consent,
                    dnc=dnc,
                )
                for i in unplaced.tolist():
                    permanent = int(decisions.next_allowed_s[i]) == NEVER
                    why[str(history.members[i])] = str(decisions.rule[i]) if permanent else "capacity_or_horizon"
    return JourneyPlan(
        tuple(sorted(planned, key=lambda p: (p.planned_at, p.member))), len(entered), dict(Counter(why.values()))
    )


def _within_capacity(
    rates: AnswerRates,
    history: ContactHistory,
    idx: npt.NDArray[np.int64],
    earliest: npt.NDArray[np.int64],
    best: npt.NDArray[np.int64],
    per_hour: int,
) -> npt.NDArray[np.int64]:
    """The best times, except that an hour chosen by more members than it has calls keeps only those who gain
    most over their earliest time; the others go back to their earliest time (so a popular hour does not push
    them to the next day)."""
    gain = rates.rate(idx, hour_of_week(best, history.zones[idx])) - rates.rate(
        idx, hour_of_week(earliest, history.zones[idx])
    )
    hour = best // 3600
    order = np.lexsort((-gain, hour))
    ranked_hour = hour[order]
    starts = np.searchsorted(ranked_hour, ranked_hour, side="left")
    rank = np.arange(len(order)) - starts
    keep = np.empty(len(order), dtype=bool)
    keep[order] = rank < per_hour
    return np.where(keep, best, earliest)


def _extended(
    base: ContactHistory, member: list[int], at_s: list[int], channel: list[int], campaign: str
) -> ContactHistory:
    """``base`` with the planned touches added as unanswered attempts of ``campaign``, sorted by member and time."""
    if not member:
        return base
    campaigns = base.campaigns if campaign in set(base.campaigns.tolist()) else np.append(base.campaigns, campaign)
    code = int(np.flatnonzero(campaigns == campaign)[0])
    member_idx = np.concatenate([base.member_idx, np.asarray(member, dtype=np.int64)])
    times = np.concatenate([base.at_s, np.asarray(at_s, dtype=np.int64)])
    order = np.lexsort((times, member_idx))
    return ContactHistory(
        members=base.members,
        phones=base.phones,
        zones=base.zones,
        campaigns=np.asarray(campaigns, dtype=object),
        member_idx=member_idx[order],
        at_s=times[order],
        channel=np.concatenate([base.channel, np.asarray(channel, dtype=np.int8)])[order],
        outcome=np.concatenate([base.outcome, np.full(len(member), OUTCOME_CODES[Outcome.NO_ANSWER], np.int8)])[order],
        campaign_idx=np.concatenate([base.campaign_idx, np.full(len(member), code, np.int64)])[order],
    )


def _history(
    rows: Sequence[HistoryRow], policy: ContactPolicy, extra: Sequence[str], phones: Mapping[str, str] | None
) -> ContactHistory:
    history = ContactHistory.from_rows(rows, default_zone=policy.timezone, extra_members=extra)
    if phones:
        for i, m in enumerate(history.members):
            phone = phones.get(str(m))
            if phone:
                history.phones[i] = phone
                history.zones[i] = zone_for_phone(phone, policy.timezone)
    return history
