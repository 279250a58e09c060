"""A contact history in columns: every past attempt (member, channel, time, outcome, campaign) as numpy arrays.

Built once from records or a CSV (``read_history_csv``), sorted by member then time, so the vectorised
policy check (``contact_check``) works on slices and group boundaries instead of Python objects.
Times are whole seconds since the epoch, UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from callops.csv_rows import CheckedDictReader
from callops.dialer.phones import PhoneError, normalise_phone, zone_for_phone
from callops.dialer.records import Channel, Outcome
from callops.errors import InvalidInput

__all__ = ["ContactHistory", "HistoryRow", "read_history_csv", "CHANNEL_CODES", "OUTCOME_CODES",
           "HISTORY_COLUMNS", "MAX_HISTORY_ROWS"]

HISTORY_COLUMNS = ("member", "phone", "channel", "at", "outcome", "campaign")
MAX_HISTORY_ROWS = 20_000_000
CHANNEL_CODES = {c: i for i, c in enumerate(Channel)}
OUTCOME_CODES = {o: i for i, o in enumerate(Outcome)}

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    member: str
    phone: str | None
    channel: Channel
    at: dt.datetime
    outcome: Outcome
    campaign: str


@dataclass(frozen=True, slots=True)
class ContactHistory:
    """Members (index = position) and their attempts, sorted by (member, at)."""

    members: npt.NDArray[np.object_]
    phones: npt.NDArray[np.object_]
    zones: npt.NDArray[np.object_]
    campaigns: npt.NDArray[np.object_]
    member_idx: IntArray
    at_s: IntArray
    channel: npt.NDArray[np.int8]
    outcome: npt.NDArray[np.int8]
    campaign_idx: IntArray

    @property
    def size(self) -> int:
        return len(self.members)

    @classmethod
    def from_columns(
        cls,
        *,
        member: Sequence[str] | npt.NDArray[np.object_],
        phone: Sequence[str | None] | npt.NDArray[np.object_],
        channel: npt.NDArray[np.int8],
        at_s: IntArray,
        outcome: npt.NDArray[np.int8],
        campaign: Sequence[str] | npt.NDArray[np.object_],
        default_zone: str,
        extra_members: Iterable[str] = (),
    ) -> ContactHistory:
        """Columns of equal length (phones already E.164 or None); ``extra_members`` have no attempts yet."""
        extra = [m for m in dict.fromkeys(extra_members)]
        all_members = np.concatenate([np.asarray(member, dtype=object), np.asarray(extra, dtype=object)])
        codes, uniques = pd.factorize(all_members, sort=True)
        member_idx = codes[: len(member)].astype(np.int64)
        camp_codes, camp_uniques = pd.factorize(np.asarray(campaign, dtype=object), sort=True)
        order = np.lexsort((np.asarray(at_s), member_idx))
        member_idx = member_idx[order]
        phones_sorted = np.asarray(phone, dtype=object)[order]
        phones = np.full(len(uniques), None, dtype=object)
        has_phone = np.array([p is not None and p != "" for p in phones_sorted], dtype=bool)
        # the latest phone of each member (rows are sorted by time within the member)
        phones[member_idx[has_phone]] = phones_sorted[has_phone]
        zone_cache: dict[str | None, str] = {None: default_zone}
        zones = np.empty(len(uniques), dtype=object)
        for i, p in enumerate(phones):
            z = zone_cache.get(p)
            if z is None:
                z = zone_for_phone(str(p), default_zone)
                zone_cache[p] = z
            zones[i] = z
        return cls(
            members=np.asarray(uniques, dtype=object), phones=phones, zones=zones,
            campaigns=np.asarray(camp_uniques, dtype=object), member_idx=member_idx,
            at_s=np.asarray(at_s, dtype=np.int64)[order], channel=np.asarray(channel, dtype=np.int8)[order],
            outcome=np.asarray(outcome, dtype=np.int8)[order],
            campaign_idx=camp_codes.astype(np.int64)[order],
        )

    @classmethod
    def from_rows(cls, rows: Iterable[HistoryRow], *, default_zone: str,
                  extra_members: Iterable[str] = ()) -> ContactHistory:
        rows = list(rows)
        return cls.from_columns(
            member=[r.member for r in rows], phone=[r.phone for r in rows],
            channel=np.array([CHANNEL_CODES[r.channel] for r in rows], dtype=np.int8),
            at_s=np.array([int(r.at.timestamp()) for r in rows], dtype=np.int64),
            outcome=np.array([OUTCOME_CODES[r.outcome] for r in rows], dtype=np.int8),
            campaign=[r.campaign for r in rows], default_zone=default_zone, extra_members=extra_members,
        )

    def attempts_of(self, i: int) -> list[HistoryRow]:
        """Member ``i``'s attempts in time order (for explanations and the member page)."""
        lo, hi = np.searchsorted(self.member_idx, [i, i + 1])
        channels = list(Channel)
        outcomes = list(Outcome)
        return [HistoryRow(str(self.members[i]), self.phones[i], channels[int(self.channel[k])],
                           dt.datetime.fromtimestamp(int(self.at_s[k]), dt.UTC), outcomes[int(self.outcome[k])],
                           str(self.campaigns[self.campaign_idx[k]])) for k in range(int(lo), int(hi))]


def read_history_csv(text: str, *, file: str = "history.csv") -> list[HistoryRow]:
    """Rows of ``member,phone,channel,at,outcome,campaign``; the first bad row raises naming line and field."""
    reader = CheckedDictReader(text, file=file)
    header = reader.fieldnames or []
    missing = [c for c in HISTORY_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"missing column(s) {', '.join(missing)}; expected {','.join(HISTORY_COLUMNS)}",
                           file=file, line=1)
    unknown = [c for c in header if c not in HISTORY_COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column(s) {', '.join(unknown)}", file=file, line=1)
    rows: list[HistoryRow] = []
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_HISTORY_ROWS:
            raise InvalidInput(f"more than {MAX_HISTORY_ROWS} rows", file=file, line=line)
        if None in raw or any(raw.get(c) is None for c in HISTORY_COLUMNS):
            raise InvalidInput("wrong number of fields", file=file, line=line)
        rows.append(_row(raw, file=file, line=line))
    return rows


def _row(raw: dict[str, str], *, file: str, line: int) -> HistoryRow:
    member = raw["member"].strip()
    if not member:
        raise InvalidInput("empty member", file=file, line=line, field="member")
    try:
        channel = Channel(raw["channel"].strip().lower())
    except ValueError:
        raise InvalidInput(f"{raw['channel']!r} is not one of call, sms, email", file=file, line=line,
                           field="channel") from None
    try:
        outcome = Outcome(raw["outcome"].strip().lower())
    except ValueError:
        raise InvalidInput(f"{raw['outcome']!r} is not one of {', '.join(o.value for o in Outcome)}",
                           file=file, line=line, field="outcome") from None
    try:
        at = dt.datetime.fromisoformat(raw["at"].strip())
    except ValueError:
        raise InvalidInput(f"{raw['at']!r} is not an ISO time", file=file, line=line, field="at") from None
    if at.tzinfo is None:
        raise InvalidInput(f"{raw['at']!r} has no UTC offset (write e.g. 2026-03-02T10:00:00+08:00)",
                           file=file, line=line, field="at")
    phone: str | None = None
    if raw["phone"].strip():
        try:
            phone = normalise_phone(raw["phone"])
        except PhoneError as exc:
            raise InvalidInput(str(exc), file=file, line=line, field="phone") from None
    elif channel is Channel.CALL:
        raise InvalidInput("a call needs a phone number", file=file, line=line, field="phone")
    campaign = raw["campaign"].strip()
    return HistoryRow(member, phone, channel, at.astimezone(dt.UTC), outcome, campaign)
