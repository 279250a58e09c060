"""The QA API on SQLite and PostgreSQL: rule → freeze → randomness → draw → evaluation → appeal → decision.

Time comes from a clock the test moves (``app.state.qa_clock``), so a rule filed "yesterday" for a
past week of calls is valid.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from callops.cli import cli
from callops.store.schema import calls, qa_draws
from quality_site import ANSWERS, RULE, START, UTC, Clock, bearer, drawn, evaluate_first, new_clock, qa_site


@pytest.fixture
def clock() -> Clock:
    return new_clock()


@pytest.fixture
def client(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    with qa_site(engine, clock) as test_client:
        yield test_client


def test_rule_filed_late_is_refused(client: TestClient, clock: Clock) -> None:
    """A rule filed less than a day before its period answers 409, and refiling after the deadline too."""
    qa = bearer(client, "qa1")
    clock.now = START - dt.timedelta(hours=12)
    assert client.post("/api/qa/rules", json=RULE, headers=qa).status_code == 409
    clock.now = START - dt.timedelta(days=2)
    assert client.post("/api/qa/rules", json=RULE, headers=qa).status_code == 201
    clock.now = START - dt.timedelta(hours=2)
    again = client.post("/api/qa/rules", json={**RULE, "description": "changed"}, headers=qa)
    assert again.status_code == 409 and again.json()["error"] == "conflict"


def test_agents_cannot_file_rules_or_freeze(client: TestClient) -> None:
    """Agents lack the rights to file a rule (403)."""
    assert client.post("/api/qa/rules", json=RULE, headers=bearer(client, "amy")).status_code == 403


def test_draw_verifies_and_a_tampered_stored_draw_fails(client: TestClient, clock: Clock, engine: sa.Engine) -> None:
    """The stored draw re-runs to a match; changing a selected call in the database makes it differ."""
    h = drawn(client, clock)
    assert client.get("/api/qa/draws/week10/verify", headers=h["amy"]).json()["matches"] is True
    raw = client.get("/api/qa/draws/week10/eligible.csv", headers=h["amy"]).content
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads it as UTF-8
    csv_text = raw.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "call_id,agent,queue,started_at,duration_s,outcome"
    assert len(csv_text.splitlines()) == 26
    with engine.begin() as conn:
        record = dict(conn.execute(sa.select(qa_draws.c.record)).scalar_one())
        selections = [dict(s) for s in record["selections"]]
        eligible_ids = [line.split(",")[0] for line in csv_text.splitlines()[1:]]
        other = next(i for i in eligible_ids if i not in {s["call_id"] for s in selections})
        selections[0]["call_id"] = other
        record["selections"] = selections
        conn.execute(qa_draws.update().values(record=record))
    check = client.get("/api/qa/draws/week10/verify", headers=h["amy"]).json()
    assert check["matches"] is False and check["discrepancies"][0]["kind"] == "selection"


def test_a_team_lead_reaches_only_the_evaluations_and_appeals_of_their_teams(client: TestClient,
                                                                            clock: Clock) -> None:
    """lead leads A1's team; lead2 leads none: lead2 finds neither the evaluation nor the appeal, and cannot act."""
    h = drawn(client, clock)
    h["lead2"] = bearer(client, "lead2")
    key = evaluate_first(client, h, "A1")
    filed = client.post(f"/api/qa/evaluations/{key}/appeals", json={"disputed_items": ["arguing"], "reason": "no"},
                        headers=h["amy"])
    appeal = filed.json()["appeal_id"]
    assert [e["evaluation_key"] for e in client.get("/api/qa/evaluations", headers=h["lead"]).json()] == [key]
    assert client.get("/api/qa/evaluations", headers=h["lead2"]).json() == []
    assert [a["appeal_id"] for a in client.get("/api/qa/appeals", headers=h["lead"]).json()] == [appeal]
    assert client.get("/api/qa/appeals", headers=h["lead2"]).json() == []
    assert client.get(f"/api/qa/evaluations/{key}", headers=h["lead2"]).status_code == 404
    assert client.get(f"/api/qa/appeals/{appeal}", headers=h["lead2"]).status_code == 404
    assert client.post(f"/api/qa/appeals/{appeal}/accept", headers=h["lead2"]).status_code == 404
    assert client.post(f"/api/qa/appeals/{appeal}/accept", headers=h["lead"]).status_code == 200
    assert len(client.get("/api/qa/evaluations", headers=h["boss"]).json()) == 1  # a manager's reach is the site
    assert client.get("/api/qa/reports", headers=h["lead"]).json()["evaluations"] == 1
    assert client.get("/api/qa/reports", headers=h["lead2"]).json()["evaluations"] == 0
    rows = client.get("/api/qa/reports/evaluations.csv", headers=h["lead2"]).text.lstrip("\ufeff").splitlines()
    assert len(rows) == 1  # the header alone


def test_full_appeal_path_keeps_the_old_version(client: TestClient, clock: Clock) -> None:
    """Agent appeals, team lead accepts, three views, supervisor upholds: a corrected version 2, version 1 kept."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    other = client.get(f"/api/qa/evaluations/{key}", headers=h["bob"])  # another agent's answers as missing
    missing = client.get("/api/qa/evaluations/no-such-key", headers=h["bob"])
    assert other.status_code == missing.status_code == 404 and other.json()["message"].startswith("no evaluation")
    appeal_other = client.post(f"/api/qa/evaluations/{key}/appeals",
                               json={"disputed_items": ["arguing"], "reason": "x"}, headers=h["bob"])
    assert appeal_other.status_code == 404  # who may before what state: never 409 on another's evaluation
    ack = client.post(f"/api/qa/evaluations/{key}/notes", json={"kind": "acknowledgement"}, headers=h["amy"])
    assert ack.status_code == 201
    filed = client.post(f"/api/qa/evaluations/{key}/appeals",
                        json={"disputed_items": ["arguing"], "reason": "I explained, I did not argue"},
                        headers=h["amy"])
    assert filed.status_code == 201, filed.text
    appeal = filed.json()["appeal_id"]
    assert client.post(f"/api/qa/appeals/{appeal}/accept", headers=h["qa1"]).status_code == 403
    assert client.post(f"/api/qa/appeals/{appeal}/accept", headers=h["lead"]).status_code == 200
    evidence = [client.get(f"/api/qa/appeals/{appeal}", headers=h[n]).json() for n in ("boss", "lead", "qa1")]
    assert evidence[0] == evidence[1] == evidence[2]
    for name in ("lead", "qa1", "boss"):
        r = client.post(f"/api/qa/appeals/{appeal}/views", json={"view": "upheld", "comment": name}, headers=h[name])
        assert r.status_code == 200, r.text
    decided = client.post(f"/api/qa/appeals/{appeal}/decision",
                          json={"decision": "upheld", "corrected_answers": {"arguing": {"value": 0}}},
                          headers=h["boss"])
    assert decided.status_code == 200, decided.text
    mine = client.get(f"/api/qa/evaluations/{key}", headers=h["amy"]).json()["evaluation"]
    assert [v["score"] for v in mine["versions"]] == [87.0, 97.0] and mine["decided"] is True
    again = client.post(f"/api/qa/evaluations/{key}/versions", json={"answers": ANSWERS, "reason": "x"},
                        headers=h["qa1"])
    assert again.status_code == 409
    assert client.post(f"/api/qa/evaluations/{key}/appeals", json={"disputed_items": ["listening"], "reason": "x"},
                       headers=h["amy"]).status_code == 409
    actions = [r["action"] for r in client.get(f"/api/qa/audit?subject=appeal:{appeal}", headers=h["lead"]).json()]
    assert actions == ["appeal.filed", "appeal.accepted", "appeal.view", "appeal.view", "appeal.view",
                       "appeal.decided"]
    report = client.get("/api/qa/reports", headers=h["boss"]).json()
    assert report["appeals_by_qa"][0]["upheld"] == 1


def test_agents_see_only_their_own_unless_transparency_is_on(client: TestClient, clock: Clock) -> None:
    """Bob cannot list Amy's evaluations until the supervisor turns the right on; even then not her coaching."""
    h = drawn(client, clock)
    evaluate_first(client, h, "A1")
    assert client.get("/api/qa/evaluations", headers=h["bob"]).json() == []
    assert client.get("/api/qa/evaluations?agent=A1", headers=h["bob"]).status_code == 403
    assert client.put("/api/qa/settings", json={"agents_see_others": True}, headers=h["amy"]).status_code == 403
    assert client.put("/api/qa/settings", json={"agents_see_others": True}, headers=h["boss"]).status_code == 200
    listed = client.get("/api/qa/evaluations?agent=A1", headers=h["bob"]).json()
    assert len(listed) == 1
    url = f"/api/qa/evaluations/{listed[0]['evaluation_key']}"
    client.post(f"{url}/notes", json={"kind": "coaching", "text": "slow down"}, headers=h["qa1"])
    seen = client.get(url, headers=h["bob"]).json()
    assert seen["evaluation"]["score"] == listed[0]["score"] and seen["notes"] == []
    assert len(client.get(url, headers=h["amy"]).json()["notes"]) == 1


def test_nominations_are_anonymous(client: TestClient, clock: Clock) -> None:
    """The library shows reasons and votes but never who nominated; only the supervisor picks."""
    h = {name: bearer(client, name) for name in ("boss", "amy", "bob")}
    call_id = client.get("/api/calls?agent=A1", headers=h["boss"]).json()["items"][0]["id"]
    made = client.post("/api/qa/library", json={"call_id": call_id, "reason": "calm and clear"}, headers=h["bob"])
    assert made.status_code == 201
    assert client.post(f"/api/qa/library/{call_id}/vote", headers=h["amy"]).status_code == 204
    assert client.post(f"/api/qa/library/{call_id}/vote", headers=h["amy"]).status_code == 409
    assert client.post(f"/api/qa/library/{call_id}/pick", headers=h["amy"]).status_code == 403
    assert client.post(f"/api/qa/library/{call_id}/pick", headers=h["boss"]).status_code == 204
    listing = client.get("/api/qa/library", headers=h["amy"])
    assert "bob" not in listing.text
    assert listing.json()[0]["votes"] == 1 and listing.json()[0]["picked"] is True


def test_qa_duty_lets_an_agent_score_others(client: TestClient, clock: Clock) -> None:
    """An agent on QA duty scores a colleague's call (targeted), but not before the duty or their own."""
    h = {name: bearer(client, name) for name in ("boss", "amy")}
    calls = client.get("/api/calls", headers=h["boss"]).json()["items"]
    a2_call = next(c["id"] for c in calls if c["agent"] == "A2")
    a1_call = next(c["id"] for c in calls if c["agent"] == "A1")
    body = {"call_id": a2_call, "answers": ANSWERS}
    assert client.post("/api/qa/evaluations", json=body, headers=h["amy"]).status_code == 403
    duty = {"username": "amy", "start_at": clock.now.isoformat(),
            "end_at": (clock.now + dt.timedelta(days=7)).isoformat()}
    assert client.post("/api/qa/duty", json=duty, headers=h["boss"]).status_code == 201
    made = client.post("/api/qa/evaluations", json=body, headers=h["amy"])
    assert made.status_code == 201 and made.json()["targeted"] is True
    own = client.post("/api/qa/evaluations", json={"call_id": a1_call, "answers": ANSWERS}, headers=h["amy"])
    assert own.status_code == 403


def test_a_team_lead_sees_other_teams_agents_in_a_draw_as_pseudonyms(client: TestClient, clock: Clock) -> None:
    """The draw's eligible calls name A1 and A2 to the lead of their team and to a manager; a lead of no team sees
    pseudonyms, as an agent sees others'."""
    h = drawn(client, clock)
    h["lead2"] = bearer(client, "lead2")

    def agents_in(name: str) -> set[str]:
        text = client.get("/api/qa/draws/week10/eligible.csv", headers=h[name]).text
        header, *rows = text.lstrip("\ufeff").splitlines()
        column = header.split(",").index("agent")
        return {row.split(",")[column] for row in rows}

    assert agents_in("boss") == agents_in("lead") == {"A1", "A2"}
    hidden = agents_in("lead2")
    assert len(hidden) == 2 and all(a.startswith("agent-") for a in hidden)


def test_dice_need_two_matching_entries(client: TestClient, clock: Clock) -> None:
    """One person's dice wait; a different value waits too; a second person's matching entry confirms it."""
    h = {name: bearer(client, name) for name in ("boss", "lead", "qa1")}
    assert client.post("/api/qa/rules", json=RULE, headers=h["qa1"]).status_code == 201
    url = "/api/qa/rules/week10/public-random"
    assert client.post(url, json={"value": "1 2"}, headers=h["qa1"]).status_code == 409  # before the freeze
    clock.now = dt.datetime(2026, 3, 7, 1, tzinfo=UTC)
    client.post("/api/qa/rules/week10/freeze", headers=h["qa1"])
    clock.now += dt.timedelta(minutes=5)
    assert client.post(url, json={"value": "1 2"}, headers=h["qa1"]).json()["status"] == "waiting"
    assert client.post(url, json={"value": "1 2"}, headers=h["qa1"]).json()["status"] == "waiting"
    assert client.post(url, json={"value": "1 3"}, headers=h["boss"]).json()["status"] == "waiting"
    assert client.post(url, json={"value": "1  3"}, headers=h["qa1"]).json()["status"] == "confirmed"
    assert client.post(url, json={"value": "9"}, headers=h["boss"]).status_code == 409
    assert client.post(url, json={"value": "9"}, headers=h["lead"]).status_code == 403


def test_downloaded_draw_verifies_with_the_cli(client: TestClient, clock: Clock, tmp_path: Path) -> None:
    """The record and eligible list a staff member downloads re-run under `callops qa verify-draw`; an edited
    record is rejected. (Agents get other agents as pseudonyms, docs/quality.md: they rely on the server's re-run.)"""
    h = drawn(client, clock)
    record = client.get("/api/qa/draws/week10/record.json", headers=h["lead"])
    assert record.status_code == 200 and "attachment" in record.headers["content-disposition"]
    (tmp_path / "draw.json").write_text(record.text, encoding="utf-8")
    (tmp_path / "eligible.csv").write_text(client.get("/api/qa/draws/week10/eligible.csv", headers=h["lead"]).text,
                                           encoding="utf-8")
    args = ["qa", "verify-draw", str(tmp_path / "draw.json"), "--calls", str(tmp_path / "eligible.csv")]
    ok = CliRunner().invoke(cli, args)
    assert ok.exit_code == 0 and ok.output.strip() == "matches", ok.output
    data = json.loads(record.text)
    data["public_random"] = "1 1 1 1 1 1"
    (tmp_path / "draw.json").write_text(json.dumps(data), encoding="utf-8")
    bad = CliRunner().invoke(cli, args)
    assert bad.exit_code == 1 and "differs" in bad.output


def test_recordings_are_served_only_from_the_configured_folder(client: TestClient, engine: sa.Engine,
                                                               tmp_path: Path) -> None:
    """Only an admin names the folder; the agent hears their own file; paths leaving the folder are refused."""
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / "d0n0.wav").write_bytes(b"RIFF0000WAVE")
    (tmp_path / "secret.wav").write_bytes(b"secret")
    with engine.begin() as conn:
        conn.execute(calls.update().where(calls.c.source_call_id == "d0n0").values(recording_ref="d0n0.wav"))
        conn.execute(calls.update().where(calls.c.source_call_id == "d0n1").values(recording_ref="../secret.wav"))
        ids = {r.source_call_id: r.id for r in conn.execute(sa.select(calls.c.source_call_id, calls.c.id))}
    h = {name: bearer(client, name) for name in ("boss", "root", "amy", "bob")}
    body = {"folder": str(folder)}
    assert client.put("/api/qa/settings/recordings-dir", json=body, headers=h["boss"]).status_code == 403
    assert client.put("/api/qa/settings/recordings-dir", json=body, headers=h["root"]).status_code == 204
    own = client.get(f"/api/qa/calls/{ids['d0n0']}/recording", headers=h["amy"])
    assert own.status_code == 200 and own.content == b"RIFF0000WAVE" and own.headers["content-type"] == "audio/wav"
    assert client.get(f"/api/qa/calls/{ids['d0n0']}/recording", headers=h["bob"]).status_code == 403
    assert client.get(f"/api/qa/calls/{ids['d0n1']}/recording", headers=h["boss"]).status_code == 404
