"""The roster walk in headless Chromium, in English and in Chinese: the planner builds a roster in the background
and publishes it (and the hand-made week), an agent asks to swap a shift, the colleague accepts, the lead
approves, and the adherence page renders with the day's percentages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_harness import log_in, serve
from callops.config import Settings
from callops.store import make_engine, upgrade
from callops.store.schema import agent_intervals
from callops.web import create_app
from roster_site import requirements_csv
from roster_web_site import MONDAY, NOW, at, seed
from web_sign_in import PASSWORD

pytestmark = pytest.mark.browser

TEXT = {
    "en": {"rosters": "Rosters", "published": "published", "asked": "waiting for the colleague",
           "accepted": "waiting for approval", "approved": "approved", "adherence": "Adherence"},
    "zh-CN": {"rosters": "排班表", "published": "发布", "asked": "等待同事确认", "accepted": "等待审批",
              "approved": "已批准", "adherence": "遵时率"},
}


@pytest.fixture(params=["en", "zh-CN"])
def roster_site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    locale = str(request.param)
    url = f"sqlite:///{tmp_path / 'rosters.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, publish=False, locale=locale)
    with engine.begin() as conn:  # A1 on the phones all Monday morning, at lunch at noon
        conn.execute(agent_intervals.insert(), [
            {"source": "test", "agent": "A1", "state": "ready", "start_at": at(0, 8), "end_at": at(0, 12)},
            {"source": "test", "agent": "A1", "state": "break", "start_at": at(0, 12), "end_at": at(0, 13)}])
    engine.dispose()
    requirements = tmp_path / "req.csv"
    requirements.write_text(requirements_csv(2, 1, first=MONDAY.replace(day=14)), encoding="utf-8")
    app = create_app(Settings(database_url=url, secret_key="browser-test", site_tz="Asia/Shanghai"),
                     clock=lambda: NOW)
    with serve(app) as base:
        yield base, locale, requirements


def _page(browser: Browser, site: str, locale: str, user: str) -> Page:
    context = browser.new_context(locale="zh-CN" if locale == "zh-CN" else "en-US")
    page = context.new_page()
    log_in(page, site, user, PASSWORD)
    return page


def test_build_publish_swap_accept_approve_and_adherence(browser: Browser,
                                                         roster_site: tuple[str, str, Path]) -> None:
    site, locale, requirements = roster_site
    text = TEXT[locale]
    planner = _page(browser, site, locale, "pat")
    planner.goto(f"{site}/rosters")
    expect(planner.locator("h1")).to_have_text(text["rosters"])
    planner.fill("#f-name", "next-week")
    planner.fill("#f-first_day", "2026-12-14")
    planner.fill("#f-last_day", "2026-12-15")
    planner.fill("#f-time_limit_s", "5")
    planner.select_option("#f-team", "t2")
    planner.set_input_files("#f-requirements_file", str(requirements))
    planner.click("#build-submit")
    expect(planner.locator("#job-status")).to_have_attribute("data-status", "done", timeout=120_000)
    planner.click("#job-roster")
    expect(planner.locator("#roster-title")).to_have_text("next-week v1")
    expect(planner.locator("#roster-gantt .gantt-row[data-agent=A4]")).to_have_count(1)
    expect(planner.locator("#coverage-chart rect[data-kind=scheduled]").first).to_be_attached()
    planner.click("#publish")
    expect(planner.locator("#publish-state")).to_contain_text(text["published"])
    planner.goto(f"{site}/rosters/saved/week50")
    expect(planner.locator("#coverage-chart rect[data-kind=gap]").first).to_be_attached()
    planner.click("#publish")
    expect(planner.locator("#publish-state")).to_contain_text(text["published"])

    amy = _page(browser, site, locale, "amy")
    amy.goto(f"{site}/rosters/me")
    amy.locator(f"tr[data-start='{at(0, 8).isoformat()}'] a.swap-link").click()
    amy.select_option("#f-other", f"A2|{at(0, 12).isoformat()}")
    amy.fill("#f-note", "appointment")
    amy.click("#swap-submit")
    expect(amy.locator("#asked")).to_be_visible()
    expect(amy.locator("#my-requests tr[data-status=asked]")).to_contain_text(text["asked"])

    ben = _page(browser, site, locale, "ben")
    ben.goto(f"{site}/rosters/me")
    ben.locator("#my-requests tr[data-status=asked] button.accept").click()
    expect(ben.locator("#my-requests tr[data-status=accepted]")).to_contain_text(text["accepted"])

    lead = _page(browser, site, locale, "lee")
    lead.goto(f"{site}/rosters/team")
    expect(lead.locator("#team-gantt .gantt-row[data-agent=A1]")).to_have_count(1)
    expect(lead.locator("#team-gantt .gantt-row[data-agent=A4]")).to_have_count(0)  # not the lead's team
    lead.locator("#pending button.approve").click()
    expect(lead.locator("#decided")).to_be_visible()
    expect(lead.locator("#recent tr[data-status=approved]")).to_contain_text(text["approved"])

    amy.goto(f"{site}/rosters/me")
    expect(amy.locator(f"tr[data-start='{at(0, 12).isoformat()}']")).to_have_count(1)  # A2's shift is A1's now

    lead.goto(f"{site}/rosters/adherence?day=2026-12-07&team=t1")
    expect(lead.locator("h1")).to_have_text(text["adherence"])
    expect(lead.locator("#adherence-table tr[data-agent=A1]")).to_have_count(1)
    expect(lead.locator("#adherence-table tr[data-agent=A4]")).to_have_count(0)
    expect(lead.locator("#adherence-strips g.adh-row[data-agent=A1] rect[data-kind=phones]").first).to_be_attached()
    expect(lead.locator("#adherence-total")).to_be_visible()
