"""What agents see of other agents through QA: pseudonyms, never names (issue 17, item 7).

Staff (roles with ``view_all_calls``: admin, manager, planner, QA, team lead) see draws, the library and rule
pages in full and can re-run a draw offline from ``record.json`` and ``eligible.csv``. An agent sees their own
agent id and, for every other agent, a stable pseudonym ``agent-<10 hex>``: an HMAC of the agent id under a key
derived from the site's secret, so it cannot be reversed by trying the (few) agent ids. The agent still sees
every published input of the draw (the commitment, the eligible hash and count, the public randomness, the
revealed seed), the group and stream position of every pick, how many calls each (pseudonymous) agent had,
and the server's re-run of the whole draw (``/api/qa/draws/{name}/verify``); what they cannot do is recompute
the eligible hash themselves, because that needs the other agents' real ids. That is the trade: agents can
check that their own calls were picked by the published procedure without learning who handled which call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from callops.services.qa_access import sees_everything
from callops.store.qa_sampling import StoredDraw
from callops.store.users import User

__all__ = ["AgentLabel", "agent_labeller", "pseudonym_key", "redacted_draw"]

AgentLabel = Callable[[str | None], str | None]


def pseudonym_key(secret: str) -> bytes:
    """The HMAC key of pseudonyms, derived from the signing secret (never the secret itself)."""
    return hashlib.sha256(b"callops-agent-pseudonyms\x00" + secret.encode("utf-8")).digest()


def agent_labeller(user: User, key: bytes, scope: frozenset[str] | None = None) -> AgentLabel:
    """How ``user`` sees an agent id: as is for staff (a team lead: for the agents of their teams, ``scope``)
    and for their own id, else as a pseudonym."""
    if sees_everything(user) and scope is None:
        return lambda agent: agent
    own = user.agent_id
    known = (scope or frozenset()) if sees_everything(user) else frozenset()

    def label(agent: str | None) -> str | None:
        if agent is None or agent == own or agent in known:
            return agent
        return "agent-" + hmac.new(key, agent.encode("utf-8"), hashlib.sha256).hexdigest()[:10]

    return label


def _relabel_json(record: dict[str, Any], label: AgentLabel) -> dict[str, Any]:
    out = dict(record)
    for part in ("selections", "targeted", "shortfalls"):
        if isinstance(out.get(part), list):
            out[part] = [dict(item, agent=label(item.get("agent"))) if isinstance(item, dict) and "agent" in item
                         else item for item in out[part]]
    return out


def redacted_draw(draw: StoredDraw, label: AgentLabel) -> StoredDraw:
    """``draw`` with every agent id passed through ``label`` (eligible calls, selections, shortfalls, JSON)."""
    record = draw.record
    if record is not None:
        record = dataclasses.replace(
            record,
            selections=tuple(dataclasses.replace(s, agent=label(s.agent) or "") for s in record.selections),
            shortfalls=tuple(dataclasses.replace(s, agent=label(s.agent) or "") for s in record.shortfalls))
    return dataclasses.replace(
        draw,
        eligible=tuple(dataclasses.replace(c, agent=label(c.agent) or "") for c in draw.eligible),
        record=record,
        record_json=None if draw.record_json is None else _relabel_json(draw.record_json, label))
