"""Outbound pages in headless Chromium: the campaign page with its abandon gauge, and a member's why-not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_harness import log_in, serve
from callops.config import Settings
from callops.dialer import Channel, ConsentRecord, Outcome
from callops.dialer.contact_list import read_contact_rows
from callops.records import Role
from callops.store import make_engine, upgrade
from callops.store.campaigns import AttemptIn, add_consents, add_contacts, add_dnc, create_campaign, record_attempts
from callops.store.users import add_user
from callops.web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def outbound_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database with one campaign: 40 live answers of which 2 abandoned (5 % against a 3 % cap)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('outbound') / 'out.db'}"
    engine = make_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        add_user(conn, "boss", password="boss-password-1", role=Role.MANAGER)
        camp = create_campaign(conn, name="spring", purpose="sales", mode="predictive",
                               caller_number="4008123123", now=now)
        listing = read_contact_rows(["member", "phone"],
                                    [[f"m{i:02d}", f"138001380{i:02d}"] for i in range(50)],
                                    mapping={"member": "member", "phone": "phone"}, file="list.csv")
        add_contacts(conn, camp, listing.contacts)
        start = now - dt.timedelta(days=2)
        attempts = [AttemptIn(f"m{i:02d}", f"+86138001380{i:02d}", Channel.CALL, start + dt.timedelta(minutes=i),
                              Outcome.SUCCESS if i % 4 == 0 else Outcome.REFUSED if i % 4 == 1 else Outcome.CALLBACK,
                              "A1" if i % 2 else "A2", 120.0, 15.0) for i in range(38)]
        attempts += [AttemptIn("m40", "+8613800138040", Channel.CALL, start + dt.timedelta(hours=1), Outcome.ABANDONED),
                     AttemptIn("m41", "+8613800138041", Channel.CALL, start + dt.timedelta(hours=1), Outcome.ABANDONED),
                     AttemptIn("m01", "+8613800138001", Channel.CALL, start + dt.timedelta(hours=2), Outcome.NO_ANSWER),
                     AttemptIn("m01", "+8613800138001", Channel.SMS, start + dt.timedelta(hours=3), Outcome.SUCCESS)]
        record_attempts(conn, camp, attempts)
        add_consents(conn, [ConsentRecord("m01", Channel.EMAIL, None, False, start, "hotline 12321")])
        add_dnc(conn, ["+8613800138002"], now=now, source="customer request")
    engine.dispose()
    with serve(create_app(Settings(database_url=url, secret_key="browser-test"))) as base:
        yield base


def test_campaign_gauge_and_member_why_not(page: Page, browser: Browser, outbound_site: str) -> None:
    """The campaign page shows progress and the gauge over the cap (5.00 % vs 3 %); member m01 (refused, then
    two more attempts) may not be called (refusal cap) nor e-mailed (consent withdrawn); m02 is on the DNC list;
    the member page speaks Chinese for a zh-CN browser."""
    log_in(page, outbound_site, "boss", "boss-password-1")
    page.goto(f"{outbound_site}/outbound")
    page.click("#campaigns a:text('spring')")
    expect(page.locator("#campaign-title")).to_have_text("spring")
    expect(page.locator("#progress-contacts")).to_have_text("50")
    expect(page.locator("#progress-tried")).to_have_text("40")
    gauge = page.locator("#abandon-gauge")
    assert float(gauge.get_attribute("data-rate") or "0") == pytest.approx(2 / 40)
    expect(page.locator("#gauge-text")).to_contain_text("5.00%")
    expect(page.locator("#gauge-text")).to_have_class("bad")
    expect(page.locator("#campaign-report tbody tr")).to_have_count(3)  # campaign + agents A1, A2
    page.goto(f"{outbound_site}/outbound/members/m01")
    expect(page.locator("#why-not tr[data-channel='call']")).to_have_attribute("data-rule", "refusal_cap")
    expect(page.locator("#why-not tr[data-channel='email']")).to_have_attribute("data-rule", "consent")
    expect(page.locator("#member-history tbody tr")).to_have_count(3)
    expect(page.locator("#member-consents")).to_contain_text("hotline 12321")
    page.goto(f"{outbound_site}/outbound/members/m02")
    expect(page.locator("#why-not tr[data-channel='call']")).to_have_attribute("data-rule", "dnc")

    context = browser.new_context(locale="zh-CN")
    zh = context.new_page()
    log_in(zh, outbound_site, "boss", "boss-password-1")
    zh.goto(f"{outbound_site}/outbound/members/m01")
    expect(zh.locator("#member-title")).to_have_text("会员 m01")
    expect(zh.locator("#why-not tr[data-channel='call']")).to_contain_text("拒绝后允许的次数已用完")
    context.close()
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
