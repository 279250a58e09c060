"""The served web app in headless Chromium: log in, see the chart, filter calls, switch language, offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in as _log_in
from browser_harness import switch_language

pytestmark = pytest.mark.browser


def test_log_in_filter_calls_and_switch_language(page: Page, site: str) -> None:
    """A manager logs in (page in Chinese), filters abandoned calls of one day, and switches to English."""
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/login?next=%2F")
    expect(page.locator("h1")).to_have_text("登录")
    _log_in(page, site, "manager", "manager-demo-1")
    expect(page).to_have_url(f"{site}/")
    expect(page.locator("canvas#calls-per-day")).to_have_attribute("data-chart-ready", "true")

    page.click("nav.mainnav >> text=通话")
    expect(page.locator("h1")).to_have_text("通话")
    page.fill("#f-from", "1999-01-10")
    page.fill("#f-to", "1999-01-10")
    page.select_option("#f-outcome", "abandoned")
    page.click("#apply-filters")
    expect(page).to_have_url(f"{site}/calls?from=1999-01-10&to=1999-01-10&queue=&agent=&outcome=abandoned&call_type=&kpi=&sl_threshold=")
    badges = page.locator("#calls-table tbody .badge")
    assert badges.count() > 0
    assert set(badges.all_inner_texts()) == {"放弃"}
    first_started = page.locator("#calls-table tbody tr td").first.inner_text()
    assert first_started.startswith("1999-01-10 ")

    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Calls")
    assert set(page.locator("#calls-table tbody .badge").all_inner_texts()) == {"Abandoned"}
    expect(page.locator("#f-outcome")).to_have_value("abandoned")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.locator("h1")).to_have_text("Calls")

    page.locator("#calls-table tbody a").first.click()
    expect(page.locator("#caller-number")).to_be_visible()
    page.click("#logout")
    expect(page).to_have_url(f"{site}/login")
    assert page.foreign_requests == []  # type: ignore[attr-defined]


def test_agent_sees_own_calls_with_masked_numbers(page: Page, site: str) -> None:
    """The demo agent sees 'My calls', only their agent id, caller numbers masked, and no Agents link."""
    _log_in(page, site, "agent", "agent-demo-1")
    page.goto(f"{site}/calls")
    expect(page.locator("h1")).to_have_text("我的通话")
    agents = set(page.locator("#calls-table tbody tr td:nth-child(6)").all_inner_texts())
    assert agents == {"MICHAL"}
    numbers = [n for n in page.locator("#calls-table tbody td.mono").all_inner_texts() if n != "–"]
    assert numbers and all("*" in n for n in numbers)
    assert page.locator("nav.mainnav a[href='/agents']").count() == 0


def test_api_docs_render_offline(page: Page, site: str) -> None:
    """/docs draws the OpenAPI reference with the bundled Swagger UI and fetches nothing from elsewhere."""
    page.goto(f"{site}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("callops")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.foreign_requests == []  # type: ignore[attr-defined]
