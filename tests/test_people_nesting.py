"""Nesting and buddies on SQLite and PostgreSQL: plans are validated, audited and never overlap; while one lasts the
live router routes the plan's skills and levels instead of the directory's; the page and API for managers and
the agents' own leads; the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.errors import InvalidInput, NotFound
from callops.people.nesting import NestingPlan, check_plan, nesting_skills, parse_skill_levels
from callops.services.live_acd import acd_from_directory
from callops.store.people_nesting import list_nesting, remove_nesting, routing_skills, save_nesting
from callops.store.qa_reviews import list_audit
from people_site import NOW
from people_site import client as client  # noqa: F401  # the fixture: the nesting app
from people_site import directory as directory  # noqa: F401  # the fixture: teams t1 (lead), t2; new1, vet1, other
from web_sign_in import login

DAY = dt.date(2026, 12, 1)


def plan(person: str = "new1", start: dt.date = DAY, days: int = 28, **kw: object) -> NestingPlan:
    values: dict[str, object] = {"skills": {"general": 1}, "buddy": "vet1", **kw}
    return NestingPlan(person=person, starts_on=start, ends_on=start + dt.timedelta(days=days), **values)  # type: ignore[arg-type]


def test_pure_rules() -> None:
    assert parse_skill_levels("general=1, billing:2\nvip") == {"general": 1, "billing": 2, "vip": 1}
    with pytest.raises(InvalidInput, match="named twice"):
        parse_skill_levels("a=1,a=2")
    with pytest.raises(InvalidInput, match="whole number") as bad:
        parse_skill_levels("a=x")
    assert bad.value.field == "skills"
    for wrong, field in (
        (plan(days=0), "ends_on"),
        (plan(days=200), "ends_on"),
        (plan(skills={}), "skills"),
        (plan(skills={"a": 11}), "skills"),
        (plan(buddy="new1"), "buddy"),
    ):
        with pytest.raises(InvalidInput) as err:
            check_plan(wrong)
        assert err.value.field == field
    own = {"general": 5, "billing": 7}
    p = plan(skills={"general": 1})
    assert nesting_skills(own, [p], DAY) == {"general": 1}  # billing is not routed to them while nesting
    assert nesting_skills(own, [p], DAY + dt.timedelta(days=28)) == own  # the first day after: their own


def test_store_audit_overlap_and_routing(directory: sa.Engine) -> None:
    with directory.begin() as conn:
        assert save_nesting(conn, plan(), actor="boss", now=NOW)
        assert not save_nesting(conn, plan(), actor="boss", now=NOW)  # the same again: nothing written
        assert save_nesting(conn, plan(note="sits with vet1"), actor="boss", now=NOW)
        with pytest.raises(InvalidInput, match="overlaps") as overlap:
            save_nesting(conn, plan(start=DAY + dt.timedelta(days=10)), actor="boss", now=NOW)
        assert overlap.value.field == "starts_on"
        with pytest.raises(InvalidInput) as unknown:
            save_nesting(conn, plan(buddy="ghost"), actor="boss", now=NOW)
        assert unknown.value.field == "buddy"
        assert [p.note for p in list_nesting(conn, on=DAY)] == ["sits with vet1"]
        assert list_nesting(conn, on=DAY + dt.timedelta(days=28)) == []
        audit = list_audit(conn, subject="person:new1")
        assert [a.action for a in audit] == ["nesting.set", "nesting.set"]
        assert audit[1].details["before"]["note"] == "" and audit[1].details["after"]["note"] == "sits with vet1"
        skills = routing_skills(conn, {"new1": {"general": 5, "billing": 5}, "vet1": {"general": 9}}, on=DAY)
        assert skills == {"new1": {"general": 1}, "vet1": {"general": 9}}
        routed = {a.agent_id: a.skills for a in acd_from_directory(conn, on=DAY).router.agents}
        assert routed["new1"] == {"general": 1} and routed["vet1"] == {"general": 9, "billing": 9}
        after = {a.agent_id: a.skills for a in acd_from_directory(conn, on=DAY + dt.timedelta(days=28)).router.agents}
        assert after["new1"] == {"general": 5, "billing": 5}
        remove_nesting(conn, "new1", DAY, actor="boss", now=NOW)
        assert list_nesting(conn) == [] and list_audit(conn, subject="person:new1")[-1].action == "nesting.removed"
        with pytest.raises(NotFound):
            remove_nesting(conn, "new1", DAY, actor="boss", now=NOW)


def test_api_and_page_for_managers_and_the_agents_lead(client: TestClient, directory: sa.Engine) -> None:
    body = {
        "person": "new1",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-29",
        "skills": {"general": 1},
        "buddy": "vet1",
    }
    client.headers["X-CSRF-Token"] = login(client, "amy")
    assert client.get("/api/people/nesting").status_code == 403  # agents: no
    assert client.post("/api/people/nesting", json=body).status_code == 403
    client.headers["X-CSRF-Token"] = login(client, "lead")
    assert client.post("/api/people/nesting", json={**body, "person": "other"}).status_code == 403  # not their team
    assert client.post("/api/people/nesting", json=body).json() == {"changed": True}
    bad = client.post(
        "/api/people/nesting",
        json={**body, "skills": {"general": 0}, "starts_on": "2027-02-01", "ends_on": "2027-03-01"},
    )
    assert bad.status_code == 400 and "skills" in bad.text
    assert [p["person"] for p in client.get("/api/people/nesting").json()] == ["new1"]
    page = client.get("/people/nesting")
    assert page.status_code == 200 and "新人带教" in page.text and "general=1" in page.text
    typed = {
        "person": "new1",
        "starts_on": "2026-12-10",
        "ends_on": "2026-12-20",
        "skills": "general=1",
        "buddy": "vet1",
        "note": "keep me",
    }
    again = client.post("/people/nesting", data=typed)  # overlaps the first: the form comes back with the error
    assert again.status_code == 400 and 'id="err-starts_on"' in again.text and 'value="keep me"' in again.text
    empty = client.post(
        "/people/nesting", data={**typed, "skills": "", "starts_on": "2027-01-01", "ends_on": "2027-01-10"}
    )
    assert empty.status_code == 400 and 'id="err-skills"' in empty.text
    client.headers["X-CSRF-Token"] = login(client, "boss")
    saved = client.post("/people/nesting", data={**typed, "person": "other", "buddy": ""}, follow_redirects=False)
    assert saved.status_code == 303
    assert {p["person"] for p in client.get("/api/people/nesting").json()} == {"new1", "other"}
    assert client.delete("/api/people/nesting/other/2026-12-10").json() == {"removed": True}
    assert client.delete("/api/people/nesting/other/2026-12-10").status_code == 404


def test_cli_sets_lists_and_removes(
    directory: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    runner = CliRunner()
    out = runner.invoke(
        cli,
        [
            "people",
            "nesting",
            "set",
            "new1",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-29",
            "--skill",
            "general=1",
            "--skill",
            "billing=2",
            "--buddy",
            "vet1",
        ],
    )
    assert out.exit_code == 0, out.output
    listed = json.loads(
        runner.invoke(cli, ["people", "nesting", "list", "--on", "2026-12-05", "--format", "json"]).output
    )
    assert listed == [
        {
            "person": "new1",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-29",
            "days": 28,
            "skills": {"billing": 2, "general": 1},
            "buddy": "vet1",
            "note": "",
        }
    ]
    bad = runner.invoke(
        cli, ["people", "nesting", "set", "new1", "--from", "2026-12-01", "--to", "2026-11-01", "--skill", "general=1"]
    )
    assert bad.exit_code != 0 and "ends_on" in bad.output
    assert runner.invoke(cli, ["people", "nesting", "remove", "new1", "--from", "2026-12-01"]).exit_code == 0
    assert "new1" not in runner.invoke(cli, ["people", "nesting", "list"]).output
