"""In Chromium: pages fit a phone (390 px) and a desktop (1280 px), and a bad plan value answers on the form."""

from __future__ import annotations

from playwright.sync_api import FilePayload, Page, expect

from browser_harness import log_in as _log_in
from browser_harness import switch_language


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than its viewport (0 when it fits)."""
    width: int = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return width


def test_header_and_pages_fit_a_phone(page: Page, site: str) -> None:
    """At 390 px the header's navigation scrolls in its own row and no page is wider than the screen."""
    page.set_viewport_size({"width": 390, "height": 800})
    _log_in(page, site, "admin", "admin-demo-1")
    for path in ("/", "/calls", "/agents", "/workforce/plans", "/reports/daily?date=1999-01-05"):
        page.goto(f"{site}{path}")
        assert _overflow(page) <= 0, path
    nav = page.locator("nav.mainnav")
    assert nav.evaluate("n => n.scrollWidth > n.clientWidth")  # more entries than fit: they scroll
    box = nav.bounding_box()
    assert box is not None and box["x"] < 30 and box["x"] + box["width"] <= 390  # a row of its own, on screen


def test_daily_report_stays_inside_its_card_at_1280(page: Page, site: str) -> None:
    """The by-queue table of the daily report scrolls inside its panel; the page is no wider than the window."""
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, site, "manager", "manager-demo-1")
    page.goto(f"{site}/reports/daily?date=1999-01-05")
    assert _overflow(page) <= 0
    panel = page.locator("section.panel", has=page.locator("#period-by-queue"))
    box, table = panel.bounding_box(), page.locator("#period-by-queue").bounding_box()
    assert box is not None and table is not None
    assert table["x"] >= box["x"] and panel.evaluate("p => p.scrollWidth >= p.clientWidth")


def test_plan_form_keeps_what_was_typed(page: Page, site: str) -> None:
    """A service level of 80 builds; a shrinkage of 1 comes back beside its field with every value kept."""
    _log_in(page, site, "planner", "planner-demo-1")
    page.goto(f"{site}/workforce/plans")
    page.fill("#build-name", "browser-plan")
    page.fill("#build-from", "1999-01-01")
    page.fill("#build-to", "1999-01-31")
    page.fill("#build-horizon", "3d")
    page.fill("#build-sl", "80")
    page.fill("#build-shrinkage", "1")
    page.click("#build-submit")
    expect(page.locator("#err-shrinkage")).to_have_text("须小于 1")  # the demo planner reads Chinese
    expect(page.locator("#note-service_level")).to_have_text("已将 80 理解为 80%")
    expect(page.locator("#build-name")).to_have_value("browser-plan")
    page.fill("#build-shrinkage", "30%")
    page.click("#build-submit")
    expect(page).to_have_url(f"{site}/workforce/plans/browser-plan?version=1")


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def test_simulation_refuses_a_picture_and_keeps_results_across_languages(page: Page, site: str) -> None:
    """A PNG chosen as a scenario file is refused with a message, the YAML box stays empty; after a run, switching
    the language shows the same results in the other language instead of an empty form."""
    _log_in(page, site, "planner", "planner-demo-1")
    page.goto(f"{site}/simulation")
    picture: FilePayload = {"name": "chart.png", "mimeType": "image/png", "buffer": PNG}
    page.set_input_files("#sim-a-file", files=[picture])
    expect(page.locator("#sim-a-file-status")).to_contain_text("YAML")
    expect(page.locator("#sim-a-yaml")).to_have_value("")
    page.fill("#sim-a-hours", "2")
    page.fill("#sim-replications", "2")
    page.click("#sim-submit")
    expect(page.locator("#sim-results")).to_be_visible()
    first = page.locator("#sim-results td.num").first.text_content()
    switch_language(page, "en")
    expect(page.locator("#sim-results")).to_be_visible()
    assert page.locator("#sim-results td.num").first.text_content() == first
