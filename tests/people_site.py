"""People data the people tests share: an HR file (``HR``), a directory of teams and agents with its app (the
``directory`` and ``client`` fixtures, clock at NOW), and forty people whose away time foretells their leaving
(``save_forty``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.people import ExitReason, Position, Spell, Stint
from callops.records import Agent, AgentInterval, AgentState, Role
from callops.store.directory import save_agent, save_queue, save_team
from callops.store.people import save_people
from callops.store.records import insert_intervals
from callops.web import create_app
from web_sign_in import insert_users

__all__ = ["HR", "NOW", "directory", "client", "interval", "save_forty"]

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

HR = """person,hire_date,exit_date,exit_reason,team,position
a1,2024-01-01,,,t1,agent
a2,2024-01-15,2024-03-01,pay,t1,agent
a3,2023-06-01,2024-02-01,,t1,agent
a3,2024-02-01,,,t2,senior
a4,2023-01-01,2024-02-10,转岗,t2,agent
"""


def interval(agent: str, state: AgentState, start: dt.datetime, seconds: float) -> AgentInterval:
    """``agent`` in ``state`` for ``seconds`` from ``start``."""
    return AgentInterval("test", agent, state, start, start + dt.timedelta(seconds=seconds))


def save_forty(conn: sa.Connection) -> None:
    """40 people in t1/t2 hired in 2023: the more away time, the sooner they left; one in four still employed."""
    people: dict[str, list[Stint]] = {}
    intervals = []
    for i in range(40):
        hire = dt.date(2023, 1, 1) + dt.timedelta(days=i)
        away = (i % 10) / 10 * 3600
        leaves = i % 4 != 0
        exit_on = hire + dt.timedelta(days=400 - int(away / 15)) if leaves else None
        team = "t1" if i % 2 else "t2"
        people[f"p{i:02d}"] = [Stint(f"p{i:02d}", (Spell(hire, exit_on, team, Position.AGENT),),
                                     exit_reason=ExitReason.PAY if leaves else None)]
        last = exit_on or dt.date(2024, 6, 30)
        at = dt.datetime.combine(last - dt.timedelta(days=10), dt.time(9), TZ)
        intervals += [interval(f"p{i:02d}", AgentState.READY, at, 6 * 3600),
                      interval(f"p{i:02d}", AgentState.AWAY, at + dt.timedelta(hours=6), away + 60)]
    for team in ("t1", "t2"):
        if not conn.execute(sa.text("SELECT 1 FROM teams WHERE name = :n"), {"n": team}).first():
            save_team(conn, team)
    save_people(conn, people, actor="test", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    insert_intervals(conn, intervals)


@pytest.fixture
def directory(engine: sa.Engine) -> sa.Engine:
    """Teams t1 (led by lead) and t2, queues general and billing; new1 and vet1 in t1, other in t2."""
    with engine.begin() as conn:
        save_team(conn, "t1", lead="lead")
        save_team(conn, "t2")
        for name in ("general", "billing"):
            save_queue(conn, name)
        save_agent(conn, Agent("new1", "New", team="t1", skills={"general": 5, "billing": 5}))
        save_agent(conn, Agent("vet1", "Vet", team="t1", skills={"general": 9, "billing": 9}))
        save_agent(conn, Agent("other", "Other", team="t2", skills={"general": 3}))
    return engine


@pytest.fixture
def client(directory: sa.Engine, db_url: str) -> Iterator[TestClient]:
    """The app (clock at NOW) over ``directory`` with boss (manager), lead (zh-CN) and amy (agent new1)."""
    with directory.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("lead", Role.TEAM_LEAD, None, "zh-CN"),
                            ("amy", Role.AGENT, "new1", "en")])
    app = create_app(Settings(database_url=db_url, secret_key="test-secret"), clock=lambda: NOW)
    with TestClient(app) as test_client:
        yield test_client
