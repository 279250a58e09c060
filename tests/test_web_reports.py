"""Report pages and the KPI API: same numbers as the CLI, exports, scorecards, printable periods, both languages."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from callops.cli import cli
from callops.config import Settings
from callops.records import Role
from callops.store.records import insert_calls, insert_intervals
from callops.store.schema import users
from callops.web import create_app
from test_store_kpi_query import hand_day
from test_web_app import login, password_hash

KPI_QUERY = "from=2026-03-01&to=2026-03-03&grain=day&by=queue&tz=Asia/Shanghai&compare_previous=true"


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    calls, states = hand_day()
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": role.value,
                                       "agent_id": agent, "locale": locale, "tz": "Asia/Shanghai", "active": True}
                                      for name, role, agent, locale in [("boss", Role.MANAGER, None, "en"),
                                                                         ("amy", Role.AGENT, "a1", "en")]])
        insert_calls(conn, calls)
        insert_intervals(conn, states)
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret",
                                        site_tz="Asia/Shanghai"))) as test_client:
        yield test_client


def test_api_gives_the_cli_numbers(client: TestClient, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /api/reports/kpi returns exactly the rows of `callops report kpi --format json` for the same query."""
    login(client, "boss")
    response = client.get(f"/api/reports/kpi?{KPI_QUERY}")
    assert response.status_code == 200, response.text
    monkeypatch.setenv("CALLOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = CliRunner().invoke(cli, ["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-03", "--grain", "day",
                                   "--by", "queue", "--tz", "Asia/Shanghai", "--compare-previous", "--format",
                                   "json"], catch_exceptions=False).output
    assert response.json() == json.loads(out)
    sales = next(r for r in response.json() if r["queue"] == "sales")
    assert sales["offered"] == 7 and sales["service_level"] == pytest.approx(2 / 7)


def test_api_refuses_agents_and_bad_input(client: TestClient) -> None:
    """An agent lacks the reports right (403); a bad grain answers 400 naming the field."""
    login(client, "amy")
    assert client.get(f"/api/reports/kpi?{KPI_QUERY}").status_code == 403
    client.cookies.clear()
    login(client, "boss")
    bad = client.get("/api/reports/kpi?from=2026-03-01&to=2026-03-02&grain=fortnight")
    assert bad.status_code == 400 and "grain" in bad.text
    huge = client.get("/api/reports/kpi?from=2025-01-01&to=2025-12-31&grain=15min&by=queue,agent")
    assert huge.status_code == 400 and huge.json()["field"] == "grain" and "limit is 2,000,000" in huge.text


def test_builder_exports_csv_and_xlsx(client: TestClient) -> None:
    """The builder shows the rows and its CSV and XLSX exports carry the same values."""
    login(client, "boss")
    page = client.get(f"/reports/builder?{KPI_QUERY}")
    assert page.status_code == 200 and 'id="report-rows"' in page.text and 'id="export-xlsx"' in page.text
    text = client.get(f"/reports/export?format=csv&{KPI_QUERY}").text
    assert text.splitlines()[0].startswith("period,queue,offered,answered")
    book = load_workbook(io.BytesIO(client.get(f"/reports/export?format=xlsx&{KPI_QUERY}").content))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert row["offered"] == 7 and row["queue"] == "sales"


def test_dashboard_scorecards_and_period_pages(client: TestClient) -> None:
    """Dashboard, scorecards and the daily/weekly/monthly pages render with numbers, in English and Chinese."""
    token = login(client, "boss")
    dashboard = client.get("/reports")
    assert dashboard.status_code == 200 and 'id="dashboard-kpis"' in dashboard.text
    assert "28.6%" in dashboard.text  # service level 2/7 on the latest day
    cards = client.get("/reports/agents?from=2026-03-02&to=2026-03-02")
    assert cards.status_code == 200 and 'data-agent="a1"' in cards.text and "Away: lunch" in cards.text
    for kind in ("daily", "weekly", "monthly"):
        page = client.get(f"/reports/{kind}?date=2026-03-02")
        assert page.status_code == 200 and 'id="period-totals"' in page.text, kind
    client.post("/language", data={"locale": "zh-CN", "next": "/reports", "csrf_token": token})
    assert "服务水平" in client.get("/reports/daily?date=2026-03-02").text


def test_catalogs_have_the_same_report_keys() -> None:
    """The zh-CN and English report catalogs define the same keys."""
    folder = Path(__file__).resolve().parents[1] / "src" / "callops" / "web" / "locales"
    en = json.loads((folder / "reports.en.json").read_text(encoding="utf-8"))
    zh = json.loads((folder / "reports.zh-CN.json").read_text(encoding="utf-8"))
    assert en.keys() == zh.keys()
