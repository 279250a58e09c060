"""The live wallboard in Chromium: it connects over SSE and shows an agent's state change within moments."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from browser_harness import log_in


def test_wallboard_sees_an_agent_press_a_button(page: Page, browser: Browser, site: str) -> None:
    """The lead watches /live; the agent presses Ready, then the lead sets the agent away: both arrive live."""
    log_in(page, site, "lead", "lead-demo-1")
    page.goto(f"{site}/live")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=10_000)
    agent_context = browser.new_context(locale="en-US")
    agent = agent_context.new_page()
    try:
        log_in(agent, site, "agent", "agent-demo-1")
        agent.goto(f"{site}/live/agent")
        agent.click("#press-ready")
        expect(agent.locator("#live-my-state-value")).to_have_class(re.compile("state-ready"))
    finally:
        agent_context.close()
    row = page.locator('#live-agents tr[data-agent="MICHAL"]')
    expect(row.locator(".state")).to_have_class(re.compile("state-ready"), timeout=10_000)
    page.fill("#live-set-agent", "MICHAL")
    page.select_option("#live-set-state", "away")
    page.fill("#live-set-reason", "Coaching")
    page.click("#live-set-form button[type=submit]")
    expect(page.locator("#live-set-result")).to_have_text(re.compile("^(Saved|已保存)$"))
    expect(row.locator(".state")).to_have_class(re.compile("state-away"), timeout=10_000)
    expect(row).to_contain_text("Coaching")
    assert page.foreign_requests == []  # type: ignore[attr-defined]
