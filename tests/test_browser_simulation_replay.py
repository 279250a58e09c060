"""The replay tab in headless Chromium: PS over 1999-01-03..14, Sunday to Thursday, against the API's numbers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in as _log_in

pytestmark = pytest.mark.browser


def test_replay_tab_draws_the_chart_and_the_errors(page: Page, site: str) -> None:
    """From the simulation page's Replay tab a planner replays PS on the bank's Sunday-to-Thursday days with two
    replications: the chart is drawn and the three mean absolute errors are those of the API for the same query."""

    def scenario(page: Page) -> None:
        _log_in(page, site, "planner", "planner-demo-1")
        page.click("nav.mainnav a[href='/simulation']")
        page.click("#tab-replay")
        expect(page.locator("#replay-form")).to_be_visible()
        page.select_option("#replay-queue", "PS")
        page.fill("#replay-from", "1999-01-03")
        page.fill("#replay-to", "1999-01-14")
        for day in (5, 6):
            page.uncheck(f"#replay-weekday-{day}")
        page.fill("#replay-replications", "2")
        page.fill("#replay-seed", "7")
        page.click("#replay-submit")
        expect(page.locator("canvas#replay-chart")).to_have_attribute("data-chart-ready", "true")
        expect(page.locator("#tab-replay")).to_have_attribute("aria-current", "page")
        expected = page.request.get(f"{site}/api/simulation/replay?queue=PS&from=1999-01-03&to=1999-01-14"
                                    "&weekdays=7,1,2,3,4&replications=2&seed=7").json()
        assert expected["days"] == 8 and expected["replications"] == 2
        for key, value in expected["mean_absolute_error"].items():
            figure = page.locator(f"#mae-{key}")
            expect(figure).to_be_visible()
            assert float(figure.get_attribute("data-value") or "nan") == value
            assert any(ch.isdigit() for ch in figure.inner_text())
        expect(page.locator("#replay-summary")).to_have_attribute("data-calls", str(expected["calls"]))
        expect(page.locator("#replay-table tbody tr")).to_have_count(len(expected["hours"]))
        assert page.is_checked("#replay-weekday-7") and not page.is_checked("#replay-weekday-5")

    scenario(page)
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
