"""The recognition table's reads: real answered calls per agent (scenarios left out) and the agents of calls."""

from __future__ import annotations

import sqlalchemy as sa

from callops.records import Outcome
from callops.store.qa_recognition import AgentHandling, agent_handling, agents_of_calls
from callops.store.records import insert_calls
from callops.store.schema import calls
from kpi_hand_day import inbound


def test_agent_handling_counts_real_answered_calls(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        insert_calls(conn, [inbound(Outcome.ANSWERED, 5, agent="a1", csat=4, issue_resolved=True),
                            inbound(Outcome.ANSWERED, 5, agent="a1", csat=2, issue_resolved=False),
                            inbound(Outcome.ANSWERED, 5, agent="a1"),
                            inbound(Outcome.ANSWERED, 5, agent="a2", csat=5),
                            inbound(Outcome.ABANDONED, 30),
                            inbound(Outcome.ANSWERED, 5, agent="sim")])
        conn.execute(calls.update().where(calls.c.agent == "sim").values(scenario="what-if"))
        assert agent_handling(conn) == {"a1": AgentHandling(3, 3.0, 0.5), "a2": AgentHandling(1, 5.0, None)}
        ids = {str(agent): int(pk) for pk, agent in conn.execute(sa.select(calls.c.id, calls.c.agent))}
        assert agents_of_calls(conn, [ids["a2"], ids["None"]]) == {ids["a2"]: "a2"}
        assert agents_of_calls(conn, []) == {}
