"""The workforce pages in headless Chromium: the calculator answers as you type; forecast and plan charts draw."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in as _log_in

pytestmark = pytest.mark.browser


def test_calculator_answers_as_you_type(page: Page, site: str) -> None:
    """Typing 13 then 14 agents changes the service level shown (79.6 % -> 88.8 %); patience switches to Erlang A."""

    def scenario(page: Page) -> None:
        _log_in(page, site, "planner", "planner-demo-1")
        page.goto(f"{site}/workforce")
        expect(page.locator("#out-agents")).to_have_text("14")
        expect(page.locator("#out-scheduled")).to_have_text("20")
        page.fill("#calc-agents", "13")
        expect(page.locator("#whatif-sl")).to_have_text("79.6%")
        page.fill("#calc-agents", "14")
        expect(page.locator("#whatif-sl")).to_have_text("88.8%")
        page.fill("#calc-calls", "200")
        expect(page.locator("#out-agents")).to_have_text("24")
        page.fill("#calc-patience_s", "300")
        expect(page.locator("#out-model")).to_have_text("Erlang A")
        page.fill("#calc-aht_s", "0")
        expect(page.locator("#calc-error")).to_be_visible()

    scenario(page)
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]


def test_plan_and_forecast_charts_draw(page: Page, site: str) -> None:
    """A plan built from the form shows its chart and table; checked by simulation (5 replications) it draws the
    simulated service level per interval and counts the intervals below target; the forecast page draws its chart
    offline."""

    def scenario(page: Page) -> None:
        _log_in(page, site, "planner", "planner-demo-1")
        page.goto(f"{site}/workforce/plans")
        page.fill("#build-name", "browser-plan")
        page.fill("#build-queue", "PS")
        page.fill("#build-from", "1999-01-01")
        page.fill("#build-to", "1999-01-31")
        page.fill("#build-horizon", "7d")
        page.click("#build-submit")
        expect(page.locator("#plan-title")).to_contain_text("browser-plan")
        expect(page.locator("canvas#plan-chart")).to_have_attribute("data-chart-ready", "true")
        assert page.locator("#plan-table tbody tr").count() > 100
        page.fill("#sim-replications", "5")
        page.click("#sim-submit")
        expect(page.locator("canvas#sim-chart")).to_have_attribute("data-chart-ready", "true")
        expect(page.locator("canvas#plan-chart")).to_have_attribute("data-chart-ready", "true")
        counted = page.locator("#sim-short")
        short, with_calls = counted.get_attribute("data-short"), counted.get_attribute("data-with-calls")
        assert short is not None and with_calls is not None and 0 <= int(short) <= int(with_calls) > 100
        assert sorted(re.findall(r"\d+", counted.inner_text())) == sorted([short, with_calls])  # either language
        expect(page.locator("#sim-short-table tbody tr")).to_have_count(int(short))
        page.goto(f"{site}/workforce/forecast?queue=PS&from=1999-01-01&to=1999-01-31&horizon=7d")
        expect(page.locator("canvas#forecast-chart")).to_have_attribute("data-chart-ready", "true")
        expect(page.locator("#accuracy-table tr[data-model=seasonal_naive]")).to_have_count(1)  # the baseline row

    scenario(page)
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
