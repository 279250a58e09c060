"""No English left in the zh-CN interface: every page, as each demo role, and the common error answers.

The check itself (what counts as an untranslated line) is in untranslated_check.py, shared with the browser walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import callops.web.routes as route_package
from browser_harness import demo_database
from callops.config import Settings
from callops.demo import DEMO_USERS
from callops.store import make_engine
from callops.web import create_app
from callops.web.discovery import discover_routes
from untranslated_check import ALLOWED, data_words, untranslated, visible_lines
from web_sign_in import csrf_of

# words that other open work of issue 14 translates, per page (none left); pages left out wholly, with why
PENDING: dict[str, set[str]] = {}
PENDING_PAGES: dict[str, str] = {}
ERROR_PAGES = ("/calls?from=zz", "/calls?from=1999-01-05&to=1999-01-02", "/reports/export?from=&to=1999-01-02",
               "/workforce?aht_s=abc", "/calls/99999999999999999999")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, set[str]]]:
    url = demo_database(tmp_path_factory.mktemp("zh"))
    engine = make_engine(url)
    data = data_words(engine)
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url, secret_key="zh-test")),
                    raise_server_exceptions=False) as client:
        yield client, data


def _pages() -> list[str]:
    paths = []
    for module in discover_routes(route_package):
        for route in module.router.routes:
            if (isinstance(route, APIRoute) and "GET" in (route.methods or set()) and "{" not in route.path
                    and not route.path.startswith("/api") and not route.path.endswith((".csv", ".json"))
                    and not route.path.endswith("/stream")  # server-sent events never end
                    and route.path not in ("/docs", "/login", "/logout")):
                paths.append(route.path)
    return sorted(set(paths))


def test_the_check_flags_english_and_passes_codes_and_data() -> None:
    """The check itself: an English sentence fails, a code with a unit, a data value and Chinese pass."""
    known = ALLOWED | {"MICHAL"}
    assert untranslated(["the range ends before it starts", "30 min", "MICHAL", "最低分 min"], known) == [
        "the range ends before it starts"]
    assert visible_lines('<p title="x">a <b>b</b></p><script>var english = 1;</script><input placeholder="c">') == [
        "a", "b", "c"]


@pytest.mark.parametrize("role", [user.username for user in DEMO_USERS])
def test_every_page_is_chinese_for_each_role(site: tuple[TestClient, set[str]], role: str) -> None:
    client, data = site
    client.cookies.clear()
    password = next(user.password for user in DEMO_USERS if user.username == role)
    token = csrf_of(client.get("/login").text)
    assert client.post("/login", data={"username": role, "password": password, "csrf_token": token, "next": "/"},
                       follow_redirects=False).status_code == 303
    token = csrf_of(client.get("/").text)
    client.post("/language", data={"locale": "zh-CN", "csrf_token": token, "next": "/"})
    found: list[str] = []
    seen = 0
    for path in [*_pages(), *ERROR_PAGES]:
        if path in PENDING_PAGES:
            continue
        response = client.get(path)
        if "html" not in response.headers.get("content-type", "") or response.status_code in (401, 403, 405):
            continue
        assert response.status_code < 500, path
        seen += 1
        known = ALLOWED | data | PENDING.get(path.partition("?")[0], set())
        found += [f"{path}: {line[:100]}" for line in untranslated(visible_lines(response.text), known)]
    assert seen > 5
    assert not found, "\n".join(found)


def test_pending_pages_are_named_for_their_work() -> None:
    """Pages left out say which piece of work translates them; each is still a page of the app."""
    pages = set(_pages())
    for path, why in PENDING_PAGES.items():
        assert path in pages and "issue 14" in why
    assert Path(__file__).name == "test_web_untranslated.py"
