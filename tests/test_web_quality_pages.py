"""The QA pages on SQLite and PostgreSQL: each renders for the roles it serves, and refuses the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from quality_site import Clock, drawn, evaluate_first, login_form, new_clock, qa_site


@pytest.fixture
def clock() -> Clock:
    return new_clock()


@pytest.fixture
def client(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    with qa_site(engine, clock) as test_client:
        yield test_client



def test_pages_render_for_staff(client: TestClient, clock: Clock) -> None:
    """Home, rules, the rule's public page, evaluation, appeals, reports and library render for a supervisor."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    login_form(client, "boss")
    for path in ("/qa", "/qa/rules", "/qa/rules/week10", f"/qa/evaluations/{key}", "/qa/evaluations",
                 "/qa/appeals", "/qa/reports", "/qa/library"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    assert 'id="verify-result" class="ok"' in client.get("/qa/rules/week10").text


def test_agent_pages_hide_others_and_reports(client: TestClient, clock: Clock) -> None:
    """An agent gets 403 on reports and 404 (as for a missing one) on another agent's evaluation page, and sees no
    nominator names."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    login_form(client, "bob")
    assert client.get("/qa/reports").status_code == 403
    assert client.get(f"/qa/evaluations/{key}").status_code == 404
    assert key not in client.get("/qa/evaluations").text


def test_agent_files_an_appeal_through_the_form(client: TestClient, clock: Clock) -> None:
    """The appeal form posts disputed items and a reason and lands on the appeal page."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    clock.now += dt.timedelta(hours=1)
    token = login_form(client, "amy")
    r = client.post(f"/qa/evaluations/{key}/appeal", data={"csrf_token": token, "items": ["arguing"],
                                                          "reason": "not arguing"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/qa/appeals/")
    page = client.get(r.headers["location"]).text
    assert 'id="disputed"><span data-item="arguing">Arguing with the caller 与客户争辩</span><' in page  # its label


def test_qa_corrects_through_the_form_until_decided(client: TestClient, clock: Clock) -> None:
    """The evaluating QA's correction form adds version 2; the form's answers start from the current ones."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    token = login_form(client, "qa1")
    form = client.get(f"/qa/evaluations/{key}/correct").text
    assert 'id="v-arguing" min="0" step="1" value="1"' in form and 'value="42.0"' in form
    data = {"csrf_token": token, "v_greeting": "yes", "v_verify": "yes", "v_listening": "4", "v_solution": "5",
            "v_arguing": "0", "reason": "misheard"}
    r = client.post(f"/qa/evaluations/{key}/correct", data=data, follow_redirects=False)
    assert r.status_code == 303
    versions = client.get(f"/api/qa/evaluations/{key}", headers=h["qa1"]).json()["evaluation"]["versions"]
    assert [v["score"] for v in versions] == [87.0, 97.0] and versions[1]["reason"] == "misheard"


def test_reminders_and_settings_pages(client: TestClient, clock: Clock) -> None:
    """The agent is reminded to acknowledge; the supervisor's settings page grants duty; agents get 403 there."""
    h = drawn(client, clock)
    key = evaluate_first(client, h, "A1")
    login_form(client, "amy")
    assert f"/qa/evaluations/{key}" in client.get("/qa").text
    assert 'id="appeal-by"' in client.get(f"/qa/evaluations/{key}").text
    assert client.get("/qa/settings").status_code == 403
    assert 'id="item-arguing"' in client.get("/qa/scorecard").text
    client.cookies.clear()
    token = login_form(client, "boss")
    r = client.post("/qa/settings/duty", data={"csrf_token": token, "username": "amy", "first_day": "2026-03-07",
                                               "last_day": "2026-03-08"}, follow_redirects=False)
    assert r.status_code == 303
    assert "amy" in client.get("/qa/settings").text
    assert client.get("/api/qa/duty", headers=h["boss"]).json()[0]["username"] == "amy"
