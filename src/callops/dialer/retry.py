"""Retries by outcome: when a campaign may try a member again after its last attempt, and when never.

Rules map the last attempt's outcome to ``(after_min, max_attempts)``: the next attempt waits ``after_min``
minutes and is not made once the campaign has tried the member ``max_attempts`` times in all (0 = never
again after that outcome). The defaults stop after success, refusal handled by the policy's refusal cap,
wrong numbers and failures to reach a valid number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from callops.dialer.history import OUTCOME_CODES, ContactHistory
from callops.dialer.records import Outcome

__all__ = ["RetryRule", "DEFAULT_RETRY", "retry_gate", "parse_retry"]


@dataclass(frozen=True, slots=True)
class RetryRule:
    after_min: int
    max_attempts: int


DEFAULT_RETRY: Mapping[Outcome, RetryRule] = {
    Outcome.NO_ANSWER: RetryRule(120, 4),
    Outcome.BUSY: RetryRule(30, 4),
    Outcome.MACHINE: RetryRule(240, 3),
    Outcome.ABANDONED: RetryRule(72 * 60, 4),
    Outcome.CALLBACK: RetryRule(60, 5),
    Outcome.REFUSED: RetryRule(24 * 60, 3),
    Outcome.FAILED: RetryRule(24 * 60, 2),
    Outcome.SUCCESS: RetryRule(0, 0),
    Outcome.WRONG_NUMBER: RetryRule(0, 0),
}


def parse_retry(raw: Mapping[str, object], *, field: str = "retry") -> dict[Outcome, RetryRule]:
    """``{outcome: {after_min, max}}`` over the defaults; ValueError naming ``retry.<outcome>`` when bad."""
    rules = dict(DEFAULT_RETRY)
    for key, value in raw.items():
        try:
            outcome = Outcome(str(key))
        except ValueError:
            raise ValueError(f"{field}.{key}: not an outcome ({', '.join(o.value for o in Outcome)})") from None
        if not isinstance(value, Mapping) or set(value) != {"after_min", "max"}:
            raise ValueError(f"{field}.{key}: must be {{after_min, max}}")
        after, most = value["after_min"], value["max"]
        if not (isinstance(after, int) and isinstance(most, int)) or isinstance(after, bool) or \
                isinstance(most, bool) or not 0 <= after <= 60 * 24 * 365 or not 0 <= most <= 100:
            raise ValueError(f"{field}.{key}: after_min 0..525600 and max 0..100, whole numbers")
        rules[outcome] = RetryRule(after, most)
    return rules


def retry_gate(history: ContactHistory, campaign: str, rules: Mapping[Outcome, RetryRule], *,
               now_s: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per member: the earliest retry time in ``campaign`` (``now_s`` if never tried) and whether it is done."""
    n = history.size
    not_before = np.full(n, now_s, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    match = np.flatnonzero(history.campaigns == campaign)
    if len(match) == 0:
        return not_before, done
    sel = (history.campaign_idx == int(match[0])) & (history.at_s <= now_s)
    members = history.member_idx[sel]
    if len(members) == 0:
        return not_before, done
    counts = np.bincount(members, minlength=n)
    # rows are sorted by (member, time): the last row of each member's run is its latest attempt
    last_rows = np.flatnonzero(np.r_[members[1:] != members[:-1], True])
    who = members[last_rows]
    outcome = history.outcome[sel][last_rows]
    at = history.at_s[sel][last_rows]
    after = np.zeros(len(OUTCOME_CODES), dtype=np.int64)
    most = np.zeros(len(OUTCOME_CODES), dtype=np.int64)
    for o, code in OUTCOME_CODES.items():
        rule = rules.get(o, DEFAULT_RETRY[o])
        after[code], most[code] = rule.after_min * 60, rule.max_attempts
    not_before[who] = np.maximum(at + after[outcome], now_s)
    done[who] = counts[who] >= most[outcome]
    return not_before, done
