"""The roster site the web and browser tests share: two teams, four agents with contracts, users for each role,
and a hand-made published week (Mon 2026-12-07 – Sun 12-13, Asia/Shanghai) whose swaps are easy to reason about:

    A1 standard   Mon–Fri 08:00–17:00 (meal 12–13)      team t1, user amy
    A2 standard   Mon–Fri 12:00–21:00 (meal 16–17)      team t1, user ben
    A3 part-time  Mon–Fri 09:00–13:00                   team t1, user cat
    A4 standard   Mon–Fri 07:00–16:00 (meal 11–12)      team t2, user dan

The lead ``lee`` leads t1; ``pat`` plans. The app's clock is fixed on Thursday 2026-12-03.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Agent, Role
from callops.scheduling.roster_model import Requirement, RosterAgent, RosterBreak, RosterShift
from callops.scheduling.work_rules import WorkSystem
from callops.store.directory import save_agent, save_team
from callops.store.roster_builds import RosterInputs, save_inputs
from callops.store.rosters import publish_roster, save_roster
from callops.web import create_app
from web_sign_in import insert_users

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
PATTERN = {"A1": (8, 12), "A2": (12, 16), "A3": (9, None), "A4": (7, 11)}  # start hour, meal hour
USERS = (("pat", Role.PLANNER, None), ("lee", Role.TEAM_LEAD, None), ("amy", Role.AGENT, "A1"),
         ("ben", Role.AGENT, "A2"), ("cat", Role.AGENT, "A3"), ("dan", Role.AGENT, "A4"))


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour), tzinfo=TZ)


def week_shifts() -> list[RosterShift]:
    out: list[RosterShift] = []
    for agent, (start, meal) in PATTERN.items():
        for day in range(5):
            if meal is None:
                out.append(RosterShift(agent, at(day, start), at(day, start + 4)))
            else:
                out.append(RosterShift(agent, at(day, start), at(day, start + 9),
                                       (RosterBreak(at(day, meal), at(day, meal + 1), "meal", False),)))
    return out


def week_inputs() -> RosterInputs:
    agents = tuple(RosterAgent(a, WorkSystem.PART_TIME if a == "A3" else WorkSystem.STANDARD,
                               team="t2" if a == "A4" else "t1") for a in PATTERN)
    reqs = tuple(Requirement(at(d, 0) + dt.timedelta(minutes=30 * i), 2 if 18 <= i < 34 and d < 5 else 0)
                 for d in range(7) for i in range(48))
    return RosterInputs(agents, reqs, None)


def seed(engine: sa.Engine, *, publish: bool = True, locale: str = "en") -> int:
    """Teams, agents, users and the week (published unless told); the roster's id."""
    with engine.begin() as conn:
        save_team(conn, "t1", lead="lee")
        save_team(conn, "t2", lead=None)
        for agent in PATTERN:
            save_agent(conn, Agent(agent, agent.lower(), team="t2" if agent == "A4" else "t1"))
        insert_users(conn, [(name, role, agent, locale) for name, role, agent in USERS])
        stored = save_roster(conn, "week50", week_shifts(), first_day=MONDAY, last_day=MONDAY + dt.timedelta(days=6),
                             tz="Asia/Shanghai", summary={"status": "FEASIBLE"}, now=NOW, by="pat")
        save_inputs(conn, stored.roster_id, week_inputs())
        if publish:
            publish_roster(conn, "week50", 1, now=NOW, by="pat")
    return stored.roster_id


@contextmanager
def roster_app(engine: sa.Engine) -> Iterator[TestClient]:
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, secret_key="test-secret", site_tz="Asia/Shanghai"), clock=lambda: NOW)
    with TestClient(app) as client:
        yield client
