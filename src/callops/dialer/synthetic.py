"""Synthetic contact histories for tests and benchmarks: many members, a few attempts each, mixed outcomes.

Reproducible from the ``numpy.random.Generator`` passed in. Numbers are Chinese mobiles, plus a share of
US numbers (America/New_York) so the calling window is checked in more than one zone.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from callops.dialer.history import ContactHistory
from callops.dialer.records import Outcome

__all__ = ["synthetic_history"]

_OUTCOME_P = {Outcome.NO_ANSWER: 0.40, Outcome.BUSY: 0.08, Outcome.MACHINE: 0.12, Outcome.REFUSED: 0.12,
              Outcome.SUCCESS: 0.10, Outcome.ABANDONED: 0.04, Outcome.CALLBACK: 0.06,
              Outcome.WRONG_NUMBER: 0.04, Outcome.FAILED: 0.04}


def synthetic_history(rng: np.random.Generator, *, members: int, attempts_per_member: float, end: dt.datetime,
                      span_s: int = 3 * 86400, campaigns: int = 3, foreign_share: float = 0.05) -> ContactHistory:
    """``members`` members with Poisson(``attempts_per_member``) attempts each in the ``span_s`` before ``end``."""
    counts = rng.poisson(attempts_per_member, members)
    n = int(counts.sum())
    member_idx = np.repeat(np.arange(members), counts)
    names = np.array([f"M{i:07d}" for i in range(members)], dtype=object)
    foreign = rng.random(members) < foreign_share
    phones = np.array([f"+1212555{i % 10000:04d}" if f else f"+86138{i:08d}" for i, f in enumerate(foreign)],
                      dtype=object)
    end_s = int(end.timestamp())
    # clustered attempts: some members get bursts within minutes, most spread over the span
    at_s = end_s - rng.integers(0, span_s, n)
    burst = rng.random(n) < 0.3
    anchor = end_s - rng.integers(0, 3600, members)
    at_s = np.where(burst, anchor[member_idx] - rng.integers(0, 600, n), at_s)
    outcome = rng.choice(len(_OUTCOME_P), size=n, p=np.array(list(_OUTCOME_P.values())))
    codes = {o: i for i, o in enumerate(Outcome)}
    outcome_codes = np.array([codes[o] for o in _OUTCOME_P], dtype=np.int8)[outcome]
    channel = rng.choice(3, size=n, p=[0.8, 0.15, 0.05]).astype(np.int8)
    campaign = np.array([f"C{k}" for k in range(campaigns)], dtype=object)[rng.integers(0, campaigns, n)]
    return ContactHistory.from_columns(member=names[member_idx], phone=phones[member_idx], channel=channel,
                                       at_s=at_s.astype(np.int64), outcome=outcome_codes, campaign=campaign,
                                       default_zone="Asia/Shanghai", extra_members=names)
