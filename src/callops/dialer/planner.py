"""Plan a campaign's next attempts: each contact once, at a time every rule allows, within agent capacity.

The plan walks the horizon in slots (15 minutes by default). A member is eligible in a slot when the policy
check at the plan's start says its earliest allowed time is at or before the slot, and the calling window in
the member's zone is open for the whole slot on a non-holiday day. Caps and quiet periods only release with
time and the plan adds a single attempt per member, so an attempt at any such time passes every rule. Each
slot takes at most ``attempts_per_slot`` members, earliest-allowed first, spread evenly over the slot.
Members blocked for good (DNC, consent, refusal cap) or never eligible in the horizon are left out and
counted by rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from callops.dialer.contact_check import NEVER, check_contacts, next_window_open
from callops.dialer.history import ContactHistory
from callops.dialer.policy import ContactPolicy
from callops.dialer.records import Channel

__all__ = ["PlannedAttempt", "CampaignPlan", "plan_attempts", "MAX_SLOTS"]

MAX_SLOTS = 20_000


@dataclass(frozen=True, slots=True)
class PlannedAttempt:
    member: str
    phone: str
    planned_at: dt.datetime  # UTC


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    attempts: tuple[PlannedAttempt, ...]
    left_out: dict[str, int]  # rule (or "capacity") -> members not planned


def plan_attempts(
    history: ContactHistory,
    policy: ContactPolicy,
    *,
    members: npt.NDArray[np.bool_],
    start: dt.datetime,
    end: dt.datetime,
    attempts_per_slot: int,
    slot_s: int = 900,
    campaign: str | None = None,
    no_consent: npt.NDArray[np.bool_] | None = None,
    dnc: npt.NDArray[np.bool_] | None = None,
    not_before_s: npt.NDArray[np.int64] | None = None,
    done: npt.NDArray[np.bool_] | None = None,
    channel: Channel = Channel.CALL,
) -> CampaignPlan:
    """One call attempt for each member flagged in ``members`` between ``start`` and ``end``.

    ``not_before_s``/``done`` come from the campaign's retry rules (``retry.retry_gate``): a member is not
    planned before its retry time, nor at all once the campaign is done with it (counted as ``retry_done``).
    """
    if attempts_per_slot < 1 or slot_s < 60:
        raise ValueError("attempts_per_slot must be at least 1 and slot_s at least 60")
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    if (end_s - start_s) // slot_s > MAX_SLOTS or end_s <= start_s:
        raise ValueError(f"the horizon must be after the start and at most {MAX_SLOTS} slots")
    decisions = check_contacts(history, policy, start, channel=channel, campaign=campaign,
                               no_consent=no_consent, dnc=dnc)
    next_s = decisions.next_allowed_s
    if not_before_s is not None:
        next_s = np.where(next_s < NEVER, np.maximum(next_s, not_before_s), next_s)
    finished = done if done is not None else np.zeros(history.size, dtype=bool)
    pending = members & (next_s < NEVER) & ~finished
    zones = history.zones
    unique_zones, zone_idx = np.unique(zones.astype(str), return_inverse=True)
    planned_member: list[npt.NDArray[np.int64]] = []
    planned_at: list[npt.NDArray[np.int64]] = []
    slots = np.arange(start_s, end_s - slot_s + 1, slot_s, dtype=np.int64)
    # open[z, k]: the window of zone z is open for the whole of slot k
    grid_zones = np.repeat(unique_zones.astype(object), len(slots))
    firsts, lasts = np.tile(slots, len(unique_zones)), np.tile(slots + slot_s - 1, len(unique_zones))
    is_open = ((next_window_open(firsts, grid_zones, policy)[0] == firsts)
               & (next_window_open(lasts, grid_zones, policy)[0] == lasts)).reshape(len(unique_zones), len(slots))
    for k, slot in enumerate(slots.tolist()):
        zone_open = is_open[:, k]
        if not zone_open.any():
            continue
        eligible = np.flatnonzero(pending & zone_open[zone_idx] & (next_s <= slot))
        if len(eligible) == 0:
            continue
        chosen = eligible[np.argsort(next_s[eligible], kind="stable")[:attempts_per_slot]]
        offsets = (np.arange(len(chosen)) * slot_s) // attempts_per_slot
        planned_member.append(chosen)
        planned_at.append(slot + offsets)
        pending[chosen] = False
    who = np.concatenate(planned_member) if planned_member else np.zeros(0, dtype=np.int64)
    when = np.concatenate(planned_at) if planned_at else np.zeros(0, dtype=np.int64)
    left: Counter[str] = Counter()
    blocked = members & (next_s == NEVER)
    left.update(str(r) for r in decisions.rule[blocked])
    if (members & finished & ~blocked).any():
        left["retry_done"] = int((members & finished & ~blocked).sum())
    if pending.any():
        left["capacity_or_horizon"] += int(pending.sum())
    attempts = tuple(
        PlannedAttempt(str(history.members[m]), str(history.phones[m]), dt.datetime.fromtimestamp(int(t), dt.UTC))
        for m, t in zip(who, when, strict=True))
    return CampaignPlan(attempts, dict(left))
