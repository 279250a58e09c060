"""Team activity slots (seed 003's morning huddle) from published rosters on the lead's team page and API: only
activities (not meal or rest breaks), only the lead's people, grouped by day and time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.people.activity_slots import activity_slots
from callops.scheduling.roster_model import RosterBreak, RosterShift
from callops.store.rosters import publish_roster, save_roster
from people_site import (
    NOW,
    directory,  # noqa: F401  # the fixture it builds on
)
from people_site import client as nesting_app  # noqa: F401  # a fixture: team t1 (lead), new1, vet1; other in t2
from web_sign_in import login

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def shift(agent: str, day: int, *, huddle: bool = True) -> RosterShift:
    start = dt.datetime(2026, 12, day, 8, 30, tzinfo=TZ)
    pieces = [RosterBreak(start + dt.timedelta(hours=4), start + dt.timedelta(hours=5), "meal", False)]
    if huddle:
        pieces.insert(0, RosterBreak(start, start + dt.timedelta(minutes=30), "huddle", True))
    return RosterShift(agent, start, start + dt.timedelta(hours=9), tuple(pieces))


def test_slots_are_activities_grouped_by_day_and_time() -> None:
    shifts = [shift("a", 4), shift("b", 4), shift("c", 4, huddle=False), shift("a", 5)]
    slots = activity_slots(shifts, None, tz=TZ)
    assert [(s.day.day, s.start, s.end, s.kind, s.agents) for s in slots] == [
        (4, "08:30", "09:00", "huddle", ("a", "b")),
        (5, "08:30", "09:00", "huddle", ("a",)),
    ]
    assert [s.agents for s in activity_slots(shifts, {"b"}, tz=TZ)] == [("b",)]


def test_the_lead_sees_their_teams_huddles(nesting_app: TestClient, engine: sa.Engine) -> None:  # noqa: F811
    client = nesting_app
    with engine.begin() as conn:
        shifts = [shift("new1", 4), shift("vet1", 4), shift("other", 4), shift("new1", 20)]  # the 20th: too late
        save_roster(
            conn,
            "dec",
            shifts,
            first_day=dt.date(2026, 12, 4),
            last_day=dt.date(2026, 12, 20),
            tz="Asia/Shanghai",
            summary={},
            now=NOW,
            by="pat",
        )
        save_roster(
            conn,
            "draft",
            [shift("vet1", 5)],
            first_day=dt.date(2026, 12, 5),
            last_day=dt.date(2026, 12, 5),
            tz="Asia/Shanghai",
            summary={},
            now=NOW,
            by="pat",
        )  # unpublished
        publish_roster(conn, "dec", 1, now=NOW, by="pat")
    client.headers["X-CSRF-Token"] = login(client, "lead")
    assert client.get("/api/people/activities").json() == [
        {"day": "2026-12-04", "start": "08:30", "end": "09:00", "kind": "huddle", "agents": ["new1", "vet1"]}
    ]
    page = client.get("/people/team").text
    assert 'id="activities-table"' in page and "new1, vet1" in page and "团队活动" in page
    client.headers["X-CSRF-Token"] = login(client, "boss")
    everyone = client.get("/api/people/activities", params={"days": 31}).json()
    assert [s["agents"] for s in everyone] == [["new1", "other", "vet1"], ["new1"]]
    assert client.get("/api/people/activities", params={"days": 99}).status_code in (400, 422)
    client.headers["X-CSRF-Token"] = login(client, "amy")
    assert client.get("/api/people/activities").status_code == 403
