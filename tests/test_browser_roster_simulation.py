"""The roster simulation check in headless Chromium, in English and in Chinese (issue 11): from the roster page
the planner opens the check, picks a staffing plan as the skill, runs it and reads the per-skill table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from browser_harness import log_in, serve
from callops.config import Settings
from callops.scheduling.staffing_plan import PlanInterval, StaffingPlan, StaffingTargets
from callops.store import make_engine, upgrade
from callops.store.plans import save_plan
from callops.web import create_app
from roster_web_site import MONDAY, NOW, TZ, seed
from web_sign_in import PASSWORD

pytestmark = pytest.mark.browser

TEXT = {"en": ("Check by simulation", "Service level per skill"), "zh-CN": ("仿真检验", "各技能服务水平")}


@pytest.fixture(params=["en", "zh-CN"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    locale = str(request.param)
    url = f"sqlite:///{tmp_path / 'rosters.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, locale=locale)
    calls = [
        PlanInterval(
            dt.datetime.combine(MONDAY, dt.time(8), TZ) + dt.timedelta(minutes=30 * i),
            20.0,
            180.0,
            3,
            3,
            0.8,
            10.0,
            0.0,
            0.6,
        )
        for i in range(16)
    ]
    with engine.begin() as conn:
        save_plan(conn, StaffingPlan("mon-calls", StaffingTargets(), tuple(calls), queue="sales"), now=NOW)
    engine.dispose()
    app = create_app(Settings(database_url=url, secret_key="browser-test", site_tz="Asia/Shanghai"), clock=lambda: NOW)
    with serve(app) as base:
        yield base, locale


def test_planner_checks_the_roster_by_simulation(browser: Browser, site: tuple[str, str]) -> None:
    """The roster page links to the check; choosing the plan and two replications shows the skill's service level
    and the count of interval-skills below the target, in the page's language."""
    base, locale = site
    link, heading = TEXT[locale]
    page = browser.new_context(locale="zh-CN" if locale == "zh-CN" else "en-US").new_page()
    log_in(page, base, "pat", PASSWORD)
    page.goto(f"{base}/rosters/saved/week50")
    expect(page.locator("#simulate-link")).to_have_text(link)
    page.click("#simulate-link")
    page.select_option("#f-plan", "mon-calls@1")
    page.fill("#f-replications", "2")
    page.click("#sim-run")
    expect(page.locator("h2", has_text=heading)).to_be_visible()
    expect(page.locator('#sim-skills tr[data-skill="sales"]')).to_have_count(1)
    expect(page.locator("#sim-short-count")).to_be_visible()


UPLOAD_ERROR = {"en": "Line 2, column offered: -5 must be 0 or more",
                "zh-CN": "第 2 行，offered 列：-5 必须大于或等于 0"}


def _upload(path: Path, first_offered: int) -> Path:
    rows = [f"{(dt.datetime.combine(MONDAY, dt.time(8)) + dt.timedelta(minutes=30 * i)).isoformat()},"
            f"{first_offered if i == 0 else 20},180,service" for i in range(16)]
    path.write_text("interval_start,offered,aht_s,skill\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_planner_uploads_a_workload_file(browser: Browser, site: tuple[str, str], tmp_path: Path) -> None:
    """A workload CSV chosen on the form is simulated (its skill in the table, the file named as the workload); a
    file with a negative count shows the line and column under the file field in the page's language."""
    base, locale = site
    page = browser.new_context(locale="zh-CN" if locale == "zh-CN" else "en-US").new_page()
    log_in(page, base, "pat", PASSWORD)
    page.goto(f"{base}/rosters/saved/week50/simulate")
    page.set_input_files("#f-workload", str(_upload(tmp_path / "bad.csv", -5)))
    page.fill("#f-replications", "2")
    page.click("#sim-run")
    expect(page.locator("#err-workload")).to_have_text(UPLOAD_ERROR[locale])
    expect(page.locator("#sim-skills")).to_have_count(0)
    page.set_input_files("#f-workload", str(_upload(tmp_path / "good.csv", 20)))
    page.fill("#f-replications", "2")
    page.click("#sim-run")
    expect(page.locator('#sim-skills tr[data-skill="service"]')).to_have_count(1)
    expect(page.locator("#sim-workload-used")).to_be_visible()
    expect(page.locator("#err-workload")).to_have_count(0)
