"""Deleting a plan is an administrative change like the others: the page, the API and `callops plan delete` each
write one audit entry naming who deleted which versions; deleting nothing writes none. The plan page's simulation
form names a bad value in the viewer's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.store.audit_log import list_entries
from workforce_site import as_planner, load_history, workforce_site

PLAN = {
    "name": "week",
    "queue": "PS",
    "history_from": "2026-02-02",
    "history_to": "2026-03-01",
    "horizon": "7d",
    "interval_min": "30",
    "sl_time_s": "20",
    "recovery_s": "0",
    "service_level": "80%",
    "shrinkage": "30",
}


@pytest.fixture
def planner(engine: sa.Engine) -> Iterator[TestClient]:
    load_history(engine)
    with workforce_site(engine) as client:
        yield as_planner(client)


def test_plan_deletes_are_audited(planner: TestClient, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(4):
        assert planner.post("/workforce/plans", data=PLAN, follow_redirects=False).status_code == 303
    assert (
        planner.post("/workforce/plans/week/delete", data={"version": "1"}, follow_redirects=False).status_code == 303
    )
    assert planner.delete("/api/workforce/plans/week", params={"version": 2}).status_code == 200
    assert planner.delete("/api/workforce/plans/week", params={"version": 2}).status_code == 404
    monkeypatch.setenv("CALLOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ["plan", "delete", "week", "--yes"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        entries = list(reversed(list_entries(conn, entity="plan")))
    assert [(e.actor, e.key, e.action, e.before, e.after) for e in entries[:2]] == [
        ("pat", "week", "plan.deleted", {"versions": [1]}, None),
        ("pat", "week", "plan.deleted", {"versions": [2]}, None),
    ]
    assert len(entries) == 3 and entries[2].actor.startswith("cli") and entries[2].before == {"versions": [3, 4]}


def test_plan_simulation_form_speaks_the_viewers_language(planner: TestClient) -> None:
    assert planner.post("/workforce/plans", data=PLAN, follow_redirects=False).status_code == 303
    token = planner.headers["X-CSRF-Token"]
    planner.post("/language", data={"locale": "zh-CN", "csrf_token": token, "next": "/workforce/plans"})
    bad = planner.post("/workforce/plans/week/simulate", data={"replications": "5000", "seed": "1"})
    assert bad.status_code == 400
    error = bad.text.split('id="sim-error">', 1)[1].split("<", 1)[0]
    assert error.startswith("字段 replications：不能大于") and 'value="5000"' in bad.text
