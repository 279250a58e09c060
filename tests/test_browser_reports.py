"""The report builder in headless Chromium at 1280 px, in Chinese and English: KPIs picked by name, a chart,
a totals row, pages of 100 rows, no horizontal overflow, a row's calls one click away, and saving the report."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in as _log_in
from browser_harness import switch_language

pytestmark = pytest.mark.browser


def _page_width(page: Page) -> int:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert isinstance(width, int)
    return width


def test_builder_reads_like_a_report_in_both_languages(page: Page, site: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, site, "manager", "manager-demo-1")
    page.goto(f"{site}/reports/builder")
    picker = page.locator("#kpi-picker")
    expect(picker).to_contain_text("服务水平")
    expect(picker).to_contain_text("平均应答速度")
    assert "service_level" not in picker.inner_text()  # names, not codes
    page.fill("input[name=from]", "1999-01-01")
    page.fill("input[name=to]", "1999-01-31")
    page.select_option("select[name=grain]", "week")
    page.check("#dim-picker input[value=queue]")
    page.click("#builder-form button[type=submit]")
    expect(page.locator("canvas#report-chart")).to_have_attribute("data-chart-ready", "true")
    expect(page.locator("#report-totals")).to_contain_text("合计")
    expect(page.locator("#report-rows thead")).to_contain_text("服务水平")
    assert _page_width(page) <= 1280  # week x queue scrolls inside its card, not the page
    assert page.locator("#report-rows td.judged-good, #report-rows td.judged-bad").count() > 0

    switch_language(page, "en")
    expect(page.locator("#report-rows thead")).to_contain_text("Service level")
    expect(page.locator("#report-totals")).to_contain_text("Totals")
    expect(page.locator("#target-note")).to_contain_text("80 %")
    assert _page_width(page) <= 1280

    page.goto(f"{site}/reports/builder?from=1999-01-01&to=1999-01-31&grain=15min&dim=agent&kpi=offered"
              "&kpi=service_level")
    assert page.locator("#report-rows tbody tr").count() == 100
    expect(page.locator("#report-pager")).to_contain_text("Page 1 of")
    assert _page_width(page) <= 1280
    page.click("#report-pager a[rel=next]")
    expect(page.locator("#report-pager")).to_contain_text("Page 2 of")

    page.locator("#report-rows a.drill").first.click()
    expect(page.locator("h1")).to_have_text("Calls")
    assert page.locator("#calls-table tbody tr").count() > 0

    page.goto(f"{site}/reports/builder?from=1999-01-04&to=1999-01-10&grain=day&dim=queue&kpi=offered")
    page.click("#save-report")
    page.fill("input[name=name]", "Week 1 by queue")
    page.click("#save-submit")
    expect(page.locator("#saved-reports")).to_contain_text("Week 1 by queue")

    page.goto(f"{site}/reports/agents?from=1999-01-01&to=1999-01-31")  # agents side by side, sorted by a click
    header = page.locator("#scorecard-table th.sortable", has_text="Answered")
    header.click()
    header.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    column = page.locator("#scorecard-table thead th").all_inner_texts().index("Answered")
    values = [float(v) for v in page.locator(f"#scorecard-table tbody tr > :nth-child({column + 1})")
              .evaluate_all("cells => cells.map(c => c.dataset.value)") if v]
    assert len(values) > 5 and values == sorted(values, reverse=True)
    assert _page_width(page) <= 1280
    assert page.foreign_requests == []  # type: ignore[attr-defined]
