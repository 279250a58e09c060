"""Issue 6, done when: in headless Chromium, a published sampling rule is drawn, scored, appealed, reviewed by
the three-party panel, decided, and the agent sees the corrected score beside the old version.

The app runs over the demo month (January 1999) with a clock the test moves forward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from browser_harness import demo_database, serve
from callops.config import Settings
from callops.web import create_app

pytestmark = pytest.mark.browser

PASSWORDS = {"qa": "qa-demo-1", "lead": "lead-demo-1", "manager": "manager-demo-1", "agent": "agent-demo-1"}


class Clock:
    """The app's QA clock; the test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(dt.datetime(1999, 1, 1, tzinfo=dt.UTC))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[str]:
    """Its own app over the demo month, whose QA clock the test moves forward."""
    url = demo_database(tmp_path_factory.mktemp("qa-browser"))
    app = create_app(Settings(database_url=url, secret_key="browser-test", site_tz="Asia/Shanghai"))
    app.state.qa_clock = clock
    with serve(app) as base:
        yield base


def _as(page: Page, site: str, username: str) -> None:
    """Log out whoever is logged in, then log in as ``username``."""
    if page.locator("#logout").count():
        page.click("#logout")
    page.goto(f"{site}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_visible()


def test_rule_to_corrected_score(page: Page, site: str, clock: Clock) -> None:
    """Rule → commitment → freeze → dice → draw → QA scores → agent appeals → lead accepts → 3 views → upheld."""
    _as(page, site, "qa")
    page.goto(f"{site}/qa/rules")
    page.fill("#r-rule_id", "jan-week2")
    page.fill("#r-description", "one random call per agent, longer than 60 s")
    page.fill("#r-period_start", "1999-01-04")
    page.fill("#r-period_end", "1999-01-10")
    page.select_option("#r-per", "agent_period")
    page.select_option("#r-pick", "random")
    page.fill("#r-n", "1")
    page.click("#file-rule")
    expect(page).to_have_url(f"{site}/qa/rules/jan-week2")
    commitment = page.locator("#seed-commitment").inner_text()
    assert len(commitment) == 64
    expect(page.locator("#period-running")).to_be_visible()

    clock.now = dt.datetime(1999, 1, 11, 1, tzinfo=dt.UTC)  # the week is over
    page.reload()
    page.click("#freeze")
    assert len(page.locator("#eligible-hash").inner_text()) == 64
    assert int(page.locator("#eligible-count").inner_text()) > 0
    clock.advance(hours=1)
    page.fill("#public-random-value", "4 2 6 1 3 5 / 2 2 5 6 1 4")
    page.click("#enter-random")
    expect(page.locator("#random-entries")).to_contain_text("qa")
    rule_url = page.url
    _as(page, site, "manager")  # the second witness types the same dice
    page.goto(rule_url)
    page.fill("#public-random-value", "4 2 6 1 3 5 / 2 2 5 6 1 4")
    page.click("#enter-random")
    expect(page.locator("#public-random")).to_have_text("4 2 6 1 3 5 / 2 2 5 6 1 4")
    clock.advance(minutes=10)
    page.click("#run-draw")
    expect(page.locator("#verify-result")).to_have_class("ok")
    assert len(page.locator("#revealed-seed").inner_text()) == 64
    assert set(page.locator("#selection-table td.evaluator").all_inner_texts()) == {"qa"}

    clock.advance(hours=1)
    _as(page, site, "qa")  # the QA the draw assigned
    page.goto(f"{site}/qa")
    row = page.locator("#qa-queue tbody tr", has_text="MICHAL").first
    row.locator("a.score-link").click()
    expect(page.locator("#call-agent")).to_have_text("MICHAL")
    page.fill("#v-arguing", "1")
    page.fill("#t-arguing", "1:05")
    page.fill("#c-arguing", "raised the voice")
    page.click("#submit-evaluation")
    expect(page.locator("#current-score")).to_have_text("90.0")
    evaluation_url = page.url

    clock.advance(hours=2)
    _as(page, site, "agent")
    page.goto(f"{site}/qa/evaluations")
    # the demo's own evaluations of MICHAL (dated a week later) are listed too: open the one just scored
    page.locator(f'#evaluations-table tbody a[href="{evaluation_url.removeprefix(site)}"]').click()
    expect(page).to_have_url(evaluation_url)
    page.click("#acknowledge")
    page.check("#dispute-arguing")
    page.fill("#appeal-reason", "I explained the fee twice; I did not argue.")
    page.click("#file-appeal")
    expect(page.locator("#appeal-state")).to_have_text("已提交")
    appeal_url = page.url

    clock.advance(hours=1)
    _as(page, site, "lead")
    page.goto(appeal_url)
    page.click("#accept-appeal")
    expect(page.locator("#appeal-state")).to_have_text("审核小组复核中")
    page.select_option("#view-choice", "upheld")
    page.fill("#view-comment", "explaining, not arguing")
    page.click("#record-view")
    for name in ("qa", "manager"):
        clock.advance(minutes=30)
        _as(page, site, name)
        page.goto(appeal_url)
        expect(page.locator("#disputed")).to_have_text("Arguing with the caller 与客户争辩")
        page.select_option("#view-choice", "upheld")
        page.click("#record-view")
    expect(page.locator("#panel-views li.panel-view")).to_have_count(3)
    clock.advance(minutes=30)
    page.select_option("#decision-choice", "upheld")
    page.fill("#v-arguing", "0")
    page.fill("#decision-comment", "no arguing heard at 1:05")
    page.click("#decide-appeal")
    expect(page.locator("#appeal-decision")).to_have_text("申诉成立")

    _as(page, site, "agent")
    page.goto(evaluation_url)
    expect(page.locator("#current-score")).to_have_text("100.0")
    expect(page.locator("#decided-badge")).to_be_visible()
    expect(page.locator("#version-1 .version-score")).to_have_text("90.0")
    expect(page.locator("#version-2 .version-score")).to_have_text("100.0")
    assert page.locator("#appeal-form").count() == 0


def test_lead_edits_the_scorecard(page: Page, site: str) -> None:
    """The supervisor adds a deduction with the editor's "Add item" button and saves version + 1; the history
    lists both versions and the older one opens read-only."""
    _as(page, site, "manager")
    page.goto(f"{site}/qa/scorecard")
    before = int(page.locator("h1").inner_text().rsplit("v", 1)[1])
    page.click("#edit-link")
    conduct = page.locator("fieldset.editor-section", has=page.locator("input[value='conduct']"))
    conduct.locator("button.add-item").click()
    row = conduct.locator("tr.item-row").last
    row.locator("input[name$='-id']").fill("hold_no_notice")
    row.locator("input[name$='-label']").fill("Hold without notice")
    row.locator("select").select_option("deduction")
    row.locator("input[name$='-points']").fill("3")
    page.fill("#sc-pass", "85")
    page.click("#save-scorecard")
    expect(page).to_have_url(f"{site}/qa/scorecard/versions/{before + 1}")
    expect(page.locator("#item-hold_no_notice")).to_be_visible()
    page.click("#versions-link")
    expect(page.locator("#scorecard-versions tbody tr")).to_have_count(before + 1)
    page.click(f"#view-v{before}")
    expect(page.locator("#old-version")).to_be_visible()
    assert page.locator("#item-hold_no_notice").count() == 0
