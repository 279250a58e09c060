"""The best time to reach a member, learned from their past call attempts: an answer rate per hour of the week.

For each local hour of the week ``h`` (Monday 00:00-01:00 = 0 ... Sunday 23:00 = 167, in the member's zone,
``d = h mod 24`` its hour of the day) the answer rate is a posterior mean shrunk in three levels, so that a
member with few calls borrows from their own other days and from the pool (a campaign's members or everyone)::

    pooled      p      = (A + 1) / (N + 2)                          all answered / all tried calls
    pool week   p_h    = (A_h + s0 p) / (N_h + s0)                  the pool's hour of the week
    pool day    p_d    = (A_d + s0 p) / (N_d + s0)                  the pool's hour of the day
    member day  q_m,d  = (a_m,d + s p_d) / (n_m,d + s)              the member's hour of the day, any weekday
    prior       π_m,h  = clip(p_h + (q_m,d - p_d), 0, 1)            the pool's week shifted by the member's day
    member week r_m,h  = (a_m,h + s π_m,h) / (n_m,h + s)

``a``/``n`` count answered (a live person: success, refusal, callback, abandoned, wrong number) and tried call
attempts (every call but a technical failure); ``s`` = 4 and ``s0`` = 20 pseudo-attempts by default. A member
with no calls gets the pool's rate; one answered call out of one moves the rate only part of the way.
``best_times`` picks, per member, the start of the local hour with the highest rate within a horizon after a
given time (the earliest on ties), only among hours inside the policy's calling window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from callops.dialer.contact_check import next_window_open
from callops.dialer.history import CHANNEL_CODES, OUTCOME_CODES, ContactHistory
from callops.dialer.policy import ContactPolicy
from callops.dialer.records import LIVE_OUTCOMES, Channel, Outcome

__all__ = ["HOURS_OF_WEEK", "AnswerRates", "best_times", "hour_of_week", "learn_answer_rates"]

HOURS_OF_WEEK = 168
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class AnswerRates:
    """Answer rates per member and hour of the week (members indexed as in the history they were learned from)."""

    pool: FloatArray  # p_h, shape (168,)
    pool_day: FloatArray  # p_d, shape (24,)
    keys: IntArray  # sorted member * 168 + hour with at least one tried call
    answered: FloatArray
    tried: FloatArray
    day_keys: IntArray  # sorted member * 24 + hour of the day with at least one tried call
    day_answered: FloatArray
    day_tried: FloatArray
    strength: float

    def rate(self, member: IntArray, hour: IntArray) -> FloatArray:
        """r_m,h for each (member, hour of the week) pair."""
        member, hour = member.astype(np.int64), hour.astype(np.int64)
        day = hour % 24
        a_d, n_d = _lookup(self.day_keys, self.day_answered, self.day_tried, member * 24 + day)
        member_day = (a_d + self.strength * self.pool_day[day]) / (n_d + self.strength)
        prior = np.clip(self.pool[hour] + member_day - self.pool_day[day], 0.0, 1.0)
        a, n = _lookup(self.keys, self.answered, self.tried, member * HOURS_OF_WEEK + hour)
        return np.asarray((a + self.strength * prior) / (n + self.strength), dtype=np.float64)


def _lookup(keys: IntArray, answered: FloatArray, tried: FloatArray, key: IntArray) -> tuple[FloatArray, FloatArray]:
    if len(keys) == 0:
        return np.zeros(len(key)), np.zeros(len(key))
    pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
    found = keys[pos] == key
    return np.where(found, answered[pos], 0.0), np.where(found, tried[pos], 0.0)


def hour_of_week(at_s: IntArray, zones: npt.NDArray[np.object_]) -> IntArray:
    """The local hour of the week (0 = Monday 00:xx) of each instant in its zone."""
    out = np.zeros(len(at_s), dtype=np.int64)
    for zone in pd.unique(zones):
        rows = np.flatnonzero(zones == zone)
        local = pd.to_datetime(at_s[rows], unit="s", utc=True).tz_convert(str(zone))
        out[rows] = np.asarray(local.dayofweek * 24 + local.hour, dtype=np.int64)
    return out


def learn_answer_rates(
    history: ContactHistory,
    *,
    pool: npt.NDArray[np.bool_] | None = None,
    strength: float = 4.0,
    pool_strength: float = 20.0,
) -> AnswerRates:
    """Learn the rates from the history's call attempts; ``pool`` flags the members whose calls form the prior
    (default: every member)."""
    if strength <= 0 or pool_strength <= 0:
        raise ValueError("the prior strengths must be positive")
    calls = (history.channel == CHANNEL_CODES[Channel.CALL]) & (history.outcome != OUTCOME_CODES[Outcome.FAILED])
    member = history.member_idx[calls]
    answered = np.isin(history.outcome[calls], [OUTCOME_CODES[o] for o in LIVE_OUTCOMES]).astype(np.float64)
    hour = hour_of_week(history.at_s[calls], history.zones[member]) if len(member) else np.zeros(0, np.int64)
    in_pool = pool[member] if pool is not None else np.ones(len(member), dtype=bool)
    total_a, total_n = float(answered[in_pool].sum()), float(in_pool.sum())
    overall = (total_a + 1.0) / (total_n + 2.0)
    a_h = np.bincount(hour[in_pool], weights=answered[in_pool], minlength=HOURS_OF_WEEK)
    n_h = np.bincount(hour[in_pool], minlength=HOURS_OF_WEEK).astype(np.float64)
    pool_rate = (a_h + pool_strength * overall) / (n_h + pool_strength)
    a_d, n_d = a_h.reshape(7, 24).sum(axis=0), n_h.reshape(7, 24).sum(axis=0)
    pool_day = (a_d + pool_strength * overall) / (n_d + pool_strength)
    keys, answered_k, tried_k = _counts(member * HOURS_OF_WEEK + hour, answered)
    day_keys, day_answered, day_tried = _counts(member * 24 + hour % 24, answered)
    return AnswerRates(
        pool=pool_rate,
        pool_day=pool_day,
        keys=keys,
        answered=answered_k,
        tried=tried_k,
        day_keys=day_keys,
        day_answered=day_answered,
        day_tried=day_tried,
        strength=strength,
    )


def _counts(key: IntArray, answered: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    keys, inverse = np.unique(key, return_inverse=True)
    return (
        keys.astype(np.int64),
        np.bincount(inverse, weights=answered, minlength=len(keys)).astype(np.float64),
        np.bincount(inverse, minlength=len(keys)).astype(np.float64),
    )


def best_times(
    rates: AnswerRates,
    history: ContactHistory,
    member: IntArray,
    after_s: IntArray,
    policy: ContactPolicy,
    *,
    horizon_h: int = 24,
    until_s: IntArray | None = None,
) -> IntArray:
    """For each member, the best time at or after ``after_s`` within ``horizon_h`` hours: ``after_s`` itself if
    its hour is the best, else the start of the best later local hour; hours outside the calling window (or on a
    holiday) are never chosen, nor hours starting at or after ``until_s`` (e.g. the end of the planned day); with none
    left ``after_s`` is returned unchanged."""
    if len(member) == 0:
        return np.zeros(0, dtype=np.int64)
    zones = history.zones[member]
    local = np.zeros(len(member), dtype=np.int64)  # seconds past the local hour
    for zone in pd.unique(zones):
        rows = np.flatnonzero(zones == zone)
        stamp = pd.to_datetime(after_s[rows], unit="s", utc=True).tz_convert(str(zone))
        local[rows] = np.asarray(stamp.minute * 60 + stamp.second, dtype=np.int64)
    steps = np.arange(horizon_h, dtype=np.int64)
    candidates = (after_s - local)[:, None] + steps[None, :] * 3600
    candidates[:, 0] = after_s
    flat = candidates.ravel()
    flat_zones = np.repeat(zones, horizon_h)
    opened, _ = next_window_open(flat, flat_zones, policy)
    is_open = (opened == flat).reshape(candidates.shape)
    if until_s is not None:
        is_open &= candidates < until_s[:, None]
    score = rates.rate(np.repeat(member, horizon_h), hour_of_week(flat, flat_zones)).reshape(candidates.shape)
    score = np.where(is_open, score, -1.0)
    pick = np.argmax(score, axis=1)
    chosen = candidates[np.arange(len(member)), pick]
    return np.where(is_open.any(axis=1), chosen, after_s).astype(np.int64)
