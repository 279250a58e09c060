"""May each member be contacted now? The vectorised policy check and its explanation ("why not?").

For every member of a ``ContactHistory`` at one instant ``at``: allowed or not, the binding rule, and the
earliest time every rule allows a contact. Rules, in the order used to break ties:

    dnc, consent, refusal_cap            permanent: no earliest time
    quiet_after_abandon                  last abandoned call + 72 h (calls only)
    <channel>_per_<window> caps          e.g. calls_per_24h: the oldest attempt that must leave the window
    calling_window, holiday              member's local time; next opening on a non-holiday day

The binding rule is the one blocking at ``at`` with the latest release (a permanent rule beats all).
The earliest allowed time is the first calling-window opening at or after every time-bound release:
once the caps and the quiet period release nothing new can block, so that time is exact.
All work is numpy over whole columns; ``contact_check_loop`` is the plain per-member loop it is checked
and benchmarked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays as holiday_lib
import numpy as np
import numpy.typing as npt
import pandas as pd

from callops.dialer.history import CHANNEL_CODES, OUTCOME_CODES, ContactHistory
from callops.dialer.policy import ContactPolicy
from callops.dialer.records import Channel, Outcome

__all__ = ["ContactDecisions", "check_contacts", "holiday_dates", "RULE_ORDER", "NEVER"]

NEVER = np.iinfo(np.int64).max
PERMANENT = ("dnc", "consent", "refusal_cap")
RULE_ORDER = ("dnc", "consent", "refusal_cap", "quiet_after_abandon", "caps", "calling_window", "holiday")


@dataclass(frozen=True, slots=True)
class ContactDecisions:
    """Per member (same order as ``history.members``): allowed, binding rule (None if allowed), next time."""

    members: npt.NDArray[np.object_]
    zones: npt.NDArray[np.object_]
    allowed: npt.NDArray[np.bool_]
    rule: npt.NDArray[np.object_]
    next_allowed_s: npt.NDArray[np.int64]  # NEVER for a permanent rule

    def as_dicts(self) -> list[dict[str, object]]:
        """The CLI/API shape: ``{member, allowed, rule, next_allowed_at}`` with times in the member's zone."""
        out: list[dict[str, object]] = []
        for m, z, ok, rule, nxt in zip(self.members, self.zones, self.allowed, self.rule, self.next_allowed_s,
                                       strict=True):
            when = None if int(nxt) == NEVER else dt.datetime.fromtimestamp(int(nxt), dt.UTC).astimezone(
                _zone(str(z))).isoformat()
            out.append({"member": str(m), "allowed": bool(ok), "rule": rule, "next_allowed_at": when})
        return out


def _zone(name: str) -> dt.tzinfo:
    return ZoneInfo(name)


def holiday_dates(policy: ContactPolicy, years: Iterable[int]) -> npt.NDArray[np.datetime64]:
    """The policy's no-contact local dates (its list plus its country's public holidays) in ``years``."""
    days = set(policy.holidays)
    if policy.holiday_calendar:
        days.update(holiday_lib.country_holidays(policy.holiday_calendar, years=list(years)).keys())
    return np.array(sorted(days), dtype="datetime64[D]")


def check_contacts(
    history: ContactHistory,
    policy: ContactPolicy,
    at: dt.datetime,
    *,
    channel: Channel = Channel.CALL,
    campaign: str | None = None,
    no_consent: npt.NDArray[np.bool_] | None = None,
    dnc: npt.NDArray[np.bool_] | None = None,
) -> ContactDecisions:
    """Decide for every member of ``history`` whether a ``channel`` contact at ``at`` passes ``policy``.

    ``campaign`` names the campaign of the contact for the refusal cap; without it the strictest reading
    applies (a member capped in any campaign is blocked). ``no_consent``/``dnc`` are per-member flags
    (``consent.consent_missing``, ``consent.on_dnc``).
    """
    n = history.size
    now = int(at.timestamp())
    past = history.at_s <= now
    m_idx = history.member_idx
    permanent = np.full(n, -1, dtype=np.int8)  # index into PERMANENT, -1 = none
    if dnc is not None:
        permanent[dnc] = 0
    if no_consent is not None:
        permanent[(permanent < 0) & no_consent] = 1
    refused = _refusal_capped(history, policy, past, campaign)
    permanent[(permanent < 0) & refused] = 2

    # time-bound releases: (name, release time per member, NOW where not blocking)
    releases: list[tuple[str, npt.NDArray[np.int64]]] = []
    if channel is Channel.CALL and policy.quiet_after_abandon_s > 0:
        sel = past & (history.channel == CHANNEL_CODES[Channel.CALL]) & (
            history.outcome == OUTCOME_CODES[Outcome.ABANDONED])
        last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(last, m_idx[sel], history.at_s[sel])
        release = np.where(last > np.iinfo(np.int64).min, last + policy.quiet_after_abandon_s, now)
        releases.append(("quiet_after_abandon", np.maximum(release, now)))
    for cap in policy.caps_for(channel):
        releases.append((cap.name, _cap_release(history, past, now, CHANNEL_CODES[channel], cap.limit,
                                                cap.window_s)))

    bound = np.full(n, now, dtype=np.int64)
    rule = np.full(n, None, dtype=object)
    best = np.full(n, now, dtype=np.int64)
    for name, release in releases:
        bound = np.maximum(bound, release)
        later = release > best
        rule[later] = name
        best = np.where(later, release, best)
    window_now = next_window_open(np.full(n, now, dtype=np.int64), history.zones, policy)
    window_release, on_holiday = window_now
    window_blocks = window_release > best
    rule[window_blocks] = np.where(on_holiday[window_blocks], "holiday", "calling_window")
    next_s, _ = next_window_open(bound, history.zones, policy)
    perm = permanent >= 0
    rule[perm] = np.asarray(PERMANENT, dtype=object)[permanent[perm]]
    next_s = np.where(perm | (bound >= NEVER - 1), NEVER, next_s)
    allowed = ~perm & (next_s == now)
    rule[allowed] = None
    return ContactDecisions(history.members, history.zones, allowed, rule, next_s.astype(np.int64))


def _refusal_capped(history: ContactHistory, policy: ContactPolicy, past: npt.NDArray[np.bool_],
                    campaign: str | None) -> npt.NDArray[np.bool_]:
    """Members with at least ``refusal_cap`` attempts after their first refusal in one campaign."""
    n = history.size
    ncamp = max(len(history.campaigns), 1)
    key = history.member_idx * ncamp + history.campaign_idx
    ref = past & (history.outcome == OUTCOME_CODES[Outcome.REFUSED])
    ref_keys, first_pos = np.unique(key[ref], return_index=True)
    if len(ref_keys) == 0:
        return np.zeros(n, dtype=bool)
    first_at = history.at_s[ref][first_pos]
    pos = np.searchsorted(ref_keys, key)
    pos_clipped = np.minimum(pos, len(ref_keys) - 1)
    has_ref = (ref_keys[pos_clipped] == key) & past
    after = has_ref & (history.at_s > first_at[pos_clipped])
    after_counts = np.bincount(pos_clipped[after], minlength=len(ref_keys))
    capped_keys = after_counts >= policy.refusal_cap
    members = ref_keys // ncamp
    if campaign is not None:
        match = np.flatnonzero(history.campaigns == campaign)
        if len(match) == 0:
            return np.zeros(n, dtype=bool)
        capped_keys &= (ref_keys % ncamp) == int(match[0])
    out = np.zeros(n, dtype=bool)
    out[members[capped_keys]] = True
    return out


def _cap_release(history: ContactHistory, past: npt.NDArray[np.bool_], now: int, channel_code: int,
                 limit: int, window_s: int) -> npt.NDArray[np.int64]:
    """When each member falls below ``limit`` contacts in the trailing window (``now`` if already below)."""
    n = history.size
    if limit == 0:
        return np.full(n, NEVER - 1, dtype=np.int64)
    sel = past & (history.channel == channel_code) & (history.at_s > now - window_s)
    members = history.member_idx[sel]
    times = history.at_s[sel]
    counts = np.bincount(members, minlength=n)
    out = np.full(n, now, dtype=np.int64)
    blocked = np.flatnonzero(counts >= limit)
    if len(blocked):
        starts = np.cumsum(counts) - counts
        # the attempt that must leave the window: rank (count - limit) in time order within the member
        out[blocked] = times[starts[blocked] + counts[blocked] - limit] + window_s
    return out


def next_window_open(
    at_s: npt.NDArray[np.int64], zones: npt.NDArray[np.object_], policy: ContactPolicy,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """The first instant at or after each ``at_s`` inside the calling window on a non-holiday local day.

    Also says, per member, whether the original instant fell on a holiday (to name the rule).
    """
    out = at_s.copy()
    on_holiday = np.zeros(len(at_s), dtype=bool)
    finite = at_s < NEVER - 1
    for zone in pd.unique(zones):
        rows = np.flatnonzero((zones == zone) & finite)
        if len(rows) == 0:
            continue
        local = pd.to_datetime(at_s[rows], unit="s", utc=True).tz_convert(str(zone))
        minute = np.asarray(local.hour * 60 + local.minute, dtype=np.int64)
        day = np.asarray(local.tz_localize(None).normalize().values.astype("datetime64[D]"))
        years = range(int(str(day.min())[:4]), int(str(day.max())[:4]) + 2)
        hol = holiday_dates(policy, years)
        inside = (minute >= policy.window_start_min) & (minute < policy.window_end_min)
        holiday_now = np.isin(day, hol)
        on_holiday[rows] = holiday_now
        moved = ~inside | holiday_now
        # the candidate day: today if before the opening, else tomorrow
        before = minute < policy.window_start_min
        cand = np.where(moved & ~before, day + np.timedelta64(1, "D"), day)
        for _ in range(len(hol) + 1):  # skip consecutive holidays
            again = moved & np.isin(cand, hol)
            if not again.any():
                break
            cand = np.where(again, cand + np.timedelta64(1, "D"), cand)
        if moved.any():
            opening = (pd.DatetimeIndex(cand[moved]) + pd.Timedelta(minutes=policy.window_start_min))
            opening_utc = opening.tz_localize(str(zone), nonexistent="shift_forward", ambiguous=False)
            out[rows[moved]] = np.asarray(opening_utc.asi8 // 1_000_000_000, dtype=np.int64)
    return out, on_holiday
