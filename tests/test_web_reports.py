"""Report pages and the KPI API: same numbers as the CLI, exports, scorecards, printable periods, both languages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from callops.cli import cli
from callops.records import Outcome, Role
from callops.store.records import insert_calls
from kpi_hand_day import hand_day_site, inbound
from web_sign_in import login

KPI_QUERY = "from=2026-03-01&to=2026-03-03&grain=day&by=queue&tz=Asia/Shanghai&compare_previous=true"


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with hand_day_site(engine, [("boss", Role.MANAGER, None, "en"), ("amy", Role.AGENT, "a1", "en")]) as site:
        yield site


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
    """The builder's exports open in Excel: CSV with a UTF-8 BOM (or GB18030 on request), headers in the user's
    language naming the zone, rates as percentages; XLSX with numbers formatted as counts and percentages."""
    token = login(client, "boss")
    page = client.get(f"/reports/builder?{KPI_QUERY}")
    assert page.status_code == 200 and 'id="report-rows"' in page.text and 'id="export-xlsx"' in page.text
    raw = client.get(f"/reports/export?format=csv&{KPI_QUERY}")
    assert raw.content.startswith(b"\xef\xbb\xbf") and raw.headers["content-type"] == "text/csv; charset=utf-8"
    header, *lines = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert header[:4] == ["Period (Asia/Shanghai)", "Queue", "Offered", "Answered"]
    sales = dict(zip(header, next(r for r in lines if r[1] == "sales"), strict=True))
    assert sales["Offered"] == "7" and sales["Service level"] == "28.6%"
    book = load_workbook(io.BytesIO(client.get(f"/reports/export?format=xlsx&{KPI_QUERY}").content))
    sheet = book.active
    assert sheet is not None
    titles = [str(c.value) for c in sheet[1]]
    row = dict(zip(titles, sheet[2], strict=True))
    assert row["Offered"].value == 7 and row["Queue"].value == "sales" and row["Offered"].number_format == "#,##0"
    assert row["Service level"].value == pytest.approx(2 / 7) and row["Service level"].number_format == "0.0%"
    client.post("/language", data={"locale": "zh-CN", "next": "/reports", "csrf_token": token})
    gb = client.get(f"/reports/export?format=csv&encoding=gb18030&{KPI_QUERY}")
    assert gb.headers["content-type"] == "text/csv; charset=gb18030" and not gb.content.startswith(b"\xef\xbb\xbf")
    assert gb.content.decode("gb18030").startswith("周期 (Asia/Shanghai),队列,呼入量,接听量")
    bad = client.get(f"/reports/export?format=csv&encoding=latin-9&{KPI_QUERY}")
    assert bad.status_code == 400 and "encoding" in bad.text


def test_builder_reads_like_a_report(client: TestClient, engine: sa.Engine) -> None:
    """KPIs are picked by name, the result has a chart, a totals row computed from measures (not a sum of
    rates), pages of 100 rows, links to the calls of a row, and FCR beside its base, blank when that is small."""
    login(client, "boss")
    first = client.get("/reports/builder")  # nothing run yet; the range offered ends on the latest day with data
    assert 'name="from" value="2026-03-01"' in first.text and 'name="to" value="2026-03-10"' in first.text
    assert 'id="report-rows"' not in first.text
    page = client.get("/reports/builder?from=2026-03-02&to=2026-03-02&grain=15min&dim=queue&kpi=offered"
                      "&kpi=service_level&kpi=fcr")
    assert page.status_code == 200
    assert 'value="service_level" checked> Service level' in page.text and 'id="report-chart"' in page.text
    totals = re.search(r'<tr class="totals" id="report-totals">(.*?)</tr>', page.text)
    assert totals is not None and "Totals" in totals.group(1)
    api = client.get("/api/reports/kpi?from=2026-03-02&to=2026-03-02&grain=total&kpis=offered,service_level").json()
    assert api[0]["offered"] == 7 and f"{api[0]['service_level'] * 100:.1f}%" in totals.group(1)
    assert 'href="/calls?from=2026-03-02T09%3A00%2B08%3A00&amp;to=2026-03-02T09%3A15%2B08%3A00&amp;queue=sales"' \
        in page.text
    assert "First-contact resolution" in page.text and "FCR base" in page.text  # blank: base under 30
    with engine.begin() as conn:  # one call every 15 minutes from 2026-03-04 00:00 Shanghai: 250 rows
        start = dt.datetime(2026, 3, 3, 16, 0, tzinfo=dt.UTC)
        insert_calls(conn, [inbound(Outcome.ANSWERED, 5, at=start + dt.timedelta(minutes=15 * i), agent="a1")
                            for i in range(250)])
    long = client.get("/reports/builder?from=2026-03-04&to=2026-03-06&grain=15min&kpi=offered")
    assert long.text.count("<tr>") == 101 and 'id="report-pager"' in long.text and "Page 1 of 3" in long.text
    assert "Rows 1–100 of 250" in long.text
    third = client.get("/reports/builder?from=2026-03-04&to=2026-03-06&grain=15min&kpi=offered&page=3")
    body = third.text.split('id="report-rows"')[1].split("</tbody>")[0]
    assert "Page 3 of 3" in third.text and "2026-03-06T14:15" in body and "2026-03-04T00:00" not in body


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


def test_builder_answers_bad_input_on_its_form(client: TestClient) -> None:
    """A range past the work limit or ending before it starts is a 400 on the builder itself: the reason beside
    the field, every choice kept (dates, grain, dimensions, KPIs)."""
    login(client, "boss")
    huge = client.get("/reports/builder?from=2025-01-01&to=2025-12-31&grain=15min&dim=queue&dim=agent"
                      "&kpi=service_level")
    assert huge.status_code == 400 and 'id="err-grain"' in huge.text and "limit is 2,000,000" in huge.text
    assert 'value="2025-12-31"' in huge.text and '<option value="15min" selected>' in huge.text
    assert 'value="agent" checked' in huge.text and 'value="service_level" checked' in huge.text
    backwards = client.get("/reports/builder?from=2026-03-03&to=2026-03-01")
    assert backwards.status_code == 400 and 'id="err-to"' in backwards.text and 'value="2026-03-03"' in backwards.text
