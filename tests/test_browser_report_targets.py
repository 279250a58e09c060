"""The daily report and dashboard in headless Chromium at 1280 px over the demo month, two queues given their own
targets: cells red or green against their queue's target, the threshold each queue's service level used, and a
value's calls one click away (the count on the Calls page is the report's)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from browser_harness import demo_database, log_in, serve, switch_language
from callops.config import Settings
from callops.store import make_engine
from callops.store.directory import save_queue
from callops.web import create_app
from callops.web.routes.reports import PERIOD_KPIS

pytestmark = pytest.mark.browser

DAY = "1999-01-31"
SL_COLUMN = 3 + PERIOD_KPIS.index("service_level")  # queue, threshold, then the KPIs (1-based nth-child)


@pytest.fixture(scope="module")
def target_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo month with NE judged at 60 s against 85 % and PS at 30 s against 80 % (the rest: 20 s, 80 %)."""
    url = demo_database(tmp_path_factory.mktemp("targets"))
    engine = make_engine(url)
    with engine.begin() as conn:
        save_queue(conn, "NE", sl_threshold_s=60, sl_target_pct=85)
        save_queue(conn, "PS", sl_threshold_s=30, sl_target_pct=80)
    engine.dispose()
    with serve(create_app(Settings(database_url=url, secret_key="browser-test"))) as base:
        yield base


def _width(page: Page) -> int:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert isinstance(width, int)
    return width


def _percent(text: str) -> float:
    found = re.search(r"([\d.]+)\s*%", text)
    assert found is not None, text
    return float(found.group(1)) / 100


def test_coloured_report_and_drill_down(page: Page, target_site: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, target_site, "manager", "manager-demo-1")  # the demo manager reads Chinese
    page.goto(f"{target_site}/reports/daily?date={DAY}")
    ne = page.locator("#period-by-queue tr[data-queue=NE]")
    ps = page.locator("#period-by-queue tr[data-queue=PS]")
    expect(ne.locator("td[data-threshold]")).to_have_text("60 秒")
    expect(page.locator("#threshold-note")).to_contain_text("NE:60 秒")
    expect(page.locator("#threshold-note")).to_contain_text("PS:30 秒")
    for row, target in ((ne, 0.85), (ps, 0.80)):  # each cell judged against its own queue's target
        cell = row.locator(f"td:nth-child({SL_COLUMN})")
        expected = "judged-good" if _percent(cell.inner_text()) >= target else "judged-bad"
        expect(cell).to_have_class(re.compile(expected))
    expect(ne.locator(f"td:nth-child({SL_COLUMN})")).to_have_class(re.compile("judged-good"))  # 88 % at 60 s
    expect(ps.locator(f"td:nth-child({SL_COLUMN})")).to_have_class(re.compile("judged-bad"))  # 76 % at 30 s
    assert _width(page) <= 1280

    switch_language(page, "en")
    expect(page.locator("#threshold-note")).to_contain_text("NE 60 s")
    api = page.request.get(
        f"{target_site}/api/reports/kpi?from={DAY}&to={DAY}&grain=total&by=queue"
        "&kpis=offered,service_level&sl_threshold=60&tz=Asia/Jerusalem"
    )
    ne_row = next(r for r in api.json() if r["queue"] == "NE")
    missed = ne_row["offered"] - round(ne_row["service_level"] * ne_row["offered"])
    page.locator(f"#period-by-queue tr[data-queue=NE] td:nth-child({SL_COLUMN}) a.drill").click()
    expect(page.locator("h1")).to_have_text("Calls")
    expect(page.locator("#calls-count")).to_have_text(f"{missed} calls")
    expect(page.locator("#calls-kpi-note")).to_contain_text("not answered within 60 s")
    expect(page.locator("#f-kpi")).to_have_value("sl_missed")
    assert page.locator("#calls-table tbody tr").count() == min(missed, 50)
    assert _width(page) <= 1280

    page.go_back()
    page.locator(f"#period-by-queue tr[data-queue=NE] td:nth-child({3 + PERIOD_KPIS.index('offered')}) a").click()
    expect(page.locator("#calls-count")).to_have_text(f"{ne_row['offered']} calls")

    page.goto(f"{target_site}/reports")
    expect(page.locator("canvas#volume-by-interval")).to_have_attribute("data-chart-ready", "true")
    expect(page.locator("#dashboard-by-queue tr[data-queue=NE] td[data-threshold]")).to_have_text("60 s")
    assert page.locator("#dashboard-by-queue td.judged-good, #dashboard-by-queue td.judged-bad").count() > 0
    expect(page.locator("#target-line-note")).to_contain_text("weighted by today's offered calls")
    assert _width(page) <= 1280

    page.goto(
        f"{target_site}/reports/builder?from=1999-01-04&to=1999-01-31&grain=week&dim=queue&kpi=offered"
        "&kpi=service_level"
    )
    expect(page.locator("#threshold-note")).to_contain_text("NE 60 s")
    assert page.locator("#report-rows td.judged-good, #report-rows td.judged-bad").count() > 0
    assert _width(page) <= 1280
    assert page.foreign_requests == []  # type: ignore[attr-defined]
