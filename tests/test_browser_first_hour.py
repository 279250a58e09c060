"""A manager's first hour, page by page, as each demo role in English and in zh-CN at 1280 px wide.

Every page of the first hour that a role may open answers without a server error, fits the viewport (no page wider
than the screen) and is in the language chosen; a page a role may not open answers 403, never 500. The work done
on those pages (import, report, export, plan, simulation, evaluation, admin change) is walked in the browser tests
of each area; this walk holds the whole tour to the same three rules.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from browser_harness import log_in, switch_language
from callops.demo import DEMO_USERS

pytestmark = pytest.mark.browser

FIRST_HOUR = ("/", "/imports", "/reports", "/reports/builder", "/reports/daily", "/calls", "/agents", "/workforce",
              "/workforce/forecast", "/workforce/plans", "/simulation", "/qa", "/qa/evaluations", "/qa/reports",
              "/admin", "/admin/queues", "/admin/audit", "/live", "/live/agent", "/desk", "/desk/contact",
              "/desk/categories", "/desk/scripts", "/rosters", "/rosters/me",
              "/people", "/outbound")
_FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.parametrize("role", [user.username for user in DEMO_USERS])
def test_the_first_hour_fits_and_speaks_both_languages(page: Page, site: str, role: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    password = next(user.password for user in DEMO_USERS if user.username == role)
    log_in(page, site, role, password)
    opened: dict[str, int] = {}
    for locale in ("en", "zh-CN"):
        page.goto(f"{site}/")
        switch_language(page, locale)
        for path in FIRST_HOUR:
            response = page.goto(f"{site}{path}")
            assert response is not None and response.status < 500, (role, locale, path)
            if response.status in (403, 404):  # not this role's page (or its agent has none): said, not broken
                continue
            assert response.status == 200, (role, locale, path, response.status)
            assert page.locator("html").get_attribute("lang") == locale, (role, locale, path)
            assert page.evaluate(_FITS), f"{path} is wider than 1280 px for {role} in {locale}"
            opened[locale] = opened.get(locale, 0) + 1
    assert opened["en"] == opened["zh-CN"] >= 3  # the same pages in both languages, and more than the home page
    assert page.foreign_requests == [], f"requests left the app: {page.foreign_requests}"  # type: ignore[attr-defined]
