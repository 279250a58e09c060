"""The plain per-member loop of the contact policy: the baseline ``check_contacts`` is benchmarked against,
and the independent checker the tests compare it with. Written for clarity, one member at a time, with
``datetime`` and ``zoneinfo``; it shares no code with the vectorised check beyond the policy record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from callops.dialer.history import HistoryRow
from callops.dialer.policy import ContactPolicy
from callops.dialer.records import Channel, Outcome

__all__ = ["check_member_loop", "check_members_loop"]


def check_members_loop(
    attempts_by_member: Mapping[str, Sequence[HistoryRow]],
    zones: Mapping[str, str],
    policy: ContactPolicy,
    at: dt.datetime,
    *,
    holidays: Iterable[dt.date] = (),
    channel: Channel = Channel.CALL,
    campaign: str | None = None,
    no_consent: frozenset[str] = frozenset(),
    dnc: frozenset[str] = frozenset(),
) -> list[dict[str, object]]:
    days = frozenset(holidays)
    return [check_member_loop(m, attempts_by_member[m], zones[m], policy, at, holidays=days, channel=channel,
                              campaign=campaign, no_consent=m in no_consent, dnc=m in dnc)
            for m in sorted(attempts_by_member)]


def check_member_loop(
    member: str,
    attempts: Sequence[HistoryRow],
    zone: str,
    policy: ContactPolicy,
    at: dt.datetime,
    *,
    holidays: frozenset[dt.date],
    channel: Channel,
    campaign: str | None,
    no_consent: bool,
    dnc: bool,
) -> dict[str, object]:
    """One member's ``{member, allowed, rule, next_allowed_at}`` (times as aware datetimes in UTC)."""
    if dnc:
        return {"member": member, "allowed": False, "rule": "dnc", "next_allowed_at": None}
    if no_consent:
        return {"member": member, "allowed": False, "rule": "consent", "next_allowed_at": None}
    past = [a for a in attempts if a.at <= at]
    first_refusal: dict[str, dt.datetime] = {}
    for a in sorted(past, key=lambda a: a.at):
        if a.outcome is Outcome.REFUSED and a.campaign not in first_refusal:
            first_refusal[a.campaign] = a.at
    for camp, refused_at in first_refusal.items():
        if campaign is not None and camp != campaign:
            continue
        later = sum(1 for a in past if a.campaign == camp and a.at > refused_at)
        if later >= policy.refusal_cap:
            return {"member": member, "allowed": False, "rule": "refusal_cap", "next_allowed_at": None}
    rule: str | None = None
    best = at
    bound = at
    if channel is Channel.CALL and policy.quiet_after_abandon_s > 0:
        abandoned = [a.at for a in past if a.channel is Channel.CALL and a.outcome is Outcome.ABANDONED]
        if abandoned:
            release = max(abandoned) + dt.timedelta(seconds=policy.quiet_after_abandon_s)
            bound = max(bound, release)
            if release > best:
                rule, best = "quiet_after_abandon", release
    for cap in policy.caps_for(channel):
        window = dt.timedelta(seconds=cap.window_s)
        inside = sorted(a.at for a in past if a.channel is channel and a.at > at - window)
        if len(inside) < cap.limit:
            continue
        if cap.limit == 0:
            return {"member": member, "allowed": False, "rule": cap.name, "next_allowed_at": None}
        release = inside[len(inside) - cap.limit] + window
        bound = max(bound, release)
        if release > best:
            rule, best = cap.name, release
    tz = ZoneInfo(zone)
    opening_now = _next_opening(at, tz, policy, holidays)
    if opening_now > best:
        rule = "holiday" if at.astimezone(tz).date() in holidays else "calling_window"
    nxt = _next_opening(bound, tz, policy, holidays)
    allowed = nxt == at
    return {"member": member, "allowed": allowed, "rule": None if allowed else rule, "next_allowed_at": nxt}


def _next_opening(when: dt.datetime, tz: ZoneInfo, policy: ContactPolicy, holidays: frozenset[dt.date]) -> dt.datetime:
    local = when.astimezone(tz)
    minute = local.hour * 60 + local.minute
    day = local.date()
    if day not in holidays and policy.window_start_min <= minute < policy.window_end_min:
        return when
    if minute >= policy.window_start_min:
        day += dt.timedelta(days=1)
    while day in holidays:
        day += dt.timedelta(days=1)
    opening = dt.datetime.combine(day, dt.time(policy.window_start_min // 60, policy.window_start_min % 60))
    return opening.replace(tzinfo=tz).astimezone(dt.UTC)
