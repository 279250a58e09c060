"""The contact-policy editor and the repurchase report in headless Chromium: a contradictory form is refused with
the error beside its field and the input kept (English and zh-CN), a good one saves a version that the member
page's why-not follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_harness import log_in, serve
from callops.config import Settings
from callops.dialer import Channel, Outcome
from callops.records import Role
from callops.store import make_engine, upgrade
from callops.store.campaigns import AttemptIn, create_campaign, record_attempts
from callops.store.users import add_user
from callops.web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def policy_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An English and a Chinese manager; one campaign; member m1 called twice in the last hours (allowed under
    the default 5 a day); a and b bought, a bought again."""
    url = f"sqlite:///{tmp_path_factory.mktemp('policy') / 'p.db'}"
    engine = make_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        add_user(conn, "boss", password="boss-password-1", role=Role.MANAGER, locale="en")
        add_user(conn, "lao", password="lao-password-1", role=Role.MANAGER, locale="zh-CN")
        camp = create_campaign(
            conn, name="spring", purpose="sales", mode="progressive", caller_number="4008123123", now=now
        )
        record_attempts(
            conn,
            camp,
            [
                AttemptIn("m1", "+8613800138001", Channel.CALL, now - dt.timedelta(hours=3), Outcome.NO_ANSWER),
                AttemptIn("m1", "+8613800138001", Channel.CALL, now - dt.timedelta(hours=2), Outcome.NO_ANSWER),
                AttemptIn("a", "+8613800138011", Channel.CALL, now - dt.timedelta(days=3), Outcome.SUCCESS),
                AttemptIn("a", "+8613800138011", Channel.CALL, now - dt.timedelta(days=1), Outcome.SUCCESS),
                AttemptIn("b", "+8613800138012", Channel.CALL, now - dt.timedelta(days=2), Outcome.SUCCESS),
            ],
        )
    engine.dispose()
    with serve(create_app(Settings(database_url=url, secret_key="browser-test"))) as base:
        yield base


def test_policy_editor_refuses_contradictions_and_saves(page: Page, browser: Browser, policy_site: str) -> None:
    log_in(page, policy_site, "boss", "boss-password-1")
    page.goto(f"{policy_site}/outbound")
    page.click("#policy-link")
    expect(page.locator("#policy-title")).to_have_text("Contact policy")
    expect(page.locator("#pol-cap_0_limit")).to_have_value("5")
    page.fill("#pol-window_start", "21:00")
    page.fill("#pol-window_end", "08:00")
    page.fill("#pol-note", "night shift")
    page.click("#policy-submit")
    expect(page.locator("#err-window_end")).to_contain_text("window would never open")
    expect(page.locator("#pol-window_start")).to_have_value("21:00")
    expect(page.locator("#pol-note")).to_have_value("night shift")
    expect(page.locator("#form-error")).to_be_visible()

    page.fill("#pol-window_start", "08:00")
    page.fill("#pol-window_end", "21:00")
    page.select_option("#pol-cap_2_channel", "call")
    page.fill("#pol-cap_2_limit", "9")
    page.fill("#pol-cap_2_window", "1h")
    page.click("#policy-submit")
    expect(page.locator("#err-cap_2_limit")).to_contain_text("contradicts")
    expect(page.locator("#pol-cap_2_window")).to_have_value("1h")

    page.select_option("#pol-cap_2_channel", "")
    page.fill("#pol-cap_2_limit", "")
    page.fill("#pol-cap_2_window", "")
    page.fill("#pol-cap_0_limit", "2")
    page.fill("#pol-cap_1_limit", "2")
    page.click("#policy-submit")
    expect(page.locator("#policy-saved")).to_be_visible()
    expect(page.locator("#policy-versions tbody tr")).to_have_count(1)
    expect(page.locator("#policy-rules li[data-rule='calls_per_24h']")).to_contain_text("at most 2")
    page.goto(f"{policy_site}/outbound/members/m1")
    expect(page.locator("#why-not tr[data-channel='call']")).to_have_attribute("data-rule", "calls_per_24h")

    page.goto(f"{policy_site}/outbound/repurchase")
    expect(page.locator("#repurchase-total")).to_have_attribute("data-ratio", "0.5")

    context = browser.new_context(locale="zh-CN")
    zh = context.new_page()
    log_in(zh, policy_site, "lao", "lao-password-1")
    zh.goto(f"{policy_site}/outbound/policy")
    expect(zh.locator("#policy-title")).to_have_text("联系策略")
    zh.fill("#pol-refusal_cap", "-1")
    zh.click("#policy-submit")
    expect(zh.locator("#err-refusal_cap")).to_have_text("必须是不小于 0 的整数")
    expect(zh.locator("#pol-refusal_cap")).to_have_value("-1")
    zh.goto(f"{policy_site}/outbound/repurchase")
    expect(zh.locator("#repurchase-title")).to_have_text("复购比")
    context.close()
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
