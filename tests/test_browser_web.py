"""The served web app in headless Chromium: log in, see the chart, filter calls, switch language, offline."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import uvicorn

from callops.config import Settings
from callops.demo import load_demo
from callops.store import make_engine, upgrade
from callops.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
    pytest.skip("Debian's chromium is not installed (./scripts/test installs it)", allow_module_level=True)

from playwright.sync_api import Browser, Page, Request, Route, expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free port, in a thread, over a SQLite database holding the demo month (loaded once)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_demo(engine)
    engine.dispose()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(database_url=url, secret_key="browser-test")),
                                           host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                              else shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    """A fresh browser context whose requests to anywhere but the app are blocked and recorded."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    foreign: list[str] = []
    page.foreign_requests = foreign  # type: ignore[attr-defined]  # read by the tests below
    app_host = urlparse(site).netloc

    def only_local(route: Route, request: Request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in {"http", "https"} and parsed.netloc != app_host:
            foreign.append(request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_local)
    yield page
    context.close()


def _log_in(page: Page, site: str, username: str, password: str) -> None:
    page.goto(f"{site}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")


def test_log_in_filter_calls_and_switch_language(page: Page, site: str) -> None:
    """A manager logs in (page in Chinese), filters abandoned calls of one day, and switches to English."""
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/login?next=%2F")
    expect(page.locator("h1")).to_have_text("登录")
    _log_in(page, site, "manager", "manager-demo-1")
    expect(page).to_have_url(f"{site}/")
    expect(page.locator("canvas#calls-per-day")).to_have_attribute("data-chart-ready", "true")

    page.click("nav.mainnav >> text=通话")
    expect(page.locator("h1")).to_have_text("通话")
    page.fill("#f-from", "1999-01-10")
    page.fill("#f-to", "1999-01-10")
    page.select_option("#f-outcome", "abandoned")
    page.click("#apply-filters")
    expect(page).to_have_url(f"{site}/calls?from=1999-01-10&to=1999-01-10&queue=&agent=&outcome=abandoned&call_type=")
    badges = page.locator("#calls-table tbody .badge")
    assert badges.count() > 0
    assert set(badges.all_inner_texts()) == {"放弃"}
    first_started = page.locator("#calls-table tbody tr td").first.inner_text()
    assert first_started.startswith("1999-01-10 ")

    page.click("#lang-en")
    expect(page.locator("h1")).to_have_text("Calls")
    assert set(page.locator("#calls-table tbody .badge").all_inner_texts()) == {"Abandoned"}
    expect(page.locator("#f-outcome")).to_have_value("abandoned")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.locator("h1")).to_have_text("Calls")

    page.locator("#calls-table tbody a").first.click()
    expect(page.locator("#caller-number")).to_be_visible()
    page.click("#logout")
    expect(page).to_have_url(f"{site}/login")
    assert page.foreign_requests == []  # type: ignore[attr-defined]


def test_agent_sees_own_calls_with_masked_numbers(page: Page, site: str) -> None:
    """The demo agent sees 'My calls', only their agent id, caller numbers masked, and no Agents link."""
    _log_in(page, site, "agent", "agent-demo-1")
    page.goto(f"{site}/calls")
    expect(page.locator("h1")).to_have_text("我的通话")
    agents = set(page.locator("#calls-table tbody tr td:nth-child(6)").all_inner_texts())
    assert agents == {"MICHAL"}
    numbers = [n for n in page.locator("#calls-table tbody td.mono").all_inner_texts() if n != "–"]
    assert numbers and all("*" in n for n in numbers)
    assert page.locator("nav.mainnav a[href='/agents']").count() == 0


def test_api_docs_render_offline(page: Page, site: str) -> None:
    """/docs draws the OpenAPI reference with the bundled Swagger UI and fetches nothing from elsewhere."""
    page.goto(f"{site}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("callops")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.foreign_requests == []  # type: ignore[attr-defined]
