"""Each campaign's stored journey (table ``campaign_journeys``, migration 0024): the touches its members get after
a first purchase, kept in the database instead of a YAML file.

    save_journey(conn, campaign, settings, saved_by="admin", now=...)   # validated; the journey's campaign is this one
    journey_of(conn, campaign)                                          # StoredJourney | None
    list_journeys(conn)                                                 # every campaign's, by campaign name

The settings are the mapping ``callops.dialer.journeys.journey_from_mapping`` reads (what a journey YAML holds);
a journey's ``campaign`` is the campaign it is stored for (a different one in the settings is refused).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.dialer.journeys import Journey, JourneyError, journey_from_mapping
from callops.errors import InvalidInput
from callops.store.campaigns import Campaign
from callops.store.schema import campaign_journeys, campaigns

__all__ = ["StoredJourney", "journey_of", "list_journeys", "save_journey"]


@dataclass(frozen=True, slots=True)
class StoredJourney:
    campaign: str
    settings: dict[str, Any]
    journey: Journey
    saved_at: dt.datetime
    saved_by: str


def _checked(campaign: Campaign, settings: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(settings)
    if str(data.setdefault("campaign", campaign.name)) != campaign.name:
        raise InvalidInput(f"the journey names campaign {str(data['campaign'])[:80]!r}, it is stored for "
                           f"{campaign.name!r}", field="campaign")
    data.setdefault("name", campaign.name)
    data = {"name": data.pop("name"), "campaign": data.pop("campaign"), **data}  # stored in the YAML's order
    try:
        journey_from_mapping(data)
    except JourneyError as exc:
        raise InvalidInput(exc.reason, field=exc.field) from None
    return data


def save_journey(conn: sa.Connection, campaign: Campaign, settings: Mapping[str, Any], *, saved_by: str,
                 now: dt.datetime) -> StoredJourney:
    """Store (or replace) the campaign's journey; InvalidInput naming the field (``touches[1].after``)."""
    data = _checked(campaign, settings)
    values = {"settings": data, "saved_at": now, "saved_by": saved_by[:80]}
    done = conn.execute(campaign_journeys.update().where(campaign_journeys.c.campaign_id == campaign.id)
                        .values(**values))
    if done.rowcount == 0:
        conn.execute(campaign_journeys.insert().values(campaign_id=campaign.id, **values))
    return StoredJourney(campaign.name, data, journey_from_mapping(data), now, saved_by[:80])


def _stored(row: sa.Row[Any]) -> StoredJourney:
    return StoredJourney(row.name, dict(row.settings), journey_from_mapping(row.settings), row.saved_at, row.saved_by)


def _query() -> sa.Select[Any]:
    j = campaign_journeys.c
    return sa.select(campaigns.c.name, j.settings, j.saved_at, j.saved_by).join(
        campaigns, campaigns.c.id == j.campaign_id)


def journey_of(conn: sa.Connection, campaign: Campaign) -> StoredJourney | None:
    row = conn.execute(_query().where(campaign_journeys.c.campaign_id == campaign.id)).first()
    return None if row is None else _stored(row)


def list_journeys(conn: sa.Connection) -> list[StoredJourney]:
    return [_stored(r) for r in conn.execute(_query().order_by(campaigns.c.name))]
