"""Roster pages and API on SQLite and PostgreSQL: building in the background, the Gantt, coverage and rule check,
publishing, swaps and time off checked against the working-time rules at every step (refused naming the rule),
leads scoped to their teams, the adherence page, and bad input answered 400 naming the field with input kept."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.scheduling.roster_model import RosterShift
from callops.services.roster_builds import STALE_AFTER
from callops.store.roster_builds import active_job, load_inputs, queue_job, start_job
from callops.store.rosters import load_roster, publish_roster, roster_history, save_roster
from callops.store.schema import agent_intervals
from roster_site import requirements_csv
from roster_web_site import MONDAY, NOW, at, roster_app, seed, week_inputs
from web_sign_in import login


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    seed(engine)
    with roster_app(engine) as test_client:
        yield test_client


def as_user(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    client.headers["X-CSRF-Token"] = login(client, name)
    return client


def _ask(client: TestClient, start: dt.datetime, other: str | None = None,
         other_start: dt.datetime | None = None, kind: str = "swap") -> tuple[int, dict[str, object]]:
    roster_id = client.get("/api/rosters/requests")  # keeps the session warm; roster id from the page below
    assert roster_id.status_code == 200
    body = {"roster_id": 1, "kind": kind, "start": start.isoformat(), "other_agent": other,
            "other_start": None if other_start is None else other_start.isoformat()}
    response = client.post("/api/rosters/requests", json=body)
    return response.status_code, response.json()


def test_swap_walks_ask_accept_approve_and_is_logged(client: TestClient, engine: sa.Engine) -> None:
    """A1 gives Monday 08-17 to A2 for A2's 12-21: asked, accepted by A2, approved by their lead; the roster's
    shifts change hands and roster_changes records who did it."""
    status, made = _ask(as_user(client, "amy"), at(0, 8), "A2", at(0, 12))
    assert status == 201, made
    request_id = made["request"]["id"]  # type: ignore[index]
    assert made["request"]["status"] == "asked"  # type: ignore[index]
    assert as_user(client, "cat").post(f"/api/rosters/requests/{request_id}/answer",
                                       json={"answer": "accept"}).status_code == 403  # not the colleague
    answered = as_user(client, "ben").post(f"/api/rosters/requests/{request_id}/answer", json={"answer": "accept"})
    assert answered.status_code == 200 and answered.json()["request"]["status"] == "accepted"
    assert as_user(client, "amy").post(f"/api/rosters/requests/{request_id}/decide",
                                       json={"decision": "approve"}).status_code == 403  # agents do not approve
    page = as_user(client, "lee").get("/rosters/team")
    assert page.status_code == 200 and f'id="request-{request_id}"' in page.text
    assert f'id="impact-{request_id}">shortfall 10.0 → 10.0' in page.text  # shifts change hands, coverage stays
    approved = client.post(f"/rosters/requests/{request_id}/decide", data={"decision": "approve"},
                           follow_redirects=False)
    assert approved.status_code == 303
    with engine.connect() as conn:
        shifts = {(s.agent, s.start_at) for s in load_roster(conn, "week50").shifts}
        log = roster_history(conn, "week50")
    assert ("A2", at(0, 8)) in shifts and ("A1", at(0, 12)) in shifts
    assert ("A1", at(0, 8)) not in shifts and ("A2", at(0, 12)) not in shifts
    assert [(action, by) for _, _, by, action, _ in log][-1] == ("swap", "lee")
    assert log[-1][4]["request"] == request_id


def test_a_swap_that_breaks_a_rule_is_refused_naming_it(client: TestClient) -> None:
    """The part-time A3 taking A1's 8-hour shift breaks the daily cap: 409 naming max_daily_hours, nothing kept;
    the form re-renders with the rule named next to the colleague's shift and the choice kept."""
    status, body = _ask(as_user(client, "cat"), at(0, 9), "A1", at(0, 8))
    assert status == 409 and body["request"] is None
    assert {(v["agent"], v["rule"], v["date"]) for v in body["violations"]} == {  # type: ignore[attr-defined]
        ("A3", "max_daily_hours", "2026-12-07")}
    other = f"A1|{at(0, 8).isoformat()}"
    page = client.post("/rosters/requests", data={"roster_id": "1", "start": at(0, 9).isoformat(), "kind": "swap",
                                                  "other": other, "note": "dentist", "day": "2026-12-07"})
    assert page.status_code == 409
    assert 'id="swap-refused"' in page.text and 'data-rule="max_daily_hours"' in page.text
    assert 'value="dentist"' in page.text and f'value="{other}" selected' in page.text
    assert client.get("/api/rosters/requests").json()["mine"] == []


def test_approval_checks_the_rules_again_and_leads_are_scoped(client: TestClient, engine: sa.Engine) -> None:
    """Two swaps each fine alone: once the second (A1 takes A4's Tuesday 07:00) is approved by the planner, the
    first (A1 takes Monday 12-21) would leave 10 h of rest: the lead's approval is refused naming the rule. The
    lead of t1 may not decide the swap with A4 of t2."""
    _, first = _ask(as_user(client, "amy"), at(0, 8), "A2", at(0, 12))
    _, second = _ask(client, at(1, 8), "A4", at(1, 7))
    first_id, second_id = first["request"]["id"], second["request"]["id"]  # type: ignore[index]
    as_user(client, "ben").post(f"/api/rosters/requests/{first_id}/answer", json={"answer": "accept"})
    as_user(client, "dan").post(f"/api/rosters/requests/{second_id}/answer", json={"answer": "accept"})
    lead = as_user(client, "lee")
    assert lead.post(f"/api/rosters/requests/{second_id}/decide", json={"decision": "approve"}).status_code == 403
    assert [r["id"] for r in lead.get("/api/rosters/requests").json()["to_decide"]] == [first_id]
    planned = as_user(client, "pat").post(f"/api/rosters/requests/{second_id}/decide", json={"decision": "approve"})
    assert planned.status_code == 200 and planned.json()["request"]["status"] == "approved"
    refused = as_user(client, "lee").post(f"/rosters/requests/{first_id}/decide", data={"decision": "approve"})
    assert refused.status_code == 409
    assert 'id="decision-refused"' in refused.text and 'data-rule="min_rest_between_shifts"' in refused.text
    with engine.connect() as conn:
        actions = [action for _, _, _, action, _ in roster_history(conn, "week50")]
    assert actions == ["save", "publish", "swap"]
    mine = as_user(client, "amy").get("/api/rosters/requests").json()["mine"]
    refused_row = next(r for r in mine if r["id"] == first_id)
    assert refused_row["status"] == "refused"
    assert refused_row["outcome"]["violations"][0]["rule"] == "min_rest_between_shifts"
    assert refused_row["outcome"]["violations"][0]["date"] == "2026-12-08"


def test_time_off_is_approved_and_takes_the_shift_off(client: TestClient, engine: sa.Engine) -> None:
    """A day off needs no colleague: the lead sees what it costs (Monday without A1: 11-12 one short, 16-17 two
    short, so 10 → 14 agent-intervals), approves, the shift leaves the roster and the change is logged with the
    shift removed; the agent's own page no longer lists it."""
    page = as_user(client, "amy").post("/rosters/requests", data={"roster_id": "1", "start": at(0, 8).isoformat(),
                                                                  "kind": "time_off"}, follow_redirects=False)
    assert page.status_code == 303
    request_id = client.get("/api/rosters/requests").json()["mine"][0]["id"]
    lead = as_user(client, "lee")
    assert f'id="impact-{request_id}">shortfall 10.0 → 14.0' in lead.get("/rosters/team").text
    assert lead.post(f"/api/rosters/requests/{request_id}/decide", json={"decision": "approve"}).status_code == 200
    with engine.connect() as conn:
        log = roster_history(conn, "week50")
    assert log[-1][3] == "time_off" and log[-1][4]["agent"] == "A1" and log[-1][2] == "lee"
    assert client.get("/api/rosters/requests").json()["to_decide"] == []
    mine = as_user(client, "amy").get("/rosters/me")
    assert mine.status_code == 200
    assert f'data-start="{at(0, 8).isoformat()}"' not in mine.text
    assert f'data-start="{at(1, 8).isoformat()}"' in mine.text
    assert as_user(client, "pat").get("/api/rosters/saved/week50").json()["shortfall"] == 14.0


def test_decline_and_withdraw_end_a_request_without_changing_the_roster(client: TestClient, engine: sa.Engine) -> None:
    """The colleague declines one swap, the asker withdraws another, the lead declines a day off with a reason:
    each ends in its status and the roster keeps its shifts (history: save and publish only)."""
    _, first = _ask(as_user(client, "amy"), at(0, 8), "A2", at(0, 12))
    _, second = _ask(client, at(1, 8), "A2", at(1, 12))
    first_id, second_id = first["request"]["id"], second["request"]["id"]  # type: ignore[index]
    declined = as_user(client, "ben").post(f"/api/rosters/requests/{first_id}/answer", json={"answer": "decline"})
    assert declined.json()["request"]["status"] == "declined"
    assert as_user(client, "ben").post(f"/api/rosters/requests/{second_id}/answer",
                                       json={"answer": "withdraw"}).status_code == 403  # only the asker
    withdrawn = as_user(client, "amy").post(f"/api/rosters/requests/{second_id}/answer", json={"answer": "withdraw"})
    assert withdrawn.json()["request"]["status"] == "withdrawn"
    _, off = _ask(client, at(2, 8), kind="time_off")
    off_id = off["request"]["id"]  # type: ignore[index]
    lead = as_user(client, "lee")
    no = lead.post(f"/api/rosters/requests/{off_id}/decide", json={"decision": "decline", "reason": "busy week"})
    assert no.json()["request"]["status"] == "declined" and no.json()["request"]["outcome"] == {"reason": "busy week"}
    again = lead.post(f"/api/rosters/requests/{off_id}/decide", json={"decision": "approve"})
    assert again.status_code == 409
    with engine.connect() as conn:
        assert [a for _, _, _, a, _ in roster_history(conn, "week50")] == ["save", "publish"]
        assert len(load_roster(conn, "week50").shifts) == 20


def test_roster_page_draws_the_gantt_coverage_and_check(client: TestClient) -> None:
    """The planner's roster page: a Gantt row per agent with shift and meal bars, coverage columns per interval
    (breaks taken out), no violations; a day and team narrow the Gantt; agents may not open it."""
    page = as_user(client, "pat").get("/rosters/saved/week50")
    assert page.status_code == 200
    for agent in ("A1", "A2", "A3", "A4"):
        assert f'data-agent="{agent}"' in page.text
    assert 'data-kind="meal"' in page.text and 'data-kind="scheduled"' in page.text
    assert 'id="no-violations"' in page.text
    api = client.get("/api/rosters/saved/week50").json()
    monday_10 = next(p for p in api["coverage"] if p["start"] == at(0, 10).isoformat())
    assert monday_10 == {"start": at(0, 10).isoformat(), "required": 2, "scheduled": 3.0}  # A1, A3, A4
    monday_11 = next(p for p in api["coverage"] if p["start"] == at(0, 11).isoformat())
    assert monday_11["scheduled"] == 2.0  # A4 at lunch
    assert api["violations"] == [] and api["shortfall"] == 10.0  # 16:00-17:00 Mon-Fri: A2 at lunch, A1 alone
    assert 'data-kind="gap"' in page.text and "10 intervals short" in page.text
    day = client.get("/rosters/saved/week50", params={"day": "2026-12-08", "team": "t2"})
    assert day.status_code == 200 and 'data-agent="A4"' in day.text and 'data-agent="A1"' not in day.text
    assert as_user(client, "amy").get("/rosters/saved/week50").status_code == 403


def test_roster_page_checks_with_the_published_roster_before_it(client: TestClient, engine: sa.Engine) -> None:
    """A published week 49 ending with A1 on Sunday until 23:00: week 50's page names the 9 h of rest before A1's
    Monday 08:00 and says how many shifts of the other rosters it read; the API gives the same."""
    assert 'data-shifts="0"' in as_user(client, "pat").get("/rosters/saved/week50").text
    with engine.begin() as conn:
        stored = save_roster(conn, "week49", [RosterShift("A1", at(-1, 14), at(-1, 23))],
                             first_day=MONDAY - dt.timedelta(days=7), last_day=MONDAY - dt.timedelta(days=1),
                             tz="Asia/Shanghai", summary={}, now=NOW, by="pat")
        publish_roster(conn, "week49", stored.version, now=NOW, by="pat")
    page = client.get("/rosters/saved/week50")
    assert page.status_code == 200
    assert 'data-rule="min_rest_between_shifts"' in page.text and 'data-shifts="1"' in page.text
    api = client.get("/api/rosters/saved/week50").json()
    assert api["violations"] == [{"agent": "A1", "rule": "min_rest_between_shifts", "date": "2026-12-07",
                                  "detail": "9 h < 11 h"}]
    assert api["context_shifts"] == 1


def test_build_runs_in_the_background_and_publishes(client: TestClient, engine: sa.Engine) -> None:
    """A build from the form (requirements file, team t1's agents as standard contracts) queues a job; the thread
    solves it and saves version 1 of the roster with its inputs; the planner publishes it."""
    planner = as_user(client, "pat")
    response = planner.post("/rosters/build", data={
        "name": "web", "first_day": "2026-12-07", "last_day": "2026-12-08", "time_limit_s": "5", "team": "t1",
        "contract": "standard"}, files={"requirements_file": ("req.csv", requirements_csv(2, 1).encode())},
        follow_redirects=False)
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    deadline = time.monotonic() + 120
    job = planner.get(f"/api/rosters/jobs/{job_id}").json()
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        job = planner.get(f"/api/rosters/jobs/{job_id}").json()
    assert job["status"] == "done", job
    assert job["roster_version"] == 1 and job["summary"]["status"] in ("OPTIMAL", "FEASIBLE", "INFEASIBLE")
    assert 'id="job-roster"' in planner.get(job_url).text
    with engine.connect() as conn:
        roster = load_roster(conn, "web")
        inputs = load_inputs(conn, roster.roster_id, roster.tz)
    assert inputs is not None and {a.agent for a in inputs.agents} == {"A1", "A2", "A3"}
    assert roster.shifts and {s.agent for s in roster.shifts} <= {"A1", "A2", "A3"}
    published = planner.post("/rosters/saved/web/publish", data={"version": "1"}, follow_redirects=False)
    assert published.status_code == 303
    assert planner.get("/api/rosters").json()[0]["published_at"] is not None


@pytest.mark.parametrize(("data", "field", "kept"), [
    ({"name": "", "first_day": "2026-12-07", "last_day": "2026-12-07", "plan": "", "requirements_csv": "x"},
     "name", 'value="2026-12-07"'),
    ({"name": "w", "first_day": "2026-12-07", "last_day": "2026-12-07",
      "requirements_csv": "interval_start,required\n2026-12-07T00:00,-3\n"}, "required", "2026-12-07T00:00,-3"),
    ({"name": "w", "first_day": "2026-12-07", "last_day": "2026-12-07", "contract": "zero_hours",
      "requirements_csv": "interval_start,required\n2026-12-07T00:00,1\n"}, "contract", 'value="w"'),
    ({"name": "w", "first_day": "2026-12-07", "last_day": "2026-12-07", "time_limit_s": "soon",
      "requirements_csv": "interval_start,required\n2026-12-07T00:00,1\n"}, "time_limit_s", 'value="soon"'),
    ({"name": "w", "first_day": "2026-12-07", "last_day": "2026-12-07", "rules_yaml": "rest:\n  bogus: 1\n",
      "requirements_csv": "interval_start,required\n2026-12-07T00:00,1\n"}, "rest.bogus", "bogus: 1"),
    ({"name": "w", "first_day": "2026-12-07", "last_day": "2026-12-07", "team": "nobody",
      "requirements_csv": "interval_start,required\n2026-12-07T00:00,1\n"}, "team", 'value="w"'),
    ({"name": "w", "first_day": "2026-12-09", "last_day": "2026-12-07",
      "requirements_csv": "interval_start,required\n2026-12-07T00:00,1\n"}, "last_day", 'value="2026-12-09"'),
])
def test_bad_build_input_is_400_naming_the_field_with_input_kept(client: TestClient, data: dict[str, str],
                                                                field: str, kept: str) -> None:
    """Each bad field of the build form answers 400, names the field next to it and keeps what was typed."""
    response = as_user(client, "pat").post("/rosters/build", data=data)
    assert response.status_code == 400, response.text
    alert = re.search(r'id="build-error">([^<]*)<', response.text)
    assert alert is not None and f"field {field}" in alert.group(1)
    assert kept in response.text
    assert client.get("/api/rosters").json()[0]["name"] == "week50"  # nothing saved, no job


def test_bad_api_input_is_400_naming_the_field(client: TestClient) -> None:
    """The API refuses out-of-range and malformed values with 400 and the field's name."""
    planner = as_user(client, "pat")
    body = {"name": "w", "time_limit_s": 9999, "requirements_csv": "interval_start,required\n"}
    too_long = planner.post("/api/rosters/builds", json=body)
    assert too_long.status_code == 400 and too_long.json()["field"] == "time_limit_s"
    agent = as_user(client, "amy")
    bad_start = agent.post("/api/rosters/requests", json={"roster_id": 1, "kind": "swap", "start": "monday",
                                                         "other_agent": "A2", "other_start": at(0, 12).isoformat()})
    assert bad_start.status_code == 400 and bad_start.json()["field"] == "start"
    naive = agent.post("/api/rosters/requests", json={"roster_id": 1, "kind": "time_off", "start": "2026-12-07T08:00"})
    assert naive.status_code == 400 and naive.json()["field"] == "start"
    not_mine = agent.post("/api/rosters/requests", json={"roster_id": 1, "kind": "time_off",
                                                         "start": at(0, 12).isoformat()})
    assert not_mine.status_code == 400 and not_mine.json()["field"] == "start"
    no_pick = agent.post("/rosters/requests", data={"roster_id": "1", "start": at(0, 8).isoformat(), "kind": "swap",
                                                    "other": "", "note": "please"})
    assert no_pick.status_code == 400 and 'id="err-other"' in no_pick.text and 'value="please"' in no_pick.text
    assert as_user(client, "lee").get("/rosters/adherence", params={"day": "someday"}).status_code == 400


def test_adherence_page_shows_percentages_for_the_day_and_team(client: TestClient, engine: sa.Engine) -> None:
    """A1 on the phones 08:00-16:00 on Monday and off 16-17: 8 h of 9 scheduled... the meal counted as taken:
    adherence 7/9 + 1/9 (meal off the phones) = 8/9, conformance 8/9; the lead of t1 sees A1, not A4."""
    with engine.begin() as conn:
        conn.execute(agent_intervals.insert(), [
            {"source": "test", "agent": "A1", "state": "ready", "start_at": at(0, 8), "end_at": at(0, 12)},
            {"source": "test", "agent": "A1", "state": "break", "start_at": at(0, 12), "end_at": at(0, 13)},
            {"source": "test", "agent": "A1", "state": "ready", "start_at": at(0, 13), "end_at": at(0, 16)},
            {"source": "test", "agent": "A4", "state": "ready", "start_at": at(0, 7), "end_at": at(0, 16)}])
    lead = as_user(client, "lee")
    rows = lead.get("/api/rosters/adherence", params={"day": MONDAY.isoformat()}).json()
    assert {r["agent"] for r in rows} == {"A1", "A2", "A3"}
    a1 = next(r for r in rows if r["agent"] == "A1")
    assert a1["scheduled_s"] == 9 * 3600 and a1["in_adherence_s"] == 8 * 3600
    assert a1["adherence"] == round(8 / 9, 4) and a1["conformance"] == round(8 / 9, 4)
    page = lead.get("/rosters/adherence", params={"day": MONDAY.isoformat(), "team": "t1"})
    assert page.status_code == 200 and 'data-agent="A1"' in page.text and 'data-agent="A4"' not in page.text
    assert "88.9" in page.text
    assert lead.get("/rosters/adherence", params={"team": "t2"}).status_code == 403
    assert as_user(client, "amy").get("/rosters/adherence").status_code == 403


def test_a_job_cut_off_by_a_restart_says_so_and_does_not_block(client: TestClient, engine: sa.Engine) -> None:
    """A job still 'running' an hour after it was queued was cut off: its page says so without refreshing, and a
    new build is not refused because of it."""
    with engine.begin() as conn:
        job_id = queue_job(conn, "lost", week_inputs(), params={"first_day": "2026-12-07", "last_day": "2026-12-07",
                                                                 "tz": "Asia/Shanghai", "time_limit_s": 5,
                                                                 "agents": 4}, now=NOW - dt.timedelta(hours=1),
                           by="pat")
        start_job(conn, job_id, now=NOW - dt.timedelta(hours=1))
    page = as_user(client, "pat").get(f"/rosters/jobs/{job_id}")
    assert 'id="job-stale"' in page.text and 'http-equiv="refresh"' not in page.text
    with engine.connect() as conn:
        assert active_job(conn, now=NOW, stale_after=STALE_AFTER) is None


def test_team_page_picks_a_published_roster_in_view_or_answers_404(client: TestClient) -> None:
    """The team page charts the first published roster in view by default, the one ``roster`` names when it is
    in view, and answers 404 for a roster id not in view."""
    lead = as_user(client, "lee")
    default, picked = lead.get("/rosters/team"), lead.get("/rosters/team", params={"roster": 1})
    assert default.status_code == 200 and picked.status_code == 200
    assert 'id="team-gantt"' in default.text and 'id="team-gantt"' in picked.text
    assert lead.get("/rosters/team", params={"roster": 999}).status_code == 404
