"""The service desk in headless Chromium: from the live agent page to the contact form, a refused phone number
shown again at its field, a complaint saved as a ticket, moved to resolved, and its history and customer
timeline; nothing leaves the site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in, serve
from callops.config import Settings
from callops.live import LiveEvent, LiveEventKind
from callops.records import Role
from callops.store import make_engine, upgrade
from callops.store.live_events import append_events
from callops.store.schema import agents, teams
from callops.store.users import add_user
from callops.web import create_app

pytestmark = pytest.mark.browser
PASSWORD = "agent-password-1"


@pytest.fixture(scope="module")
def desk_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'desk.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(teams.insert().values(name="T1", lead="lead"))
        conn.execute(agents.insert().values(agent_id="A1", name="Amy", team="T1", active=True))
        add_user(conn, "amy", password=PASSWORD, role=Role.AGENT, agent_id="A1", locale="en")
        add_user(conn, "root", password=PASSWORD, role=Role.ADMIN, locale="zh-CN")
        add_user(conn, "qa", password=PASSWORD, role=Role.QA, locale="zh-CN")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def desk_site(desk_db: str) -> Iterator[str]:
    with serve(create_app(Settings(database_url=desk_db, secret_key="browser-test"))) as base:
        yield base


def test_agent_records_a_complaint_and_resolves_it(page: Page, desk_site: str) -> None:
    """The agent opens the form from the live page, gets the phone refused with the notes kept, saves the
    complaint as a ticket, resolves it, and sees the history and the customer's timeline."""
    log_in(page, desk_site, "amy", PASSWORD)
    page.goto(f"{desk_site}/live/agent")
    page.click("#live-record-contact")
    expect(page).to_have_url(f"{desk_site}/desk/contact")
    page.fill("#phone", "12345")
    page.select_option("#category", "complaint")
    page.fill("#notes", "bill charged twice")
    page.check("#outcome-open")
    page.click("#save-contact")
    expect(page.locator("#err-phone")).to_be_visible()
    expect(page.locator("#notes")).to_have_value("bill charged twice")
    page.fill("#phone", "138 0013 8000")
    page.click("#save-contact")
    expect(page.locator("#ticket-state")).to_have_text("Assigned")
    page.select_option("#to-state", "in_progress")
    page.click("#save-change")
    page.select_option("#to-state", "resolved")
    page.fill("#note", "refund issued")
    page.click("#save-change")
    expect(page.locator("#ticket-state")).to_have_text("Resolved")
    expect(page.locator("#history tbody tr")).to_have_count(4)  # opened, 2 moves, note
    expect(page.locator("#history")).to_contain_text("refund issued")
    page.click("#customer-link")
    expect(page.locator("#timeline .kind-ticket")).to_have_count(1)
    expect(page.locator("#timeline .kind-callback")).to_have_count(1)  # the satisfaction follow-up
    page.goto(f"{desk_site}/desk?category=complaint")
    expect(page.locator("#tickets tbody tr")).to_have_count(1)
    assert page.foreign_requests == []  # type: ignore[attr-defined]  # set by the page fixture


def test_admin_grows_the_tree_qa_writes_a_script_the_agent_finds_it_in_chinese(page: Page, desk_site: str) -> None:
    """The admin and QA in Chinese: the admin adds a second-level complaint category (a bad key first, refused
    beside its field with the labels kept); QA adds a script under it; the agent picks the category on the
    contact form and finds the script with its length and reading time at 180-250 characters a minute."""
    log_in(page, desk_site, "root", PASSWORD)
    page.goto(f"{desk_site}/desk/categories")
    expect(page.locator("h1")).to_have_text("分类树")
    page.fill("#new-key", "账单")
    page.select_option("#new-parent", "complaint")
    page.fill("#new-label-en", "Billing dispute")
    page.fill("#new-label-zh", "账单争议")
    page.click("#add-category-submit")
    expect(page.locator("#err-key")).to_be_visible()
    expect(page.locator("#new-label-zh")).to_have_value("账单争议")
    page.fill("#new-key", "billing_dispute")
    page.click("#add-category-submit")
    expect(page.locator("#cat-billing_dispute")).to_contain_text("投诉")
    page.context.clear_cookies()
    log_in(page, desk_site, "qa", PASSWORD)
    page.goto(f"{desk_site}/desk/scripts")
    page.select_option("#new-category", "billing_dispute")
    page.fill("#new-title", "账单争议安抚")
    page.fill("#new-body", "您好，非常抱歉给您带来不便。我已记录您的账单问题，会在两小时内回电。")
    page.click("#add-script-submit")
    expect(page.locator("article.script")).to_have_count(1)
    page.context.clear_cookies()
    log_in(page, desk_site, "amy", PASSWORD)
    page.goto(f"{desk_site}/desk/contact")
    page.select_option("#category", "billing_dispute")
    page.fill("#script-q", "账单")
    page.click("#script-search-submit")
    found = page.locator("#scripts-panel article.script")
    expect(found).to_have_count(1)
    expect(found.locator(".reading")).to_contain_text("30 characters")
    expect(found.locator(".reading")).to_contain_text("180–250")
    assert page.foreign_requests == []  # type: ignore[attr-defined]  # set by the page fixture


def test_the_caller_card_arrives_while_the_form_is_open(page: Page, desk_site: str, desk_db: str) -> None:
    """The contact form is open with no call; a call from a known number rings at the agent: its card appears
    without a reload (masked number, the customer), and the form and the survey now name that call."""
    log_in(page, desk_site, "amy", PASSWORD)
    page.goto(f"{desk_site}/desk/contact?phone=13900139000")
    expect(page.locator("#caller-card")).to_have_count(0)
    page.wait_for_timeout(500)  # the stream is open
    now = dt.datetime.now(dt.UTC)
    engine = make_engine(desk_db)
    with engine.begin() as conn:
        append_events(conn, [LiveEvent(LiveEventKind.CALL_OFFERED, now, "pbx", call_id="push-1", queue="Q",
                                       caller="13900139000"),
                             LiveEvent(LiveEventKind.CALL_RINGING, now, "pbx", call_id="push-1", queue="Q",
                                       agent="A1")], now=now)
    engine.dispose()
    expect(page.locator("#caller-card")).to_be_visible(timeout=5000)
    expect(page.locator("#caller-number")).to_have_text("+86*******9000")
    expect(page.locator("input[name=live_call]")).to_have_value("push-1")
    expect(page.locator("#csat-call")).to_have_value("push-1")
    assert page.foreign_requests == []  # type: ignore[attr-defined]  # set by the page fixture
