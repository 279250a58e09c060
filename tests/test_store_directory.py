"""The directory: teams, agents with skills, queues, and agents discovered from calls."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.records import Agent, Call, Direction, Outcome
from callops.store.directory import (
    TeamRow,
    agents_from_calls,
    get_agent,
    list_agents,
    list_queues,
    list_teams,
    save_agent,
    save_queue,
    save_team,
)
from callops.store.records import insert_calls
from callops.store.schema import agents


def test_agent_with_team_and_skills(engine: sa.Engine) -> None:
    """An agent saved with skills comes back with them; saving again replaces the skills."""
    with engine.begin() as conn:
        save_team(conn, "north", lead="lead1")
        save_agent(conn, Agent("a1", "Li Lei", team="north", skills={"billing": 3, "english": 1}))
        assert get_agent(conn, "a1").skills == {"billing": 3, "english": 1}
        save_agent(conn, Agent("a1", "Li Lei", team="north", skills={"billing": 5}))
        assert list_agents(conn, team="north") == [Agent("a1", "Li Lei", team="north", skills={"billing": 5})]


def test_directory_validation(engine: sa.Engine) -> None:
    """Unknown teams, skill levels outside 1-10 and bad thresholds are refused."""
    with engine.begin() as conn:
        with pytest.raises(NotFound):
            save_agent(conn, Agent("a1", "x", team="ghost"))
        with pytest.raises(InvalidInput, match="level"):
            save_agent(conn, Agent("a1", "x", skills={"billing": 11}))
        with pytest.raises(InvalidInput):
            save_queue(conn, "q", sl_threshold_s=0)


def test_agents_and_queues_from_calls(engine: sa.Engine) -> None:
    """Agents and queues named in calls join the directory once."""
    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    calls = [Call(source="t", source_call_id=str(i), direction=Direction.INBOUND, outcome=Outcome.ANSWERED,
                  queue="vip", answered_at=t, agent=f"AG{i % 3}") for i in range(9)]
    with engine.begin() as conn:
        insert_calls(conn, calls)
        assert agents_from_calls(conn) == 3
        assert agents_from_calls(conn) == 0
        assert [a.agent_id for a in list_agents(conn)] == ["AG0", "AG1", "AG2"]
        assert [(q.name, q.description, q.sl_threshold_s) for q in list_queues(conn)] == [("vip", None, 20)]


def test_teams_with_their_active_members(engine: sa.Engine) -> None:
    """Teams come back by name with their lead and the number of their active agents; an empty team shows 0."""
    with engine.begin() as conn:
        save_team(conn, "south")
        save_team(conn, "north", lead="lead1")
        for agent_id in ("a1", "a2", "a3"):
            save_agent(conn, Agent(agent_id, agent_id.upper(), team="north"))
        conn.execute(agents.update().where(agents.c.agent_id == "a3").values(active=False))
        assert list_teams(conn) == [TeamRow("north", "lead1", 2), TeamRow("south", None, 0)]
