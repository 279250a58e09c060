"""Outbound campaigns in the database: campaigns, contact lists, consent and DNC records, attempts.

Every writer takes a connection inside the caller's transaction and validates all input before its first
write, so a refused import leaves nothing behind. Re-importing the same list or attempts adds nothing.
Readers return the dialer package's records (``HistoryRow``, ``ConsentRecord``) for the policy check and
the planner, and the per-agent/per-campaign outbound report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from callops.dialer import Channel, ConsentRecord, HistoryRow, Outcome, PhoneError, Purpose, normalise_phone
from callops.dialer.contact_list import ContactRow
from callops.dialer.outbound_sim import max_window_rate
from callops.dialer.records import LIVE_OUTCOMES
from callops.dialer.repurchase import Sale
from callops.dialer.retry import parse_retry
from callops.errors import Conflict, InvalidInput, NotFound
from callops.store.schema import campaign_contacts, campaigns, contact_attempts, contact_consents, dnc_numbers

__all__ = ["Campaign", "AttemptIn", "MODES", "create_campaign", "get_campaign", "list_campaigns", "add_contacts",
           "campaign_contacts_of", "add_consents", "consents_for", "add_dnc", "dnc_among", "record_attempts",
           "history_for", "call_counts", "outbound_report", "campaign_progress", "member_listings",
           "sales_for_repurchase",
           "purchasers_history"]

MODES = ("preview", "progressive", "predictive")
_NAME = re.compile(r"^[\w.\-]{1,80}$")
_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    name: str
    purpose: Purpose
    mode: str
    caller_number: str
    script: str
    abandon_cap: float
    retry: Mapping[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AttemptIn:
    member: str
    phone: str | None
    channel: Channel
    at: dt.datetime
    outcome: Outcome
    agent: str | None = None
    talk_s: float = 0.0
    wrap_s: float = 0.0


def create_campaign(conn: sa.Connection, *, name: str, purpose: str, mode: str, caller_number: str,
                    script: str = "", abandon_cap: float = 0.03, retry: Mapping[str, Any] | None = None,
                    now: dt.datetime) -> Campaign:
    """A new campaign; each bad value raises ``InvalidInput`` naming the field, a taken name ``Conflict``."""
    if not _NAME.match(name):
        raise InvalidInput(f"campaign name {name!r} must be 1-80 letters, digits, '-', '_' or '.'", field="name")
    try:
        purpose_value = Purpose(purpose)
    except ValueError:
        raise InvalidInput(f"{purpose!r} is not one of {', '.join(p.value for p in Purpose)}",
                           field="purpose") from None
    if mode not in MODES:
        raise InvalidInput(f"{mode!r} is not one of {', '.join(MODES)}", field="mode")
    try:
        caller = normalise_phone(caller_number)
    except PhoneError as exc:
        raise InvalidInput(str(exc), field="caller_number") from None
    if not 0 < abandon_cap <= 0.2:
        raise InvalidInput("the abandon cap must be a share above 0 and at most 0.2", field="abandon_cap")
    if len(script) > 20_000:
        raise InvalidInput("the script is longer than 20,000 characters", field="script")
    try:
        parse_retry(retry or {})
    except ValueError as exc:
        raise InvalidInput(str(exc), field="retry") from None
    if conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == name)).first():
        raise Conflict(f"a campaign named {name!r} exists")
    conn.execute(campaigns.insert().values(name=name, purpose=purpose_value.value, mode=mode, caller_number=caller,
                                           script=script, abandon_cap=abandon_cap, retry=dict(retry or {}),
                                           created_at=now))
    return get_campaign(conn, name)


def _campaign(row: sa.Row[Any]) -> Campaign:
    return Campaign(row.id, row.name, Purpose(row.purpose), row.mode, row.caller_number, row.script,
                    float(row.abandon_cap), dict(row.retry), row.created_at)


def get_campaign(conn: sa.Connection, name: str) -> Campaign:
    row = conn.execute(sa.select(campaigns).where(campaigns.c.name == name)).first()
    if row is None:
        raise NotFound(f"no campaign named {name!r}")
    return _campaign(row)


def list_campaigns(conn: sa.Connection) -> list[Campaign]:
    return [_campaign(r) for r in conn.execute(sa.select(campaigns).order_by(campaigns.c.name))]


def add_contacts(conn: sa.Connection, campaign: Campaign, contacts: Sequence[ContactRow]) -> tuple[int, int]:
    """Insert contacts not yet on the campaign's list; (inserted, already there). A member already listed
    with another number is refused (``Conflict``) before anything is written."""
    existing: dict[str, str] = {}
    members = [c.member for c in contacts]
    for lo in range(0, len(members), _CHUNK):
        chunk = members[lo:lo + _CHUNK]
        for m, phone in conn.execute(sa.select(campaign_contacts.c.member, campaign_contacts.c.phone).where(
                campaign_contacts.c.campaign_id == campaign.id, campaign_contacts.c.member.in_(chunk))):
            existing[m] = phone
    fresh = []
    for c in contacts:
        if c.member in existing:
            if existing[c.member] != c.phone:
                raise Conflict(f"member {c.member!r} is on campaign {campaign.name} with {existing[c.member]}, "
                               f"not {c.phone}")
            continue
        fresh.append({"campaign_id": campaign.id, "member": c.member, "phone": c.phone, "zone": c.zone,
                      "name": c.name, "email": c.email})
    for lo in range(0, len(fresh), _CHUNK):
        conn.execute(campaign_contacts.insert(), fresh[lo:lo + _CHUNK])
    return len(fresh), len(contacts) - len(fresh)


def campaign_contacts_of(conn: sa.Connection, campaign: Campaign) -> list[ContactRow]:
    rows = conn.execute(sa.select(campaign_contacts).where(campaign_contacts.c.campaign_id == campaign.id)
                        .order_by(campaign_contacts.c.id))
    return [ContactRow(r.member, r.phone, r.zone, r.name, r.email) for r in rows]


def add_consents(conn: sa.Connection, records: Iterable[ConsentRecord]) -> int:
    rows = [{"member": r.member, "channel": r.channel.value if r.channel else None,
             "purpose": r.purpose.value if r.purpose else None, "granted": r.granted, "at": r.at,
             "source": r.source[:200]} for r in records]
    for lo in range(0, len(rows), _CHUNK):
        conn.execute(contact_consents.insert(), rows[lo:lo + _CHUNK])
    return len(rows)


def consents_for(conn: sa.Connection, members: Sequence[str]) -> list[ConsentRecord]:
    out: list[ConsentRecord] = []
    for lo in range(0, len(members), _CHUNK):
        for r in conn.execute(sa.select(contact_consents).where(
                contact_consents.c.member.in_(members[lo:lo + _CHUNK])).order_by(contact_consents.c.at)):
            out.append(ConsentRecord(r.member, Channel(r.channel) if r.channel else None,
                                     Purpose(r.purpose) if r.purpose else None, bool(r.granted), r.at, r.source))
    return out


def add_dnc(conn: sa.Connection, numbers: Iterable[str], *, now: dt.datetime, source: str) -> int:
    """Add normalised numbers to the do-not-call list; numbers already there are kept as they were."""
    wanted = sorted(set(numbers))
    have: set[str] = set()
    for lo in range(0, len(wanted), _CHUNK):
        have.update(p for (p,) in conn.execute(sa.select(dnc_numbers.c.phone).where(
            dnc_numbers.c.phone.in_(wanted[lo:lo + _CHUNK]))))
    rows = [{"phone": p, "added_at": now, "source": source[:200]} for p in wanted if p not in have]
    for lo in range(0, len(rows), _CHUNK):
        conn.execute(dnc_numbers.insert(), rows[lo:lo + _CHUNK])
    return len(rows)


def dnc_among(conn: sa.Connection, phones: Sequence[str]) -> frozenset[str]:
    found: set[str] = set()
    unique = sorted(set(phones))
    for lo in range(0, len(unique), _CHUNK):
        found.update(p for (p,) in conn.execute(sa.select(dnc_numbers.c.phone).where(
            dnc_numbers.c.phone.in_(unique[lo:lo + _CHUNK]))))
    return frozenset(found)


def record_attempts(conn: sa.Connection, campaign: Campaign, attempts: Sequence[AttemptIn]) -> tuple[int, int]:
    """Store attempts with their dispositions; one already stored (same member, channel, time) is skipped.
    Returns (inserted, duplicates)."""
    for i, a in enumerate(attempts):
        if a.at.tzinfo is None:
            raise InvalidInput("attempt time without a UTC offset", line=i + 2, field="at")
        if a.talk_s < 0 or a.wrap_s < 0:
            raise InvalidInput("negative talk or wrap time", line=i + 2, field="talk_s")
    seen: set[tuple[str, str, dt.datetime]] = set()
    members = sorted({a.member for a in attempts})
    for lo in range(0, len(members), _CHUNK):
        for m, ch, at in conn.execute(sa.select(contact_attempts.c.member, contact_attempts.c.channel,
                                                contact_attempts.c.at).where(
                contact_attempts.c.campaign_id == campaign.id,
                contact_attempts.c.member.in_(members[lo:lo + _CHUNK]))):
            seen.add((m, ch, at))
    rows = []
    for a in attempts:
        key = (a.member, a.channel.value, a.at.astimezone(dt.UTC).replace(microsecond=a.at.microsecond // 1000 * 1000))
        if key in seen:
            continue
        seen.add(key)
        rows.append({"campaign_id": campaign.id, "member": a.member, "phone": a.phone, "channel": a.channel.value,
                     "at": a.at, "outcome": a.outcome.value, "agent": a.agent, "talk_s": a.talk_s,
                     "wrap_s": a.wrap_s})
    for lo in range(0, len(rows), _CHUNK):
        conn.execute(contact_attempts.insert(), rows[lo:lo + _CHUNK])
    return len(rows), len(attempts) - len(rows)


def history_for(conn: sa.Connection, members: Sequence[str]) -> list[HistoryRow]:
    """Every attempt on these members across all campaigns (the policy caps count across campaigns)."""
    out: list[HistoryRow] = []
    query = (sa.select(contact_attempts.c.member, contact_attempts.c.phone, contact_attempts.c.channel,
                       contact_attempts.c.at, contact_attempts.c.outcome, campaigns.c.name)
             .join(campaigns, campaigns.c.id == contact_attempts.c.campaign_id))
    for lo in range(0, len(members), _CHUNK):
        for r in conn.execute(query.where(contact_attempts.c.member.in_(members[lo:lo + _CHUNK]))):
            out.append(HistoryRow(r.member, r.phone, Channel(r.channel), r.at, Outcome(r.outcome), r.name))
    return out


def call_counts(conn: sa.Connection, campaign: Campaign, *, since: dt.datetime,
                before: dt.datetime) -> tuple[int, int, int]:
    """The campaign's calls in ``[since, before)``: (calls with an outcome, live answers, abandons) — what the
    predictive dialer's abandon budget and connect-rate estimate start from."""
    c = contact_attempts.c
    live = [o.value for o in LIVE_OUTCOMES]
    row = conn.execute(sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((c.outcome.in_(live), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((c.outcome == Outcome.ABANDONED.value, 1), else_=0)), 0),
    ).where(c.campaign_id == campaign.id, c.channel == Channel.CALL.value, c.at >= since, c.at < before,
            c.outcome != Outcome.FAILED.value)).one()
    return int(row[0]), int(row[1]), int(row[2])


_CONNECTED = (Outcome.SUCCESS, Outcome.REFUSED, Outcome.CALLBACK, Outcome.WRONG_NUMBER)
_RIGHT_PARTY = (Outcome.SUCCESS, Outcome.REFUSED, Outcome.CALLBACK)


def outbound_report(conn: sa.Connection, campaign: Campaign, *, start: dt.datetime, end: dt.datetime,
                    window_s: float = 86400.0) -> dict[str, Any]:
    """Per agent and for the campaign over [start, end): dials, connects, right-party contacts, successes,
    conversion (successes / right-party contacts), refusal rate, talk and wrap seconds, abandon rate of live
    answers with the worst rolling window (a period shorter than the window is one window)."""
    query = sa.select(contact_attempts.c.agent, contact_attempts.c.at, contact_attempts.c.outcome,
                      contact_attempts.c.talk_s, contact_attempts.c.wrap_s).where(
        contact_attempts.c.campaign_id == campaign.id, contact_attempts.c.channel == Channel.CALL.value,
        contact_attempts.c.at >= start, contact_attempts.c.at < end)
    rows: list[Any] = list(conn.execute(query))

    def numbers(group: Sequence[Any]) -> dict[str, Any]:
        outcomes = [Outcome(r.outcome) for r in group]
        connects = sum(o in _CONNECTED for o in outcomes)
        rpc = sum(o in _RIGHT_PARTY for o in outcomes)
        successes = outcomes.count(Outcome.SUCCESS)
        refused = outcomes.count(Outcome.REFUSED)
        return {"dials": len(group), "connects": connects, "right_party_contacts": rpc, "successes": successes,
                "conversion": successes / rpc if rpc else None, "refusal_rate": refused / rpc if rpc else None,
                "talk_s": float(sum(r.talk_s for r in group)), "wrap_s": float(sum(r.wrap_s for r in group))}

    agents: dict[str, list[Any]] = {}
    for r in rows:
        if r.agent:
            agents.setdefault(r.agent, []).append(r)
    live = np.array([r.at.timestamp() for r in rows if Outcome(r.outcome) in (*_CONNECTED, Outcome.ABANDONED)])
    abandons = np.array([r.at.timestamp() for r in rows if r.outcome == Outcome.ABANDONED.value])
    total = numbers(rows)
    span = max(float(live.max() - live.min()) if len(live) else 0.0, 0.0)
    total.update({
        "abandons": len(abandons), "live_answers": len(live),
        "abandon_rate": len(abandons) / len(live) if len(live) else None,
        "abandon_cap": campaign.abandon_cap,
        "abandon_window_h": window_s / 3600.0,
        "max_window_abandon_rate": max_window_rate(live - live.min() if len(live) else live,
                                                   abandons - live.min() if len(live) else abandons,
                                                   window_s=window_s, end_s=span) if len(live) else None,
    })
    return {"campaign": campaign.name, "start": start.isoformat(), "end": end.isoformat(), "total": total,
            "agents": [{"agent": a, **numbers(g)} for a, g in sorted(agents.items())]}


def campaign_progress(conn: sa.Connection, campaign: Campaign) -> dict[str, int]:
    """Contacts on the list, members tried at least once, attempts made."""
    contacts = conn.execute(sa.select(sa.func.count()).select_from(campaign_contacts).where(
        campaign_contacts.c.campaign_id == campaign.id)).scalar_one()
    tried, made = conn.execute(sa.select(sa.func.count(sa.distinct(contact_attempts.c.member)), sa.func.count())
                               .where(contact_attempts.c.campaign_id == campaign.id)).one()
    return {"contacts": int(contacts), "tried": int(tried), "attempts": int(made)}


def member_listings(conn: sa.Connection, member: str) -> list[tuple[str, ContactRow]]:
    """The campaigns listing ``member`` with the contact as listed there."""
    rows = conn.execute(sa.select(campaigns.c.name, campaign_contacts).join(
        campaigns, campaigns.c.id == campaign_contacts.c.campaign_id).where(campaign_contacts.c.member == member)
        .order_by(campaigns.c.name))
    return [(r.name, ContactRow(r.member, r.phone, r.zone, r.name_1, r.email)) for r in rows]


def sales_for_repurchase(conn: sa.Connection, *, start: dt.datetime, end: dt.datetime,
                         campaign: str | None = None) -> list[Sale]:
    """The successful calls of every member who bought in [start, end) (in ``campaign`` if named), with all their
    earlier successful calls in any campaign (to tell a first purchase from a repurchase)."""
    sold = (sa.select(contact_attempts.c.member).distinct()
            .join(campaigns, campaigns.c.id == contact_attempts.c.campaign_id)
            .where(contact_attempts.c.outcome == Outcome.SUCCESS.value,
                   contact_attempts.c.channel == Channel.CALL.value,
                   contact_attempts.c.at >= start, contact_attempts.c.at < end))
    if campaign is not None:
        sold = sold.where(campaigns.c.name == campaign)
    members = sorted(m for (m,) in conn.execute(sold))
    query = (sa.select(contact_attempts.c.member, contact_attempts.c.at, campaigns.c.name)
             .join(campaigns, campaigns.c.id == contact_attempts.c.campaign_id)
             .where(contact_attempts.c.outcome == Outcome.SUCCESS.value,
                    contact_attempts.c.channel == Channel.CALL.value, contact_attempts.c.at < end))
    out: list[Sale] = []
    for lo in range(0, len(members), _CHUNK):
        out.extend(Sale(r.member, r.at, r.name) for r in conn.execute(
            query.where(contact_attempts.c.member.in_(members[lo:lo + _CHUNK]))))
    return out


MAX_PURCHASERS = 2_000_000


def purchasers_history(conn: sa.Connection) -> list[HistoryRow]:
    """Every attempt on the members who have bought (a successful call in any campaign): the journeys' input."""
    members = sorted(m for (m,) in conn.execute(
        sa.select(contact_attempts.c.member).distinct().where(
            contact_attempts.c.outcome == Outcome.SUCCESS.value, contact_attempts.c.channel == Channel.CALL.value)
        .limit(MAX_PURCHASERS + 1)))
    if len(members) > MAX_PURCHASERS:
        raise InvalidInput(f"more than {MAX_PURCHASERS} members have bought: plan their journeys from files in parts",
                           field="members")
    return history_for(conn, members)
