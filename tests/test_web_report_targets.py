"""Reports judged against each queue's own targets, service level at each queue's threshold (said on the page),
and report values that open the calls they count, in English and Chinese (real SQLite, two queues)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.metrics import Grain, ReportRow
from callops.records import Role
from callops.store import make_engine, upgrade
from callops.web import create_app
from callops.web.report_tables import drill_params, kpi_href
from callops.web.routes.reports import PERIOD_KPIS, QUEUE_SPLIT_KPIS
from report_targets_site import load_two_queues
from web_sign_in import insert_users, login

BY_QUEUE = "from=2026-03-02&to=2026-03-02&grain=day&dim=queue&kpi=offered&kpi=service_level&kpi=abandon_rate"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'targets.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        load_two_queues(conn)
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("chen", Role.MANAGER, None, "zh-CN")], tz="UTC")
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret", site_tz="UTC"))) as test_client:
        yield test_client


def _row(page: str, table: str, queue: str) -> str:
    body = page.split(f'id="{table}"')[1].split("</table>")[0]
    found = re.search(rf'<tr data-queue="{queue}">(.*?)</tr>', body, re.S)
    assert found is not None, (table, queue)
    return found.group(1)


def _cells(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>.*?</td>", row, re.S)


def _cell(row: str, key: str, keys: tuple[str, ...] = PERIOD_KPIS) -> str:
    """The cell of KPI ``key`` in a by-queue row (queue, threshold, then ``keys``)."""
    return _cells(row)[2 + keys.index(key)]


def _links(fragment: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', fragment)]


def _count(client: TestClient, href: str) -> str:
    page = client.get(href)
    assert page.status_code == 200, page.text
    found = re.search(r'id="calls-count">([^<]+)<', page.text)
    assert found is not None
    return found.group(1)


def test_period_report_judges_each_queue_against_its_own_targets(client: TestClient) -> None:
    """Sales misses its 80 % (60 % within 20 s: red), support meets its 70 % (80 % within 60 s: green); the
    threshold of each row is shown; the totals combine both queues at their thresholds (7 of 10) and are not
    judged, the two queues' targets differing."""
    login(client, "boss")
    page = client.get("/reports/daily?date=2026-03-02").text
    sales, support = _row(page, "period-by-queue", "sales"), _row(page, "period-by-queue", "support")
    assert 'judged-bad"' in _cell(sales, "service_level") and ">60.0%<" in _cell(sales, "service_level")
    assert 'judged-good"' in _cell(support, "service_level") and ">80.0%<" in _cell(support, "service_level")
    assert 'data-threshold="20">20 s<' in sales and 'data-threshold="60">60 s<' in support
    assert 'judged-good"' in _cell(sales, "abandon_rate") and 'judged-bad"' in _cell(support, "abandon_rate")
    assert "judged-" not in _cell(sales, "answer_rate")  # only service level and abandon rate have targets
    assert "each queue&#39;s own threshold: sales 20 s; support 60 s" in page
    totals = page.split('id="period-totals"')[1].split("</table>")[0]
    sl_total = re.search(r'<tr data-kpi="service_level">(.*?)</tr>', totals, re.S)
    assert sl_total is not None and "70.0%" in sl_total.group(1) and "judged-" not in sl_total.group(1)


def test_builder_by_queue_uses_each_threshold_unless_fixed(client: TestClient) -> None:
    login(client, "boss")
    own = client.get(f"/reports/builder?{BY_QUEUE}").text
    assert re.search(r"support</td>.*?80\.0%", own, re.S) and "sales 20 s; support 60 s" in own
    totals = own.split('id="report-totals"')[1].split("</tr>")[0]
    assert "70.0%" in totals
    fixed = client.get(f"/reports/builder?{BY_QUEUE}&sl_basis=fixed&sl_threshold=20").text
    assert re.search(r"support</td>.*?>20\.0%<", fixed, re.S) and "within 20 s, one threshold for every row" in fixed
    raw = client.get(f"/reports/export?format=csv&{BY_QUEUE}")
    header, *lines = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    support = dict(zip(header, next(r for r in lines if r[1] == "support"), strict=True))
    assert support["Service level"] == "80.0%"


def test_a_value_opens_the_calls_it_counts(client: TestClient) -> None:
    """Offered opens the 5 offered calls of sales (not its IVR or outbound call), the period all 7 of them,
    abandoned the one abandoned call, and service level the calls that missed it at the queue's threshold."""
    login(client, "boss")
    page = client.get(f"/reports/builder?{BY_QUEUE}&kpi=abandoned").text
    body = page.split('id="report-rows"')[1].split("</tbody>")[0]
    rows = {q: r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) for q in ("sales", "support") if f">{q}<" in r}
    sales, support = _links(rows["sales"]), _links(rows["support"])
    assert _count(client, sales[0]) == "7 calls"  # the period: every call of the row
    offered = next(h for h in sales if "kpi=offered" in h)
    assert "from=2026-03-02T00%3A00%2B00%3A00&to=2026-03-03T00%3A00%2B00%3A00&queue=sales" in offered
    assert _count(client, offered) == "5 calls"
    assert _count(client, next(h for h in sales if "kpi=abandoned" in h)) == "1 calls"
    missed_sales = next(h for h in sales if "kpi=sl_missed" in h)
    missed_support = next(h for h in support if "kpi=sl_missed" in h)
    assert "sl_threshold=20" in missed_sales and "sl_threshold=60" in missed_support
    assert _count(client, missed_sales) == "2 calls" and _count(client, missed_support) == "1 calls"
    landing = client.get(missed_support).text  # the filters are on the form, the instants kept as given
    assert 'value="2026-03-02T00:00+00:00"' in landing and '<option value="sl_missed" selected>' in landing
    assert "not answered within 60 s" in landing
    period = client.get("/reports/daily?date=2026-03-02").text
    assert _count(client, _links(_cell(_row(period, "period-by-queue", "support"), "offered"))[0]) == "5 calls"


def test_dashboard_split_target_line_and_combined_service_level(client: TestClient) -> None:
    login(client, "boss")
    page = client.get("/reports").text
    sl_today = re.search(r'<tr data-kpi="service_level">.*?<td class="num">([^<]+)<', page, re.S)
    assert sl_today is not None and sl_today.group(1) == "70.0%"
    support = _row(page, "dashboard-by-queue", "support")
    sl_support = _cell(support, "service_level", QUEUE_SPLIT_KPIS)
    assert 'judged-good"' in sl_support and ">80.0%<" in sl_support and 'data-threshold="60"' in support
    sl_sales = _cell(_row(page, "dashboard-by-queue", "sales"), "service_level", QUEUE_SPLIT_KPIS)
    assert 'judged-bad"' in sl_sales and ">60.0%<" in sl_sales
    assert "75.0%, the queues&#39; service-level targets weighted by today&#39;s offered calls" in page


def test_chinese_pages_and_drill_filters_answer_on_the_form(client: TestClient) -> None:
    login(client, "chen")
    page = client.get("/reports/daily?date=2026-03-02").text
    assert "服务水平按各队列自己的阈值计算:sales:20 秒; support:60 秒" in page
    assert "服务水平阈值" in page and "点击数值可查看对应的呼叫" in page
    bad = client.get("/calls?queue=sales&kpi=everything&sl_threshold=15")
    assert bad.status_code == 400 and 'id="err-kpi"' in bad.text and "请从列出的呼叫集合中选择一项" in bad.text
    assert '<option value="sales" selected>' in bad.text and 'value="15"' in bad.text
    for value in ("abc", "-5", "1e9", "nan"):
        wrong = client.get(f"/calls?kpi=sl_missed&sl_threshold={value}")
        assert wrong.status_code == 400 and 'id="err-sl_threshold"' in wrong.text, value
        assert "请输入 0 到 86,400 之间的秒数" in wrong.text and f'value="{value}"' in wrong.text
    note = client.get("/calls?kpi=sl_missed&sl_threshold=60&queue=support")
    assert note.status_code == 200 and "未在 60 秒内接听" in note.text


def test_a_saved_report_keeps_the_thresholds_choice(client: TestClient) -> None:
    """A saved by-queue report's file has the builder's numbers: each queue's threshold, or the fixed one."""
    token = login(client, "boss")
    found = {}
    for basis, expected in (("queue", "80.0%"), ("fixed", "20.0%")):
        saved = client.post(
            "/reports/saved",
            data={
                "name": f"By queue {basis}",
                "query": f"{BY_QUEUE}&sl_basis={basis}",
                "file_format": "csv",
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
        listing = client.get("/reports/saved").text
        mine = re.search(rf'id="report-(\d+)">\s*<td><a href="[^"]*">By queue {basis}<', listing)
        assert mine is not None
        report_id = mine.group(1)
        raw = client.get(f"/reports/saved/{report_id}/download").content.decode("utf-8-sig")
        header, *lines = list(csv.reader(io.StringIO(raw)))
        found[basis] = dict(zip(header, next(r for r in lines if r[1] == "support"), strict=True))["Service level"]
        assert found[basis] == expected, basis
    bad = client.post(
        "/reports/saved",
        data={"name": "Odd", "query": f"{BY_QUEUE}&sl_basis=median", "file_format": "csv", "csrf_token": token},
    )
    assert bad.status_code == 400 and "sl_basis" in bad.text


def test_no_link_where_the_calls_page_cannot_filter() -> None:
    """A row of calls without a queue, by team, or of a simulated scenario links nowhere (a link would show
    other calls); a KPI that counts no calls (ASA) has no link, the period and offered do."""
    start = dt.datetime(2026, 3, 2)

    def params_of(scenario: str | None = None, **dims: str | None) -> dict[str, str] | None:
        row = ReportRow("2026-03-02", start, tuple(dims.items()), {"offered": 3})
        return drill_params(row, grain=Grain.DAY, zone="UTC", first=start.date(), last=start.date(), scenario=scenario)

    assert params_of(queue=None) is None and params_of(team="north") is None
    assert params_of("busy-monday", queue="sales") is None
    params = params_of(queue="sales")
    assert params == {"from": "2026-03-02T00:00+00:00", "to": "2026-03-03T00:00+00:00", "queue": "sales"}
    assert kpi_href(params, "asa_s", sl_threshold_s=20) is None
    assert kpi_href(params, "offered", sl_threshold_s=20) == (
        "/calls?from=2026-03-02T00%3A00%2B00%3A00&to=2026-03-03T00%3A00%2B00%3A00&queue=sales&kpi=offered"
    )
