"""The simulation page in headless Chromium: A against B from the form, a chart, a scenario file loaded in the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from browser_harness import log_in as _log_in

pytestmark = pytest.mark.browser

BANK = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "bank.yaml"
PERCENT = r"(-?\d+(?:\.\d+)?)%"
CELL = re.compile(rf"{PERCENT} \[{PERCENT}, {PERCENT}\]")


def estimate(cell: Locator) -> tuple[float, float, float]:
    """The mean and 95 % interval a metric cell shows, as percentages: ``91.8% [89.5%, 94.0%]``."""
    text = cell.inner_text()
    found = CELL.fullmatch(text.strip())
    assert found, f"not a mean with its interval: {text!r}"
    mean, low, high = (float(g) for g in found.groups())
    assert low <= mean <= high, text
    return mean, low, high


def test_more_agents_raise_the_service_level_and_a_file_loads(page: Page, site: str) -> None:
    """B with three more agents shows a higher service level and a drawn chart; bank.yaml loads into A and runs."""

    def scenario(page: Page) -> None:
        _log_in(page, site, "planner", "planner-demo-1")
        page.click("nav.mainnav a[href='/simulation']")
        expect(page.locator("#sim-a-file")).to_be_visible()  # shown by the page's script
        for side in ("a", "b"):
            page.fill(f"#sim-{side}-hours", "4")
        page.fill("#sim-a-agents", "13")
        page.fill("#sim-b-agents", "16")
        page.check("#sim-b-enabled")
        page.fill("#sim-replications", "3")
        page.click("#sim-submit")
        row = page.locator("#sim-row-service_level td")
        expect(row).to_have_count(2)
        sl_a, _, _ = estimate(row.nth(0))
        sl_b, _, _ = estimate(row.nth(1))
        assert sl_b > sl_a, (sl_a, sl_b)
        expect(page.locator("canvas#sim-chart")).to_have_attribute("data-chart-ready", "true")
        expect(page.locator("#sim-scenario-0 li[data-queue]")).to_have_count(1)
        offered = [float(page.locator(f"#sim-scenario-{i} .sim-offered").inner_text().replace(",", ""))
                   for i in (0, 1)]
        assert offered[0] == offered[1] > 0  # same seed, same arrivals: only the agents differ

        page.set_input_files("#sim-a-file", str(BANK))
        expect(page.locator("#sim-a-yaml")).to_have_attribute("data-state", "loaded")
        expect(page.locator("#sim-a-yaml")).to_have_value(BANK.read_text(encoding="utf-8"))
        page.uncheck("#sim-b-enabled")
        page.fill("#sim-replications", "2")
        page.click("#sim-submit")
        expect(page.locator("#sim-table thead th.num")).to_have_text(["bank"])
        for metric in ("service_level", "p_abandon", "p_wait", "occupancy"):
            estimate(page.locator(f"#sim-row-{metric} td").first)
        queues = page.locator("#sim-scenario-0 li[data-queue]")
        expect(queues).to_have_count(3)
        assert [queues.nth(i).get_attribute("data-queue") for i in range(3)] == ["cards", "loans", "general"]
        total = float(page.locator("#sim-scenario-0 .sim-offered").inner_text().replace(",", ""))
        assert total > 1000
        per_queue = page.locator("#sim-queue-table tbody tr")
        expect(per_queue).to_have_count(3)
        offered = [float(per_queue.nth(i).locator("td.num").first.inner_text().replace(",", "")) for i in range(3)]
        assert abs(sum(offered) - total) < 0.5, (offered, total)  # each call counts in the queue it arrived to
        for i in range(3):
            estimate(per_queue.nth(i).locator("td[data-metric='service_level']"))
        expect(page.locator("canvas#sim-chart")).to_have_attribute("data-chart-ready", "true")

    scenario(page)
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]


def test_agents_are_refused(page: Page, site: str) -> None:
    """An agent sees no Simulation entry in the menu and /simulation answers 403."""

    def scenario(page: Page) -> None:
        _log_in(page, site, "agent", "agent-demo-1")
        expect(page.locator("nav.mainnav a").first).to_be_visible()
        expect(page.locator("nav.mainnav a[href='/simulation']")).to_have_count(0)
        response = page.goto(f"{site}/simulation")
        assert response is not None and response.status == 403
        expect(page.locator("#sim-form")).to_have_count(0)

    scenario(page)
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
