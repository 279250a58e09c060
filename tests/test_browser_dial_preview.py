"""The preview dialer in Chromium: a ready agent's page shows the card the dialer offers, Call now dials it, and a
skip without a reason is refused beside the field (in Chinese for a zh-CN agent); a card accepted while the PBX
cannot be reached comes back saying why."""

from __future__ import annotations

import datetime as dt
import re
import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from browser_harness import log_in, serve
from callops.config import Settings
from callops.dialer import china_default
from callops.dialer.contact_list import ContactRow
from callops.feeds.switch_ami import AmiSwitch
from callops.feeds.switch_sim import SimulatedSwitch
from callops.records import Role
from callops.services.campaign_dial import DialRun, DialSettings
from callops.services.dial_preview import run_preview
from callops.services.switch_runner import SwitchRunner
from callops.store import make_engine, upgrade
from callops.store.campaigns import add_contacts, create_campaign
from callops.store.schema import dial_previews, users
from callops.web import create_app
from switch_servers import AMI_SECRET, QUEUED, AmiActionServer, in_thread
from web_sign_in import PASSWORD, password_hash

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")).astimezone(dt.UTC)


@pytest.fixture
def dial_site(tmp_path: Path) -> Iterator[tuple[str, sa.Engine]]:
    url = f"sqlite:///{tmp_path / 'dial.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": Role.AGENT.value,
                                       "agent_id": agent, "locale": locale, "tz": "Asia/Shanghai", "active": True}
                                      for name, agent, locale in (("amy", "7001", "en"), ("li", "7002", "zh-CN"))])
        camp = create_campaign(conn, name="spring", purpose="sales", mode="preview", caller_number="4008123123",
                               script="Spring offer: two for one.", now=AT)
        add_contacts(conn, camp, [ContactRow(f"m{i}", f"+86138001{i:05d}", "Asia/Shanghai", "", "")
                                  for i in (1, 2)])
    with serve(create_app(Settings(database_url=url, secret_key="browser-test"))) as base:
        yield base, engine
    engine.dispose()


@contextmanager
def _preview_run(browser: Browser, engine: sa.Engine,
                 runner: SwitchRunner) -> Iterator[tuple[Page, Page, threading.Thread, list[DialRun]]]:
    """Amy's (en) and Li's (zh-CN) pages and a preview run for their agents 7001 and 7002, to be started; on the way
    out the run is stopped (its result in the list), the runner and the browsers closed."""
    stop = threading.Event()
    out: list[DialRun] = []
    settings = DialSettings(campaign="spring", agents=["7001", "7002"], policy=china_default(), poll_s=0.05)
    worker = threading.Thread(target=lambda: out.append(run_preview(engine, runner, settings, clock=lambda: AT,
                                                                    stop=stop.is_set, until_idle=False)))
    contexts = [browser.new_context(locale="en-US"), browser.new_context(locale="zh-CN")]
    try:
        yield contexts[0].new_page(), contexts[1].new_page(), worker, out
    finally:
        stop.set()
        if worker.is_alive():
            worker.join(30)
        runner.close()
        for context in contexts:
            context.close()


def test_the_agent_accepts_the_card_the_dialer_offers(browser: Browser, dial_site: tuple[str, sa.Engine]) -> None:
    """Amy presses Ready; the dialer's card appears on her page by itself; Call now dials that contact. Li (zh-CN)
    gets the other contact and is told, in Chinese, to give a reason for a skip."""
    site, engine = dial_site
    runner = SwitchRunner(SimulatedSwitch(answer_rate=1.0, busy_rate=0.0, speed=50))
    with _preview_run(browser, engine, runner) as (amy, li, worker, out):
        log_in(amy, site, "amy", PASSWORD)
        amy.goto(f"{site}/live/agent")
        amy.click("#press-ready")
        expect(amy.locator("#preview-waiting")).to_be_visible()
        worker.start()
        expect(amy.locator("#preview-card")).to_be_visible(timeout=15_000)  # the page refreshed itself
        expect(amy.locator("#preview-card")).to_contain_text("Spring offer: two for one.")
        offered = amy.locator("#preview-member").inner_text()
        amy.click("#preview-accept")
        expect(amy.locator("#preview-card")).to_have_count(0)
        log_in(li, site, "li", PASSWORD)
        li.goto(f"{site}/live/agent")
        li.click("#press-ready")
        expect(li.locator("#preview-card")).to_be_visible(timeout=15_000)
        li.click("#preview-skip")
        expect(li.locator("#err-skip_reason")).to_have_text("请说明跳过这位联系人的原因")
        expect(li.locator("#preview-accept")).to_have_text("立即拨打")
        li.select_option("#preview-skip-reason", "data_problem")
        li.click("#preview-skip")
        expect(li.locator("#preview-card")).to_have_count(0)
    (run,) = out
    assert run.dials == 1 and run.outcomes == {"connected": 1, "skipped": 1}
    assert [r["member"] for r in run.log if r["outcome"] == "connected"] == [offered.split(" ")[0]]
    with engine.connect() as conn:
        rows = {(r.agent, r.decision, r.reason) for r in conn.execute(sa.select(dial_previews))}
    assert rows == {("7001", "accepted", None), ("7002", "skipped", "data_problem")}
    assert re.fullmatch(r"m[12]", offered.split(" ")[0])


def test_a_card_accepted_while_the_pbx_is_down_comes_back_saying_why(browser: Browser,
                                                                      dial_site: tuple[str, sa.Engine]) -> None:
    """Nothing listens where the PBX should be: Amy (en) and Li (zh-CN) each press Call now, and the same contact
    comes back on a new card with a notice that the call did not go through, in each one's language; a first card
    has none."""
    site, engine = dial_site
    with in_thread(AmiActionServer(lambda _action: [QUEUED])) as port:
        pass  # the port is free again: the PBX is down
    runner = SwitchRunner(AmiSwitch("127.0.0.1", port, username="callops", secret=AMI_SECRET, answer_timeout_s=2,
                                    backoff_min_s=0.01, backoff_max_s=0.05))
    with _preview_run(browser, engine, runner) as (amy, li, worker, out):
        for page, name in ((amy, "amy"), (li, "li")):
            log_in(page, site, name, PASSWORD)
            page.goto(f"{site}/live/agent")
            page.click("#press-ready")
        worker.start()
        for page, notice in ((amy, "The call did not go through: the phone system could not be reached. Try again."),
                             (li, "呼叫未接通：无法连接电话系统，请重试。")):
            expect(page.locator("#preview-card")).to_be_visible(timeout=15_000)
            expect(page.locator("#preview-notice")).to_have_count(0)
            member = page.locator("#preview-member").inner_text()
            page.click("#preview-accept")
            expect(page.locator("#preview-notice")).to_have_text(notice, timeout=15_000)  # the page refreshed
            expect(page.locator("#preview-member")).to_have_text(member)
            expect(page.locator("#preview-accept")).to_be_visible()
    (run,) = out
    assert run.dials == 0 and run.outcomes == {"unavailable": 2}
