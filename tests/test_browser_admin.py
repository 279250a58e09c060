"""Administration in headless Chromium, in English and in zh-CN: an admin creates a user, a team, an agent with
skills, a site and a queue, edits the queue's service-level target and the site's zone, and sees each change on
the audit page; a bad value comes back beside its field with the input kept, in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in, switch_language

pytestmark = pytest.mark.browser


def _walk(page: Page, site: str, tag: str) -> None:
    """The admin changes, with names ending in ``tag`` (the demo site is shared by the browser tests)."""
    page.goto(f"{site}/admin/users")
    page.fill("#adm-username", f"user_{tag}")
    page.fill("#adm-display_name", f"User {tag}")
    page.select_option("#adm-role", "team_lead")
    page.fill("#adm-password", "browser-pass-1")
    page.click("#user-submit")
    expect(page.locator("#user-done")).to_be_visible()
    page.goto(f"{site}/admin/teams")
    page.fill("#adm-team", f"team-{tag}")
    page.select_option("#adm-lead", f"user_{tag}")
    page.click("#team-submit")
    expect(page.locator("#teams-table")).to_contain_text(f"team-{tag}")
    page.goto(f"{site}/admin/agents")
    page.fill("#adm-agent_id", f"AG-{tag}")
    page.fill("#adm-name", f"Agent {tag}")
    page.select_option("#adm-team", f"team-{tag}")
    page.fill("#adm-skills", "billing:11")  # a level beyond 10: refused beside the field, input kept
    page.click("#agent-submit")
    expect(page.locator("#err-skills")).to_be_visible()
    expect(page.locator("#adm-skills")).to_have_value("billing:11")
    expect(page.locator("#adm-agent_id")).to_have_value(f"AG-{tag}")
    page.fill("#adm-skills", "billing:5, sales:3")
    page.click("#agent-submit")
    expect(page.locator("#agents-table")).to_contain_text("billing:5, sales:3")
    page.goto(f"{site}/admin/sites")
    page.fill("#adm-name", f"site-{tag}")
    page.fill("#adm-tz", "Asia/Shanghai")
    page.click("#site-submit")
    expect(page.locator("#sites-table")).to_contain_text(f"site-{tag}")
    page.goto(f"{site}/admin/queues")
    page.fill("#adm-queue", f"q-{tag}")
    page.fill("#adm-sl_target_pct", "80%")
    page.select_option("#adm-site", f"site-{tag}")
    page.click("#queue-submit")
    page.goto(f"{site}/admin/queues?edit=q-{tag}")
    page.fill("#adm-sl_target_pct", "180")
    page.click("#queue-submit")
    expect(page.locator("#err-sl_target_pct")).to_be_visible()
    expect(page.locator("#adm-sl_target_pct")).to_have_value("180")
    page.fill("#adm-sl_target_pct", "85")
    page.click("#queue-submit")
    expect(page.locator("#queues-table")).to_contain_text("85")
    page.goto(f"{site}/admin/sites?edit=site-{tag}")
    page.fill("#adm-tz", "Asia/Urumqi")
    page.click("#site-submit")
    page.goto(f"{site}/admin/audit?actor=admin")
    table = page.locator("#audit-table")
    for text in (f"user_{tag}", f"team-{tag}", f"AG-{tag}", "80.0 → 85.0", "Asia/Shanghai → Asia/Urumqi"):
        expect(table).to_contain_text(text)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_walk_in_english_and_chinese(page: Page, site: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, site, "admin", "admin-demo-1")  # the demo admin reads zh-CN
    switch_language(page, "en")
    _walk(page, site, "en")
    expect(page.locator("h1")).to_have_text("Audit log")
    switch_language(page, "zh-CN")
    expect(page.locator("h1")).to_have_text("审计日志")
    _walk(page, site, "zh")
    expect(page.locator("#audit-table")).to_contain_text("班组")
    page.goto(f"{site}/admin/sites")
    page.fill("#adm-name", "site-zh")  # exists already: refused in Chinese beside the name
    page.fill("#adm-tz", "Asia/Shanghai")
    page.click("#site-submit")
    expect(page.locator("#err-name")).to_contain_text("已存在")
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
