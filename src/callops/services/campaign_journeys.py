"""Campaigns' stored journeys by campaign name: what ``callops campaign journeys`` and ``campaign journey
--campaign`` read and save (the store keeps them per campaign id, :mod:`callops.store.campaign_journeys`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from callops.store.campaign_journeys import StoredJourney, journey_of, list_journeys, save_journey
from callops.store.campaigns import get_campaign

__all__ = ["StoredJourney", "list_journeys", "save_stored_journey", "stored_journey"]


def stored_journey(conn: sa.Connection, campaign: str) -> StoredJourney | None:
    """Campaign ``campaign``'s stored journey (None when it has none); NotFound for an unknown campaign."""
    return journey_of(conn, get_campaign(conn, campaign))


def save_stored_journey(conn: sa.Connection, campaign: str, settings: Mapping[str, Any], *, saved_by: str,
                        now: dt.datetime) -> StoredJourney:
    """Store (or replace) campaign ``campaign``'s journey; InvalidInput naming the field, NotFound for an unknown
    campaign."""
    return save_journey(conn, get_campaign(conn, campaign), settings, saved_by=saved_by, now=now)
