"""The people dashboard and a record edit in headless Chromium, in English and Chinese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in, serve, switch_language
from callops.config import Settings
from callops.people import build_stints, read_history_csv
from callops.records import Role
from callops.store import make_engine, upgrade
from callops.store.directory import save_team
from callops.store.people import save_people
from callops.store.users import add_user
from callops.web import create_app
from people_site import HR

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def people_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('people') / 'people.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        add_user(conn, "manager", password="manager-demo-1", role=Role.MANAGER, locale="en")
        save_team(conn, "t1", lead="lead")
        save_team(conn, "t2")
        people = build_stints(read_history_csv(HR, file="hr.csv"), known_teams={"t1", "t2"}, file="hr.csv")
        save_people(conn, people, actor="test", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    engine.dispose()
    with serve(create_app(Settings(database_url=url, secret_key="browser-test"))) as base:
        yield base


def test_dashboard_draws_and_a_record_edit_is_audited(page: Page, people_site: str) -> None:
    log_in(page, people_site, "manager", "manager-demo-1")
    page.goto(f"{people_site}/people?from=2024-01-01&to=2024-03-31&grain=month")
    rows = page.locator("#attrition-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2).locator("td").nth(8)).to_have_text("50.0%")
    expect(page.locator("canvas#attrition-chart[data-chart-ready=true]")).to_have_count(1)
    expect(page.locator("canvas#survival-chart[data-chart-ready=true]")).to_have_count(1)
    expect(page.locator("#reasons-table")).to_contain_text("Transferred out")
    page.click("#people-table >> text=a1")
    expect(page.locator("h1")).to_have_text("Record of a1")
    page.locator("input[name=end_on]").first.fill("2024-07-01")
    page.locator("select[name=exit_reason]").first.select_option("study")
    page.click("#person-save")
    expect(page.locator("#person-summary")).to_contain_text("left on 2024-07-01 (Study)")
    expect(page.locator("#audit-table tbody tr")).to_have_count(2)
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
    page.goto(f"{people_site}/people?from=2024-01-01&to=2024-12-31&grain=quarter")
    switch_language(page, "zh-CN")
    expect(page.locator("h1")).to_have_text("人员")
    expect(page.locator("#reasons-table")).to_contain_text("学习深造")
    expect(page.locator("#attrition-table tbody tr")).to_have_count(4)


def test_nesting_form_keeps_input_on_error_and_lists_the_plan(page: Page, people_site: str) -> None:
    log_in(page, people_site, "manager", "manager-demo-1")
    page.goto(f"{people_site}/people/nesting")
    expect(page.locator("h1")).to_have_text("Nesting and buddies")
    page.fill("#nest-person", "a1")
    page.fill("#nest-from", "2024-01-01")
    page.fill("#nest-to", "2024-01-29")
    page.fill("#nest-skills", "general=12")
    page.fill("#nest-buddy", "a3")
    page.fill("#nest-note", "first month")
    page.click("#nest-save")
    expect(page.locator("#err-skills")).to_contain_text("outside 1-10")
    expect(page.locator("#nest-note")).to_have_value("first month")
    expect(page.locator("#nest-person")).to_have_value("a1")
    page.fill("#nest-skills", "general=1, billing=2")
    page.click("#nest-save")
    expect(page.locator("#nesting-saved")).to_contain_text("a1")
    row = page.locator("#nesting-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("billing=2, general=1")
    expect(row.first).to_contain_text("a3")
    switch_language(page, "zh-CN")
    expect(page.locator("h1")).to_have_text("新人带教（跟岗与师傅）")
    expect(page.locator("#nesting-table thead")).to_contain_text("师傅")
