"""Demo data: a month of real calls (Anonymous Bank, January 1999) and demo users."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from callops.demo.quality import load_demo_quality
from callops.ingest import ImportReport, import_files
from callops.records import Role
from callops.store.directory import agents_from_calls, assign_unteamed, list_queues, list_teams, save_team
from callops.store.users import add_user, list_users

__all__ = ["DEMO_CALLS", "DEMO_HOLIDAYS", "DEMO_SITE", "DEMO_TEAM", "DEMO_TZ", "DEMO_USERS", "DemoUser",
           "load_demo"]

DEMO_CALLS = Path(__file__).resolve().parent / "calls_1999-01.txt.gz"
DEMO_TZ = "Asia/Jerusalem"
DEMO_TEAM = "floor"  # every demo agent, led by the demo team lead (a lead sees only the teams they lead)
DEMO_SITE = "anonymous-bank"  # the demo queues' site: Israeli zone and calendar, so forecasts follow the data
DEMO_HOLIDAYS = "IL"


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    password: str
    role: Role
    agent_id: str | None = None


DEMO_USERS = (
    DemoUser("admin", "admin-demo-1", Role.ADMIN),
    DemoUser("manager", "manager-demo-1", Role.MANAGER),
    DemoUser("planner", "planner-demo-1", Role.PLANNER),
    DemoUser("qa", "qa-demo-1", Role.QA),
    DemoUser("lead", "lead-demo-1", Role.TEAM_LEAD),
    DemoUser("agent", "agent-demo-1", Role.AGENT, agent_id="MICHAL"),
)


def load_demo(engine: sa.Engine) -> ImportReport:
    """Import the demo month, put its queues in the demo site (Asia/Jerusalem, Israeli holidays) and its agents
    in one team led by the demo lead, and create the demo users; running it again adds nothing."""
    import datetime as dt

    from callops.services.directory_admin import save_queue_audited, save_site_audited

    report = import_files(engine, [DEMO_CALLS], fmt="anonymous-bank", tz=DEMO_TZ)
    with engine.begin() as conn:
        agents_from_calls(conn)
        now = dt.datetime.now(dt.UTC)
        save_site_audited(conn, DEMO_SITE, tz=DEMO_TZ, holidays=DEMO_HOLIDAYS, actor="demo", at=now)
        for queue in list_queues(conn):
            if queue.site is None:
                save_queue_audited(conn, queue.name, site=DEMO_SITE, actor="demo", at=now)
        if DEMO_TEAM not in {t.name for t in list_teams(conn)}:
            save_team(conn, DEMO_TEAM, lead="lead")
        assign_unteamed(conn, DEMO_TEAM)
        existing = {u.username for u in list_users(conn)}
        for user in DEMO_USERS:
            if user.username not in existing:
                add_user(conn, user.username, password=user.password, role=user.role, agent_id=user.agent_id,
                         tz=DEMO_TZ, locale="zh-CN")
    load_demo_quality(engine)
    return report
