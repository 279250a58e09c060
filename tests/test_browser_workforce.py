"""The workforce pages in headless Chromium: the calculator answers as you type; forecast and plan charts draw.

Each scenario runs its own Playwright in a worker thread: test_browser_web's session-wide Playwright may still
be running on the main thread, and the sync API refuses to start a second one there.
"""
# ruff: noqa: F811 - the site fixture comes from test_browser_web

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Request, Route, expect, sync_playwright

from test_browser_web import CHROMIUM, CHROMIUM_ARGS, _log_in, site  # noqa: F401 - fixture; skips without Chromium

pytestmark = pytest.mark.browser


def in_browser(site: str, scenario: Callable[[Page], None]) -> None:
    """Run ``scenario`` on a fresh page (English) whose requests to anywhere but the app are refused."""

    def run() -> None:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else None,
                                                  args=CHROMIUM_ARGS)
            try:
                page = chromium.new_context(locale="en-US").new_page()
                foreign: list[str] = []

                def only_local(route: Route, request: Request) -> None:
                    parsed = urlparse(request.url)
                    if parsed.scheme in {"http", "https"} and parsed.netloc != urlparse(site).netloc:
                        foreign.append(request.url)
                        route.abort()
                    else:
                        route.continue_()

                page.route("**/*", only_local)
                scenario(page)
                assert foreign == [], f"requests left the app: {foreign}"
            finally:
                chromium.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def test_calculator_answers_as_you_type(site: str) -> None:
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

    in_browser(site, scenario)


def test_plan_and_forecast_charts_draw(site: str) -> None:
    """A plan built from the form shows its chart and table; the forecast page draws its chart offline."""

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
        page.goto(f"{site}/workforce/forecast?queue=PS&from=1999-01-01&to=1999-01-31&horizon=7d")
        expect(page.locator("canvas#forecast-chart")).to_have_attribute("data-chart-ready", "true")
        expect(page.locator("#accuracy-table")).to_contain_text("seasonal_naive")

    in_browser(site, scenario)
