"""The first hour walked, not only visited: each demo role, in English and in zh-CN, does the work of the hour.

login → dashboard → import a file through the page → report → export → plan → simulation → QA evaluation →
admin change, each step the role's rights allow (the others answer 403 and say so). Along the way no response is
a server error, every page is in the chosen language with no untranslated line in zh-CN, no page is wider than
the 1280 px screen, and a bad value is answered on its own form with what was typed kept (import zone, report
range, plan shrinkage, queue target).

The walk runs on its own demo database: it imports, builds plans and changes a queue, which the other browser
tests must not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from browser_harness import demo_database, log_in, serve, switch_language
from callops.config import Settings
from callops.demo import DEMO_USERS
from callops.permissions import Permission, allowed
from callops.store import make_engine
from callops.web import create_app
from untranslated_check import ALLOWED, data_words, untranslated, visible_lines

pytestmark = pytest.mark.browser

QUEUE_LOG = Path(__file__).parent / "fixtures" / "asterisk_queue_log" / "queue_log"
LOCALES = ("en", "zh-CN")
_FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
# the error beside a field, per language (the walk checks it is the chosen language's text, not only present)
_CHINESE = "[\u3400-\u9fff]"
_WITHOUT = """selector => { const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll(selector).forEach(e => e.remove()); return copy.outerHTML; }"""


def _plan_name(role: str, locale: str) -> str:
    return f"walk-{role}-{locale.lower()}"


@pytest.fixture(scope="module")
def walk_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, set[str]]]:
    url = demo_database(tmp_path_factory.mktemp("walk"))
    engine = make_engine(url)
    # the names the walk gives (the file it imports, the plans it builds) are data too
    known = ALLOWED | data_words(engine) | {"queue_log"} | {_plan_name(u.username, lang) for u in DEMO_USERS
                                                           for lang in LOCALES}
    engine.dispose()
    with serve(create_app(Settings(database_url=url, secret_key="walk-test"))) as base:
        yield base, known


class Walk:
    """One role's walk in one language: every page it reaches is held to the same rules."""

    def __init__(self, page: Page, site: str, known: set[str], role: str, locale: str) -> None:
        self.page, self.site, self.known, self.username, self.locale = page, site, known, role, locale
        self.role = next(user.role for user in DEMO_USERS if user.username == role)
        self.number = [u.username for u in DEMO_USERS].index(role) * len(LOCALES) + LOCALES.index(locale)
        self.server_errors: list[str] = []
        self.checked = 0
        page.on("response", self._record)

    def _record(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def may(self, permission: Permission) -> bool:
        return allowed(self.role, permission)

    def check(self, where: str, *, data: str = "") -> None:
        """The page in view speaks the walk's language, fits the screen, and (in zh-CN) has no English line;
        ``data`` selects the parts that show a file's own values (left out of the language check)."""
        page = self.page
        expect(page.locator("html")).to_have_attribute("lang", self.locale)
        assert page.evaluate(_FITS), f"{where} is wider than 1280 px for {self.role} in {self.locale}"
        if self.locale == "zh-CN":
            content = page.evaluate(_WITHOUT, data) if data else page.content()
            left = untranslated(visible_lines(content), self.known)
            assert not left, f"{where} in zh-CN for {self.role}: {left[:5]}"
        self.checked += 1

    def refused(self, path: str) -> None:
        response = self.page.goto(f"{self.site}{path}")
        assert response is not None and response.status == 403, (self.role, path)

    def field_error(self, selector: str) -> None:
        """A bad value answered beside its field, in the chosen language."""
        error = self.page.locator(selector)
        expect(error).to_be_visible()
        if self.locale == "zh-CN":
            expect(error).to_contain_text(re.compile(_CHINESE))


def _import(walk: Walk) -> None:
    page = walk.page
    if not walk.may(Permission.IMPORT_DATA):
        walk.refused("/imports")
        return
    page.goto(f"{walk.site}/imports")
    walk.check("/imports")
    page.set_input_files("#imp-file", str(QUEUE_LOG))
    page.fill("#imp-zone", "Mars/Olympus")  # not a zone: said beside the field, the file kept
    page.click("#imp-preview")
    walk.field_error("#err-zone")
    expect(page.locator("#imp-zone")).to_have_value("Mars/Olympus")
    expect(page.locator("#imp-kept")).to_contain_text(QUEUE_LOG.name)
    walk.check("/imports (bad zone)")
    page.fill("#imp-zone", "Asia/Shanghai")
    page.click("#imp-preview")
    expect(page.locator("#imp-preview-calls tbody tr").first).to_be_visible()
    walk.check("/imports (preview)", data="#imp-preview-calls")
    page.click("#imp-confirm-import")
    expect(page.locator("#imp-job")).to_have_attribute("data-status", "done", timeout=30_000)
    counted = sum(int(page.locator(f"#imp-{what}").inner_text().replace(",", "")) for what in ("inserted",
                                                                                                  "duplicates"))
    assert counted > 0  # the first walk inserts the calls, the later ones find them already there
    walk.check("/imports/job")  # the importer's notices and skip reasons too (callops.web.reason_keys)


def _report_and_export(walk: Walk) -> None:
    page = walk.page
    if not walk.may(Permission.VIEW_REPORTS):
        walk.refused("/reports/builder")
        return
    page.goto(f"{walk.site}/reports/builder?from=1999-01-31&to=1999-01-01&grain=week&dim=queue&kpi=offered")
    walk.field_error("#err-to")  # a range that ends before it starts, beside the field, the dates kept
    expect(page.locator("input[name=from]")).to_have_value("1999-01-31")
    walk.check("/reports/builder (bad range)")
    page.fill("input[name=from]", "1999-01-01")
    page.fill("input[name=to]", "1999-01-31")
    page.click("#builder-form button[type=submit]")
    expect(page.locator("#report-rows tbody tr").first).to_be_visible()
    walk.check("/reports/builder")
    with page.expect_download() as download:
        page.click("#export-csv")
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf"), "Excel on Chinese Windows needs the BOM"
    header = body[3:].decode("utf-8").splitlines()[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in header) == (walk.locale == "zh-CN"), header


def _plan(walk: Walk, name: str) -> None:
    page = walk.page
    if not walk.may(Permission.PLAN_WORKFORCE):
        walk.refused("/workforce/plans")
        return
    page.goto(f"{walk.site}/workforce/plans")
    page.fill("#build-name", name)
    page.fill("#build-from", "1999-01-01")
    page.fill("#build-to", "1999-01-31")
    page.fill("#build-horizon", "1d")
    page.fill("#build-sl", "80")
    page.fill("#build-shrinkage", "1")
    page.click("#build-submit")
    walk.field_error("#err-shrinkage")
    expect(page.locator("#build-name")).to_have_value(name)
    walk.check("/workforce/plans (bad shrinkage)")
    page.fill("#build-shrinkage", "30%")
    page.click("#build-submit")
    expect(page).to_have_url(f"{walk.site}/workforce/plans/{name}?version=1", timeout=60_000)
    walk.check("/workforce/plans/<plan>")


def _simulation(walk: Walk) -> None:
    page = walk.page
    if not walk.may(Permission.RUN_SIMULATIONS):
        walk.refused("/simulation")
        return
    page.goto(f"{walk.site}/simulation")
    walk.check("/simulation")
    page.fill("#sim-a-hours", "1")
    page.fill("#sim-replications", "2")
    page.click("#sim-submit")
    expect(page.locator("#sim-results")).to_be_visible(timeout=60_000)
    walk.check("/simulation (results)", data="li[data-queue]")  # the scenario names its own queues


def _evaluation(walk: Walk) -> None:
    page = walk.page
    page.goto(f"{walk.site}/calls?from=1999-01-05&to=1999-01-05")
    if not walk.may(Permission.VIEW_ALL_CALLS):
        return  # an agent's own calls only; evaluating is not theirs
    walk.check("/calls")
    page.locator("table a[href^='/calls/']").nth(walk.number).click()  # a call no earlier walk evaluated
    walk.check("/calls/<id>")
    if not walk.may(Permission.EVALUATE_CALLS):
        expect(page.locator("#evaluate-call")).to_have_count(0)
        return
    page.click("#evaluate-call")
    walk.check("/qa/evaluate/<id>")
    page.click("#submit-evaluation")
    expect(page.locator("#current-score")).to_be_visible()
    walk.check("/qa/evaluations/<key>")


def _admin_change(walk: Walk) -> None:
    page = walk.page
    if not walk.may(Permission.MANAGE_DIRECTORY):
        walk.refused("/admin/queues")
        return
    page.goto(f"{walk.site}/admin/queues")
    walk.check("/admin/queues")
    page.locator("a[href^='/admin/queues?edit=']").first.click()
    before = float(page.locator("#adm-sl_target_pct").input_value().rstrip("%"))
    page.fill("#adm-sl_target_pct", "180")  # a percent over 100: beside the field, kept
    page.click("#queue-submit")
    walk.field_error("#err-sl_target_pct")
    expect(page.locator("#adm-sl_target_pct")).to_have_value("180")
    walk.check("/admin/queues (bad target)")
    after = 85.0 if before != 85.0 else 80.0
    page.fill("#adm-sl_target_pct", f"{after:g}%")
    page.click("#queue-submit")
    expect(page.locator("#err-sl_target_pct")).to_have_count(0)
    page.goto(f"{walk.site}/admin/audit?actor={walk.username}")  # the change is in the audit log, by its author
    expect(page.locator("#audit-table")).to_contain_text(f"{before:.1f} → {after:.1f}")
    walk.check("/admin/audit")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", [user.username for user in DEMO_USERS])
def test_the_first_hour_walked(page: Page, walk_site: tuple[str, set[str]], role: str, locale: str) -> None:
    site, known = walk_site
    page.set_viewport_size({"width": 1280, "height": 900})
    walk = Walk(page, site, known, role, locale)
    log_in(page, site, role, next(user.password for user in DEMO_USERS if user.username == role))
    switch_language(page, locale)
    walk.check("/")
    _import(walk)
    _report_and_export(walk)
    _plan(walk, _plan_name(role, locale))
    _simulation(walk)
    _evaluation(walk)
    _admin_change(walk)
    assert not walk.server_errors, walk.server_errors
    assert walk.checked >= (1 if role == "agent" else 4)
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
