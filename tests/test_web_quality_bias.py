"""Rater bias on the QA reports page and in GET /api/qa/reports, on SQLite and PostgreSQL: the numbers are
``rater_bias`` on the stored evaluations (agent, QA, current score), and too little data says so."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.quality import ScoredEvaluation, rater_bias
from callops.records import Role
from callops.services.qa_reports import BIAS_ALPHA, BIAS_MIN_EFFECT_SD
from quality_site import ANSWERS, Clock, bearer, login_form, new_clock, qa_site
from web_sign_in import insert_users


@pytest.fixture
def clock() -> Clock:
    return new_clock()


@pytest.fixture
def client(engine: sa.Engine, clock: Clock) -> Iterator[TestClient]:
    with qa_site(engine, clock) as test_client:
        yield test_client



def _score_same_calls(client: TestClient, engine: sa.Engine) -> dict[str, dict[str, str]]:
    """Three QAs score the same three calls of each agent; qa3 deducts 10 more points everywhere."""
    with engine.begin() as conn:
        insert_users(conn, [(name, Role.QA, None, "en") for name in ("qa2", "qa3")], tz="UTC")
    h = {name: bearer(client, name) for name in ("boss", "qa1", "qa2", "qa3", "lead")}
    listed = client.get("/api/calls", headers=h["boss"]).json()["items"]
    for agent, solution in (("A1", 5), ("A2", 4)):
        ids = [c["id"] for c in listed if c["agent"] == agent][:3]
        for qa, arguing in (("qa1", 0), ("qa2", 0), ("qa3", 1)):
            for call_id, listening in zip(ids, (3, 4, 5) if qa != "qa2" else (5, 3, 4), strict=True):
                answers = {**ANSWERS, "listening": {"value": listening}, "solution": {"value": solution},
                           "arguing": {"value": arguing}}
                made = client.post("/api/qa/evaluations", json={"call_id": call_id, "answers": answers},
                                   headers=h[qa])
                assert made.status_code == 201, made.text
    return h


def test_bias_section_matches_rater_bias_on_the_stored_evaluations(client: TestClient, engine: sa.Engine) -> None:
    """Page and API give rater_bias's effect, interval, count and flag per QA; the harsh QA is the one flagged."""
    h = _score_same_calls(client, engine)
    stored = client.get("/api/qa/evaluations", headers=h["boss"]).json()
    assert len(stored) == 18
    expected = rater_bias([ScoredEvaluation(e["agent"], e["evaluator"], e["score"]) for e in stored],
                          alpha=BIAS_ALPHA, min_effect_sd=BIAS_MIN_EFFECT_SD)
    assert [r.rater for r in expected.raters if r.flagged] == ["qa3"]

    api = client.get("/api/qa/reports", headers=h["lead"]).json()["rater_bias"]
    assert api["unavailable"] is None and api["evaluations"] == 18
    assert api["residual_sd"] == pytest.approx(expected.residual_sd)
    for got, want in zip(api["raters"], expected.raters, strict=True):
        assert got["rater"] == want.rater and got["evaluations"] == want.evaluations == 6
        assert (got["effect"], got["ci_low"], got["ci_high"]) == pytest.approx((want.effect, want.ci_low, want.ci_high))
        assert got["flagged"] is want.flagged

    login_form(client, "lead")
    page = client.get("/qa/reports").text
    rows = re.findall(r'<tr data-rater="([^"]+)"( class="flagged")?><td>[^<]*</td><td class="effect">([^<]+)</td>'
                      r'<td class="interval">\[([^,]+), ([^\]]+)\]</td><td class="count">(\d+)</td>', page)
    assert [(r[0], bool(r[1]), r[2], r[3], r[4], int(r[5])) for r in rows] == [
        (w.rater, w.flagged, f"{w.effect:+.1f}", f"{w.ci_low:+.1f}", f"{w.ci_high:+.1f}", w.evaluations)
        for w in expected.raters]


def test_too_little_data_says_so(client: TestClient, engine: sa.Engine) -> None:
    """With one QA there is nothing to compare: the page explains, the API gives the reason and no raters."""
    h = {name: bearer(client, name) for name in ("boss", "qa1")}
    call_id = client.get("/api/calls?agent=A1", headers=h["boss"]).json()["items"][0]["id"]
    assert client.post("/api/qa/evaluations", json={"call_id": call_id, "answers": ANSWERS},
                       headers=h["qa1"]).status_code == 201
    api = client.get("/api/qa/reports", headers=h["boss"]).json()["rater_bias"]
    assert api["raters"] == [] and "two raters" in api["unavailable"]
    token = login_form(client, "boss")
    client.post("/language", data={"locale": "zh-CN", "csrf_token": token, "next": "/qa/reports"})
    page = client.get("/qa/reports").text
    assert 'id="rater-bias-unavailable"' in page and "质检员评分偏差" in page and "数据尚不足" in page
