"""Consent and do-not-call records: who may be contacted on which channel for which purpose.

A consent record says a member granted or withdrew consent for a channel and purpose (``*`` = all) at a
time, from a source. The latest record at or before the check time decides; a member without records is
taken as consenting (the history's members came with consent), unless the policy reader says otherwise.
The do-not-call list holds normalised numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from callops.csv_rows import CheckedDictReader
from callops.dialer.history import ContactHistory
from callops.dialer.phones import PhoneError, normalise_phone
from callops.dialer.records import Channel, Purpose
from callops.errors import InvalidInput

__all__ = ["ConsentRecord", "read_consent_csv", "read_dnc_text", "consent_missing", "on_dnc",
           "CONSENT_COLUMNS"]

CONSENT_COLUMNS = ("member", "channel", "purpose", "status", "at")
_OPTIONAL = ("source",)
_E = TypeVar("_E", Channel, Purpose)
MAX_CONSENT_ROWS = 5_000_000


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    member: str
    channel: Channel | None  # None = every channel
    purpose: Purpose | None  # None = every purpose
    granted: bool
    at: dt.datetime
    source: str = ""


def read_consent_csv(text: str, *, file: str = "consent.csv") -> list[ConsentRecord]:
    """``member,channel,purpose,status,at[,source]`` with status granted|withdrawn, ``*`` for any channel/purpose."""
    reader = CheckedDictReader(text, file=file)
    header = reader.fieldnames or []
    missing = [c for c in CONSENT_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"missing column(s) {', '.join(missing)}", file=file, line=1)
    unknown = [c for c in header if c not in CONSENT_COLUMNS + _OPTIONAL]
    if unknown:
        raise InvalidInput(f"unknown column(s) {', '.join(unknown)}", file=file, line=1)
    out: list[ConsentRecord] = []
    for line, raw in enumerate(reader, start=2):
        if len(out) >= MAX_CONSENT_ROWS:
            raise InvalidInput(f"more than {MAX_CONSENT_ROWS} rows", file=file, line=line)
        if None in raw or any(raw.get(c) is None for c in CONSENT_COLUMNS):
            raise InvalidInput("wrong number of fields", file=file, line=line)
        member = raw["member"].strip()
        if not member:
            raise InvalidInput("empty member", file=file, line=line, field="member")
        channel = _choice(raw["channel"], Channel, file=file, line=line, field="channel")
        purpose = _choice(raw["purpose"], Purpose, file=file, line=line, field="purpose")
        status = raw["status"].strip().lower()
        if status not in ("granted", "withdrawn"):
            raise InvalidInput(f"{raw['status']!r} is not granted or withdrawn", file=file, line=line,
                               field="status")
        try:
            at = dt.datetime.fromisoformat(raw["at"].strip())
        except ValueError:
            raise InvalidInput(f"{raw['at']!r} is not an ISO time", file=file, line=line, field="at") from None
        if at.tzinfo is None:
            raise InvalidInput(f"{raw['at']!r} has no UTC offset", file=file, line=line, field="at")
        out.append(ConsentRecord(member, channel, purpose, status == "granted", at.astimezone(dt.UTC),
                                 (raw.get("source") or "").strip()))
    return out


def _choice(value: str, kind: type[_E], *, file: str, line: int, field: str) -> _E | None:
    text = value.strip().lower()
    if text in ("*", "all", ""):
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(f"{value!r} is not one of {', '.join(k.value for k in kind)} or *", file=file,
                           line=line, field=field) from None


def read_dnc_text(text: str, *, file: str = "dnc.txt") -> frozenset[str]:
    """One number per line (a ``phone`` header line is skipped); every number normalised."""
    numbers: set[str] = set()
    for line, raw in enumerate(text.splitlines(), start=1):
        value = raw.split(",")[0].strip()
        if not value or value.startswith("#") or (line == 1 and value.lower() == "phone"):
            continue
        try:
            numbers.add(normalise_phone(value))
        except PhoneError as exc:
            raise InvalidInput(str(exc), file=file, line=line, field="phone") from None
    return frozenset(numbers)


def consent_missing(history: ContactHistory, records: Iterable[ConsentRecord], *, channel: Channel,
                    purpose: Purpose, at: dt.datetime) -> npt.NDArray[np.bool_]:
    """Members whose latest applicable record at ``at`` is a withdrawal (or a refusal to grant)."""
    latest: dict[str, tuple[dt.datetime, bool]] = {}
    for r in records:
        if r.at > at or (r.channel is not None and r.channel is not channel):
            continue
        if r.purpose is not None and r.purpose is not purpose:
            continue
        seen = latest.get(r.member)
        if seen is None or r.at >= seen[0]:
            latest[r.member] = (r.at, r.granted)
    withdrawn = [m for m, (_, granted) in latest.items() if not granted]
    return np.isin(history.members, np.asarray(withdrawn, dtype=object))


def on_dnc(history: ContactHistory, dnc: frozenset[str]) -> npt.NDArray[np.bool_]:
    return np.isin(history.phones, np.asarray(sorted(dnc), dtype=object))
