"""Item 7: agents see their own QA data and other agents only as pseudonyms; another agent's evaluation or
appeal answers exactly like a missing one, before any state check."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from quality_site import Clock, drawn, evaluate_first, new_clock, qa_site


@pytest.fixture
def clock() -> Clock:
    return new_clock()


@pytest.fixture
def client(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    with qa_site(engine, clock) as test_client:
        yield test_client


def test_agents_see_other_agents_only_as_pseudonyms(client: TestClient, clock: Clock) -> None:
    """eligible.csv, record.json, the rule page and the library show an agent their own id and a stable
    pseudonym for every other agent; staff see the real ids; POST /api/qa/library does not reveal who handled a
    colleague's call."""
    h = drawn(client, clock)
    staff_rows = list(csv.DictReader(io.StringIO(client.get("/api/qa/draws/week10/eligible.csv",
                                                            headers=h["qa1"]).content.decode("utf-8-sig"))))
    assert {r["agent"] for r in staff_rows} == {"A1", "A2"}
    amy_rows = list(csv.DictReader(io.StringIO(client.get("/api/qa/draws/week10/eligible.csv",
                                                          headers=h["amy"]).content.decode("utf-8-sig"))))
    agents = {r["agent"] for r in amy_rows}
    assert "A1" in agents and "A2" not in agents and len(agents) == 2
    pseudonym = next(a for a in agents if a != "A1")
    assert pseudonym.startswith("agent-") and len(amy_rows) == len(staff_rows)
    record = client.get("/api/qa/draws/week10/record.json", headers=h["amy"]).json()
    assert {s["agent"] for s in record["selections"]} <= {"A1", pseudonym}
    assert "A2" not in str(record["selections"])
    assert "A2" in {s["agent"] for s in client.get("/api/qa/draws/week10/record.json",
                                                   headers=h["qa1"]).json()["selections"]}
    page = client.get("/qa/rules/week10", headers=h["amy"]).text
    assert pseudonym in page and "<td>A2</td>" not in page
    bob_call = next(r["call_id"] for r in staff_rows if r["agent"] == "A2")
    calls = client.get("/api/calls?limit=50", headers=h["boss"]).json()["items"]
    pk = next(c["id"] for c in calls if c["source_call_id"] == bob_call or str(c["id"]) == bob_call)
    nominated = client.post("/api/qa/library", json={"call_id": pk, "reason": "great"}, headers=h["amy"])
    assert nominated.status_code == 201 and nominated.json()["agent"] == pseudonym
    assert all(e["agent"] != "A2" for e in client.get("/api/qa/library", headers=h["amy"]).json())
    assert any(e["agent"] == "A2" for e in client.get("/api/qa/library", headers=h["boss"]).json())


def test_another_agents_evaluation_answers_like_a_missing_one(client: TestClient, clock: Clock) -> None:
    """Opening, commenting on or appealing another agent's evaluation answers 404 with the same message as an
    id that does not exist, and appealing it never reveals its appeal state (no 409)."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    assert client.post(f"/api/qa/evaluations/{key}/appeals", json={"disputed_items": ["arguing"], "reason": "no"},
                       headers=h["amy"]).status_code == 201
    for path, body in ((f"/api/qa/evaluations/{key}", None),
                       (f"/api/qa/evaluations/{key}/appeals", {"disputed_items": ["arguing"], "reason": "x"})):
        theirs = (client.get(path, headers=h["bob"]) if body is None
                  else client.post(path, json=body, headers=h["bob"]))
        missing_path = path.replace(key, "no-such-key")
        missing = (client.get(missing_path, headers=h["bob"]) if body is None
                   else client.post(missing_path, json=body, headers=h["bob"]))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["message"].replace(key, "K") == missing.json()["message"].replace("no-such-key", "K")
