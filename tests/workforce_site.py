"""The workforce site the web tests share: 28 days of calls in Asia/Shanghai (09:00-12:00), a planner and an
agent, and the history a plan is built from. Test modules declare their own ``client`` and ``planner`` fixtures
with ``workforce_site(engine)`` and ``as_planner(client)``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Call, Direction, Outcome, Role
from callops.store.records import insert_calls
from callops.web import create_app
from web_sign_in import insert_users, login

TZ = "Asia/Shanghai"
FIRST_DAY = dt.date(2026, 2, 2)  # a Monday
DAYS = 28


def history_calls(days: int = DAYS, queue: str = "PS") -> list[Call]:
    """Calls 09:00-12:00 local on every day: 2 per half hour at 09:xx, 4 at 10:xx, 6 at 11:xx; talk 150 s."""
    zone = zoneinfo.ZoneInfo(TZ)
    out: list[Call] = []
    for day in range(days):
        for hour in (9, 10, 11):
            for half in (0, 30):
                for k in range(2 * (hour - 8)):
                    local = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(hour, half + k), zone)
                    at = local.astimezone(dt.UTC)
                    out.append(Call(source="test", source_call_id=f"{queue}-{day}-{hour}-{half}-{k}",
                                    direction=Direction.INBOUND, outcome=Outcome.ANSWERED, queue=queue,
                                    queue_entered_at=at, answered_at=at + dt.timedelta(seconds=5),
                                    ended_at=at + dt.timedelta(seconds=155), agent="A1", talk_s=150.0))
    return out


def load_history(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        insert_calls(conn, history_calls())


HISTORY = {"queue": "PS", "history_from": "2026-02-02", "history_to": "2026-03-01", "horizon": "7d",
           "model": "seasonal_naive"}


@contextmanager
def workforce_site(engine: sa.Engine) -> Iterator[TestClient]:
    """The app over ``engine`` with a planner and an agent (tests that need calls load them)."""
    with engine.begin() as conn:
        insert_users(conn, [("pat", Role.PLANNER, None, "en"), ("amy", Role.AGENT, None, "en")], tz=TZ)
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret", site_tz=TZ))) as test_client:
        yield test_client


def as_planner(client: TestClient) -> TestClient:
    client.headers["X-CSRF-Token"] = login(client, "pat")
    return client
