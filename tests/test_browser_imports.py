"""The import page in headless Chromium: a real extract of the demo month uploaded through the page, recognised,
previewed, imported with the progress page, its summary read; the same file again finds only duplicates; a
file in GB18030 is refused in Chinese with the choices kept, then read with the encoding chosen."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_harness import log_in, serve
from callops.config import Settings
from callops.records import Role
from callops.store import make_engine, upgrade
from callops.store.users import add_user
from callops.web import create_app

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[1] / "src" / "callops" / "demo" / "calls_1999-01.txt.gz"
PASSWORD = "importer-pass-1"


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a migrated SQLite database with no calls and one manager (English) and one (Chinese)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('imports') / 'imports.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        add_user(conn, "mia", password=PASSWORD, role=Role.MANAGER, locale="en")
        add_user(conn, "wang", password=PASSWORD, role=Role.MANAGER, locale="zh-CN")
    engine.dispose()
    with serve(create_app(Settings(database_url=url, secret_key="browser-imports"))) as base:
        yield base


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The header and the first 500 rows of the demo month, gzipped as a PBX export would be."""
    with gzip.open(DEMO, "rt", encoding="utf-8") as source:
        lines = [next(source) for _ in range(501)]
    path = tmp_path_factory.mktemp("extract") / "calls_1999-01-first500.txt.gz"
    path.write_bytes(gzip.compress("".join(lines).encode()))
    return path


def test_upload_preview_import_and_summary(page: Page, empty_site: str, extract: Path) -> None:
    log_in(page, empty_site, "mia", PASSWORD)
    page.click("nav.mainnav a[href='/imports']")
    expect(page.locator("#imp-limit")).to_contain_text("at most 200 MiB")
    expect(page.locator("#imp-zone")).to_have_value("Asia/Shanghai")
    page.set_input_files("#imp-file", str(extract))
    page.fill("#imp-zone", "Asia/Jerusalem")
    page.click("#imp-preview")
    expect(page.locator("#imp-guess")).to_contain_text("Recognised as anonymous-bank")
    expect(page.locator("#imp-preview-calls tbody tr")).to_have_count(20)
    expect(page.locator("#imp-preview-calls")).to_contain_text("1999-01-01 00:00:31")
    expect(page.locator("#imp-zone")).to_have_value("Asia/Jerusalem")  # the choices stay on the form
    page.click("#imp-confirm-import")
    expect(page.locator("#imp-job")).to_have_attribute("data-status", "done", timeout=30_000)
    inserted = int(page.locator("#imp-inserted").inner_text().replace(",", ""))
    skipped = int(page.locator("#imp-skipped").inner_text().replace(",", ""))
    assert inserted > 400 and inserted + skipped == 500
    expect(page.locator("#imp-rejected")).to_have_text("0")
    page.click("#imp-back")
    expect(page.locator("#imp-jobs")).to_contain_text(extract.name)
    page.set_input_files("#imp-file", str(extract))
    page.fill("#imp-zone", "Asia/Jerusalem")
    page.click("#imp-import")
    expect(page.locator("#imp-job")).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.locator("#imp-inserted")).to_have_text("0")
    expect(page.locator("#imp-duplicates")).to_have_text(f"{inserted:,}")
    assert not page.foreign_requests  # type: ignore[attr-defined]  # set by the page fixture


def test_chinese_errors_keep_the_form_and_gb18030_reads(page: Page, empty_site: str, tmp_path: Path) -> None:
    row = ('"","13800138000","6001","from-trunk","张三 <13800138000>","SIP/trunk-00000001","SIP/6001-00000002",'
           '"Dial","SIP/6001","2024-03-01 09:00:00","2024-03-01 09:00:05","2024-03-01 09:01:05",65,60,'
           '"ANSWERED","DOCUMENTATION","1709254800.1",""\n')
    cdr = tmp_path / "Master.csv"
    cdr.write_bytes(row.encode("gb18030"))
    log_in(page, empty_site, "wang", PASSWORD)
    page.goto(f"{empty_site}/imports")
    page.set_input_files("#imp-file", str(cdr))
    page.select_option("#imp-format", "asterisk-cdr")
    page.click("#imp-preview")
    expect(page.locator("#err-encoding")).to_contain_text("不是 UTF-8 文本（第 1 行")
    expect(page.locator("#imp-format")).to_have_value("asterisk-cdr")
    expect(page.locator("#imp-kept")).to_contain_text("Master.csv")  # no need to choose the file again
    page.select_option("#imp-encoding", "gb18030")
    page.click("#imp-preview")
    expect(page.locator("#imp-preview-calls")).to_contain_text("1709254800.1")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] if page.viewport_size else True
