"""QA on the demo: `callops demo load` also files a published rule for a demo week, freezes, randomises and
draws it, scores some drawn calls and files an appeal, all dated inside January 1999 and labelled as demo data;
the call page offers QA users an "Evaluate" button; appeals and QA reports name scorecard items by label."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.demo import load_demo
from callops.demo.quality import DEMO_RULE, load_demo_quality
from callops.services.qa_sampling import verify_stored
from callops.store.qa_reviews import evaluation_keys, list_appeals, load_evaluations
from callops.store.qa_sampling import get_draw, get_rule
from callops.web import create_app


@pytest.fixture
def demo(engine: sa.Engine) -> sa.Engine:
    load_demo(engine)
    return engine


def _login(client: TestClient, username: str, password: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    response = client.post("/login", data={"username": username, "password": password,
                                            "csrf_token": token.group(1)}, follow_redirects=False)
    assert response.status_code == 303


@pytest.fixture
def client(demo: sa.Engine) -> Iterator[TestClient]:
    url = demo.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret"))) as test_client:
        yield test_client


def test_demo_loads_a_drawn_rule_evaluations_and_an_appeal(demo: sa.Engine) -> None:
    """The demo rule is labelled demo, its draw re-runs to a match, the evaluations and the appeal fall inside
    the demo month, the demo agent's appeal waits; loading again adds nothing."""
    with demo.connect() as conn:
        rule = get_rule(conn, DEMO_RULE)
        assert rule.rule.description.startswith("DEMO") and "演示" in rule.rule.description
        draw = get_draw(conn, DEMO_RULE)
        assert draw.record is not None and verify_stored(draw).matches
        evaluations = load_evaluations(conn, evaluation_keys(conn))
        appeals = list_appeals(conn)
    assert len(evaluations) >= 8 and all(not s.targeted for s in evaluations)
    assert all(dt.datetime(1999, 1, 1, tzinfo=dt.UTC) <= s.evaluation.versions[0].created_at
               < dt.datetime(1999, 2, 1, tzinfo=dt.UTC) for s in evaluations)
    assert {s.evaluation.evaluator for s in evaluations} == {"qa"}
    (appeal,) = appeals
    assert appeal.agent == "MICHAL" and appeal.reason.startswith("Demo appeal")
    assert load_demo_quality(demo) is False
    with demo.connect() as conn:
        assert len(evaluation_keys(conn)) == len(evaluations) and len(list_appeals(conn)) == 1


def test_call_page_evaluate_button_and_item_labels(client: TestClient, demo: sa.Engine) -> None:
    """A QA user sees "Evaluate" on a call and it opens the scoring form; a manager (no scoring right) does not;
    the appeal names the disputed item by its label and the QA report lists items by label."""
    with demo.connect() as conn:
        (appeal,) = list_appeals(conn)
        call_pk = load_evaluations(conn, evaluation_keys(conn))[0].call_pk
    _login(client, "qa", "qa-demo-1")
    page = client.get(f"/calls/{call_pk}")
    assert page.status_code == 200 and f'id="evaluate-call" href="/qa/evaluate/{call_pk}"' in page.text
    assert "评估此通话" in page.text
    assert client.get(f"/qa/evaluate/{call_pk}").status_code == 200
    shown = client.get(f"/qa/appeals/{appeal.appeal_id}").text
    assert '<span data-item="listening">Listening 倾听</span>' in shown
    report = client.get("/qa/reports").text
    assert "Listening 倾听" in report.split('id="by-item"')[1]
    exported = client.get("/api/qa/reports/evaluations.csv")  # Excel on Chinese Windows: BOM, Chinese headers
    assert exported.content.startswith(b"\xef\xbb\xbf")
    header, first = exported.content.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("评估编号,通话,坐席,质检员") and "评分时间 (Asia/Jerusalem)" in header
    assert ",1999-01-18 " in first and (",是," in first or ",否," in first)
    gb = client.get("/api/qa/reports/evaluations.csv?encoding=gb18030")
    assert gb.content.decode("gb18030").startswith("评估编号,")
    client.cookies.clear()
    _login(client, "manager", "manager-demo-1")
    assert 'id="evaluate-call"' not in client.get(f"/calls/{call_pk}").text
