"""The preview dialer's cards (table ``dial_previews``, migration 0024): the dialer offers a contact to an agent,
the agent's page accepts or skips it, the dialer reads the decision.

    offer_preview(conn, campaign, agent, contact, now=...)      # the card's id (reoffered_because=...: again)
    open_preview(conn, agent)                                   # PreviewCard | None: what the agent's page shows
    decide_preview(conn, card_id, agent=..., decision="skipped", reason="not_suitable", now=...)
    close_preview(conn, card_id, "timeout", now=...)            # the dialer: timed out or withdrawn, if still open
    preview_decisions(conn, ids)                                # id -> (decision, reason); None while open

A decision is written only while the card is open (``decision IS NULL`` in the same UPDATE), so an agent's accept
and the dialer's time-out cannot both win. A skipped card is not a contact attempt: nothing goes to
``contact_attempts`` and the policy's caps do not count it. A card offered again for a reason the agent should be
told (``REOFFER_REASONS``: the accepted call never reached the PBX) carries it (``reoffered_because``, migration
0026).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from callops.dialer.contact_list import ContactRow
from callops.errors import Conflict, InvalidInput, NotFound
from callops.store.campaigns import Campaign
from callops.store.schema import campaign_contacts, campaigns, contact_attempts, dial_previews

__all__ = ["REOFFER_REASONS", "SKIP_REASONS", "PreviewCard", "close_preview", "decide_preview", "offer_preview",
           "open_preview", "preview_decisions", "skipped_counts"]

SKIP_REASONS = ("recently_contacted", "not_suitable", "data_problem", "other")
"""Why an agent skips a previewed contact (the agent page's choices)."""

REOFFER_REASONS = ("pbx_unreachable",)
"""Why the dialer offers a card again (the agent page says so on the card)."""


@dataclass(frozen=True, slots=True)
class PreviewCard:
    id: int
    campaign: str
    script: str
    agent: str
    member: str
    phone: str
    name: str
    offered_at: dt.datetime
    calls_before: int  # the member's earlier call attempts, all campaigns
    reoffered_because: str | None  # one of REOFFER_REASONS; None on a first offer


def offer_preview(conn: sa.Connection, campaign: Campaign, agent: str, contact: ContactRow, *,
                  now: dt.datetime, reoffered_because: str | None = None) -> int:
    if reoffered_because is not None and reoffered_because not in REOFFER_REASONS:
        raise ValueError(f"not a reason to offer a card again: {reoffered_because!r}")
    result = conn.execute(dial_previews.insert().values(campaign_id=campaign.id, agent=agent, member=contact.member,
                                                        phone=contact.phone, offered_at=now,
                                                        reoffered_because=reoffered_because))
    return int(result.inserted_primary_key[0])  # type: ignore[index]  # one row inserted: one key


def open_preview(conn: sa.Connection, agent: str) -> PreviewCard | None:
    """The agent's open card (the newest, should a crashed run have left an older one open)."""
    p, c = dial_previews.c, campaign_contacts.c
    row = conn.execute(
        sa.select(p.id, p.agent, p.member, p.phone, p.offered_at, p.reoffered_because, campaigns.c.name,
                  campaigns.c.script, c.name.label("contact_name"))
        .join(campaigns, campaigns.c.id == p.campaign_id)
        .outerjoin(campaign_contacts, sa.and_(c.campaign_id == p.campaign_id, c.member == p.member))
        .where(p.agent == agent, p.decision.is_(None))
        .order_by(p.id.desc()).limit(1)).first()
    if row is None:
        return None
    calls = conn.execute(sa.select(sa.func.count()).where(contact_attempts.c.member == row.member,
                                                          contact_attempts.c.channel == "call")).scalar_one()
    return PreviewCard(int(row.id), row.name, row.script, row.agent, row.member, row.phone, row.contact_name or "",
                       row.offered_at, int(calls), row.reoffered_because)


def decide_preview(conn: sa.Connection, card_id: int, *, agent: str, decision: str, reason: str | None,
                   now: dt.datetime) -> None:
    """The agent's decision: ``accepted`` (dial now) or ``skipped`` with one of ``SKIP_REASONS``. InvalidInput
    naming the field, NotFound for another agent's or an unknown card, Conflict when it is no longer open."""
    if decision not in ("accepted", "skipped"):
        raise InvalidInput(f"{decision[:40]!r} is not accepted or skipped", field="decision")
    if decision == "skipped" and reason not in SKIP_REASONS:
        raise InvalidInput(f"a skip needs a reason: one of {', '.join(SKIP_REASONS)}", field="skip_reason")
    owner = conn.execute(sa.select(dial_previews.c.agent).where(dial_previews.c.id == card_id)).scalar_one_or_none()
    if owner is None or owner != agent:
        raise NotFound(f"no preview card {card_id} for agent {agent}")
    done = conn.execute(dial_previews.update().where(dial_previews.c.id == card_id,
                                                     dial_previews.c.decision.is_(None))
                        .values(decision=decision, reason=reason if decision == "skipped" else None, decided_at=now))
    if done.rowcount != 1:
        raise Conflict("this contact was already dialed, skipped or withdrawn")


def close_preview(conn: sa.Connection, card_id: int, decision: str, *, now: dt.datetime) -> bool:
    """The dialer closes an open card (``timeout``: dialed anyway; ``withdrawn``: the agent left ready or the run
    ended); False when the agent decided first."""
    done = conn.execute(dial_previews.update().where(dial_previews.c.id == card_id,
                                                     dial_previews.c.decision.is_(None))
                        .values(decision=decision, decided_at=now))
    return done.rowcount == 1


def preview_decisions(conn: sa.Connection, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
    if not ids:
        return {}
    rows = conn.execute(sa.select(dial_previews.c.id, dial_previews.c.decision, dial_previews.c.reason)
                        .where(dial_previews.c.id.in_(list(ids))))
    return {int(r.id): (r.decision, r.reason) for r in rows}


def skipped_counts(conn: sa.Connection, campaign: Campaign) -> dict[str, int]:
    """The campaign's skipped cards by reason."""
    rows = conn.execute(sa.select(dial_previews.c.reason, sa.func.count()).where(
        dial_previews.c.campaign_id == campaign.id, dial_previews.c.decision == "skipped")
        .group_by(dial_previews.c.reason))
    return {str(r[0]): int(r[1]) for r in rows}
