"""The web app over HTTP (pages and API) on SQLite and PostgreSQL: sessions, CSRF, roles, filters, paging."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Agent, Call, Direction, Outcome, Role
from callops.store.directory import save_agent, save_team
from callops.store.records import insert_calls
from callops.web import create_app
from web_sign_in import PASSWORD, csrf_of, insert_users, login

UTC = dt.UTC


def _call(n: int, at: dt.datetime, *, agent: str | None, outcome: Outcome = Outcome.ANSWERED, queue: str = "PS",
          call_type: str = "retail") -> Call:
    answered = at + dt.timedelta(seconds=12) if outcome.answered else None
    return Call(source="test", source_call_id=f"c{n}", direction=Direction.INBOUND, outcome=outcome, queue=queue,
                call_type=call_type, caller_number=f"1381234{n:04d}", queue_entered_at=at, answered_at=answered,
                ended_at=at + dt.timedelta(seconds=200), agent=agent, talk_s=180.0 if answered else 0.0)


CALLS = [
    _call(1, dt.datetime(2026, 1, 5, 2, 0, tzinfo=UTC), agent="A1"),
    _call(2, dt.datetime(2026, 1, 5, 3, 0, tzinfo=UTC), agent="A2", queue="NW"),
    _call(3, dt.datetime(2026, 1, 5, 17, 30, tzinfo=UTC), agent="A1"),  # 2026-01-06 01:30 in Shanghai
    _call(4, dt.datetime(2026, 1, 6, 4, 0, tzinfo=UTC), agent=None, outcome=Outcome.ABANDONED),
    _call(5, dt.datetime(2026, 1, 6, 5, 0, tzinfo=UTC), agent="A2", call_type="premium"),
    _call(6, dt.datetime(2026, 1, 6, 5, 0, tzinfo=UTC), agent="A1"),  # same instant as 5: the id breaks the tie
    _call(7, dt.datetime(2026, 1, 7, 1, 0, tzinfo=UTC), agent="A1", queue="NW"),
    _call(8, dt.datetime(2026, 1, 7, 9, 0, tzinfo=UTC), agent="A2", outcome=Outcome.TIMEOUT),
]


@pytest.fixture
def app_url(engine: sa.Engine) -> str:
    """The ``engine`` database with users of three roles and eight calls; the lead leads A1's and A2's team."""
    rows = [("boss", Role.MANAGER, None, "en"), ("lead", Role.TEAM_LEAD, None, "zh-CN"),
            ("amy", Role.AGENT, "A1", "en")]
    with engine.begin() as conn:
        insert_users(conn, rows)
        save_team(conn, "floor", lead="lead")
        for agent in ("A1", "A2"):
            save_agent(conn, Agent(agent, agent, team="floor"))
        insert_calls(conn, CALLS)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def client(app_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=app_url, secret_key="test-secret"))) as test_client:
        yield test_client


def ids_of(client: TestClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [item["source_call_id"] for item in response.json()["items"]]


# --- sessions -----------------------------------------------------------------------------------

def test_login_and_logout(client: TestClient) -> None:
    """A good password opens a session that reaches the pages; logging out closes it."""
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=%2F"
    token = login(client, "boss")
    home = client.get("/")
    assert home.status_code == 200 and "boss" in home.text
    cookie = client.cookies.get("callops_session")
    assert cookie is not None
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/calls", follow_redirects=False).status_code == 303


def test_session_cookie_is_samesite_lax_and_httponly(client: TestClient) -> None:
    """The session cookie is SameSite=Lax and not readable by scripts."""
    response = client.get("/login")
    header = response.headers["set-cookie"].lower()
    assert "samesite=lax" in header and "httponly" in header


def test_wrong_password_is_refused(client: TestClient) -> None:
    """A wrong password answers 401 with the message and opens no session."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "boss", "password": "wrong-pass", "csrf_token": token})
    assert response.status_code == 401
    assert 'id="login-error"' in response.text
    assert client.get("/api/me").status_code == 401


def test_login_redirect_stays_on_this_site(client: TestClient) -> None:
    """``next`` pointing at another site sends the user home instead."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_csrf_token_is_required_on_forms(client: TestClient) -> None:
    """POST forms without the session's token, or with another one, are refused with 403."""
    response = client.post("/login", data={"username": "boss", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/me").status_code == 401
    token = login(client, "boss")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/language", data={"locale": "en"}).status_code == 403
    assert client.get("/api/me").status_code == 200, "the refused logout must not end the session"
    assert client.post("/logout", data={"csrf_token": token}).status_code == 200


def test_csrf_header_is_required_on_cookie_api_calls(client: TestClient) -> None:
    """An unsafe API call authenticated by the cookie needs X-CSRF-Token; a bearer call does not."""
    body = client.post("/api/login", json={"username": "boss", "password": PASSWORD}).json()
    assert client.post("/api/logout").status_code == 403
    assert client.post("/api/logout", headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert client.post("/api/logout", headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 204
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {body['token']}"}
    assert client.post("/api/logout", headers=bearer).status_code == 204


def test_api_login_gives_a_bearer_token(client: TestClient) -> None:
    """POST /api/login answers a token that authenticates /api/me without cookies; bad ones get 401."""
    response = client.post("/api/login", json={"username": "lead", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    client.cookies.clear()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "lead" and me["role"] == "team_lead"
    assert "view_pii" not in me["permissions"] and "view_all_calls" in me["permissions"]
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    refused = client.post("/api/login", json={"username": "lead", "password": "nope-nope"})
    assert refused.status_code == 401 and refused.json()["message"] == "wrong user name or password"
    assert client.get("/api/me").json()["error"] == "not_authenticated"


# --- roles ------------------------------------------------------------------------------------

def test_agent_sees_only_own_calls(client: TestClient) -> None:
    """An agent's calls list and page hold only their agent's calls; asking for another agent is 403."""
    login(client, "amy")
    items = client.get("/api/calls").json()["items"]
    assert sorted(item["source_call_id"] for item in items) == ["c1", "c3", "c6", "c7"]
    assert {item["agent"] for item in items} == {"A1"}
    assert client.get("/api/calls?agent=A2").status_code == 403
    assert client.get("/api/calls?agent=A1").status_code == 200
    assert client.get(f"/api/calls/{items[0]['id']}").status_code == 200
    page = client.get("/calls")
    assert "My calls" in page.text and ">A1<" in page.text and ">A2<" not in page.text  # cells, not tokens
    assert page.text.count('href="/calls/') == 4


def test_agent_cannot_open_another_agents_call(client: TestClient) -> None:
    """The detail of another agent's call is 403 for an agent, in the API and on the page."""
    login(client, "boss")
    a2 = next(c["id"] for c in client.get("/api/calls").json()["items"] if c["agent"] == "A2")
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    login(client, "amy")
    assert client.get(f"/api/calls/{a2}").json()["error"] == "permission_denied"
    assert client.get(f"/calls/{a2}").status_code == 403


def test_caller_numbers_are_masked_without_the_pii_right(client: TestClient) -> None:
    """A manager sees whole caller numbers; a team lead sees 138****0001, in the API and the pages."""
    login(client, "boss")
    first = client.get("/api/calls?limit=1").json()["items"][0]
    assert re.fullmatch(r"1381234\d{4}", first["caller_number"]) and not first["caller_number_masked"]
    assert first["caller_number"] in client.get("/calls").text
    client.cookies.clear()
    login(client, "lead")
    masked = client.get(f"/api/calls/{first['id']}").json()
    assert masked["caller_number"] == first["caller_number"][:3] + "****" + first["caller_number"][-4:]
    assert masked["caller_number_masked"]
    page = client.get("/calls").text
    assert first["caller_number"] not in page and masked["caller_number"] in page


def test_agents_page_needs_the_view_agents_right(client: TestClient) -> None:
    """Agents get 403 on /agents and /api/agents; a team lead sees agents with their call counts."""
    login(client, "amy")
    assert client.get("/agents").status_code == 403
    assert client.get("/api/agents").json()["error"] == "permission_denied"
    assert "/agents" not in re.findall(r'class="mainnav".*?</nav>', client.get("/").text, re.S)[0]
    client.cookies.clear()
    login(client, "lead")
    counts = {a["agent_id"]: a["calls"] for a in client.get("/api/agents").json()}
    assert counts == {"A1": 4, "A2": 3}
    assert {a["agent_id"]: a["calls"] for a in client.get("/api/agents?from=2026-01-07").json()} == {"A1": 1, "A2": 1}
    page = client.get("/agents")
    assert page.status_code == 200
    assert 'value="2025-12-09"' in page.text and 'value="2026-01-07"' in page.text  # the last 30 days of data
    assert re.search(r'<a href="/calls\?agent=A1">A1</a></td>\s*<td>[^<]*</td>\s*<td class="num">4</td>', page.text)


# --- filters and paging ------------------------------------------------------------------------

def test_filters_narrow_the_calls(client: TestClient) -> None:
    """Queue, agent, outcome and call type filters each keep only matching calls."""
    login(client, "boss")
    assert sorted(ids_of(client, "/api/calls?queue=NW")) == ["c2", "c7"]
    assert sorted(ids_of(client, "/api/calls?agent=A2")) == ["c2", "c5", "c8"]
    assert ids_of(client, "/api/calls?outcome=abandoned") == ["c4"]
    assert ids_of(client, "/api/calls?call_type=premium") == ["c5"]
    assert ids_of(client, "/api/calls?queue=NW&agent=A2") == ["c2"]
    page = client.get("/calls?outcome=timeout").text
    assert "/calls/" in page and page.count('class="badge badge-timeout"') == 1


def test_date_range_is_read_in_the_users_zone(client: TestClient) -> None:
    """from/to are whole local days: 2026-01-06 in Shanghai starts at 2026-01-05 16:00 UTC."""
    login(client, "boss")
    assert sorted(ids_of(client, "/api/calls?from=2026-01-06&to=2026-01-06")) == ["c3", "c4", "c5", "c6"]
    assert sorted(ids_of(client, "/api/calls?to=2026-01-05")) == ["c1", "c2"]
    assert ids_of(client, "/api/calls?from=2026-01-08") == []


def test_bad_parameters_are_400_naming_the_field(client: TestClient) -> None:
    """A bad date, outcome, cursor or limit answers 400 with the field named, in JSON and on the page."""
    login(client, "boss")
    for url, field in [("/api/calls?from=2026-13-01", "from"), ("/api/calls?to=yesterday", "to"),
                       ("/api/calls?outcome=happy", "outcome"), ("/api/calls?cursor=abc", "cursor"),
                       ("/api/calls?limit=0", "limit"), ("/api/calls?from=2026-01-07&to=2026-01-06", "to")]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json()["field"] == field, url
    page = client.get("/calls?from=2026-13-01")
    assert page.status_code == 400 and "from" in page.text


def test_keyset_paging_walks_every_call_once(client: TestClient) -> None:
    """Following next_cursor visits all calls newest first, ties broken by id; prev_cursor walks back."""
    login(client, "boss")
    seen: list[str] = []
    pages: list[dict[str, object]] = []
    url = "/api/calls?limit=3"
    while True:
        body = client.get(url).json()
        pages.append(body)
        seen += [item["source_call_id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        url = f"/api/calls?limit=3&cursor={body['next_cursor']}&dir=next"
    assert seen == ["c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1"]
    assert len(pages) == 3 and pages[0]["prev_cursor"] is None
    back = client.get(f"/api/calls?limit=3&cursor={pages[2]['prev_cursor']}&dir=prev").json()
    assert [i["source_call_id"] for i in back["items"]] == ["c5", "c4", "c3"]
    first = client.get(f"/api/calls?limit=3&cursor={back['prev_cursor']}&dir=prev").json()
    assert [i["source_call_id"] for i in first["items"]] == ["c8", "c7", "c6"] and first["prev_cursor"] is None
    assert pages[0]["count"] == 8 and pages[0]["count_is_lower_bound"] is False


def test_calls_page_links_to_next_and_previous_pages(client: TestClient) -> None:
    """The page's older/newer links keep the filters and move by cursor."""
    login(client, "boss")
    page = client.get("/calls?queue=PS&limit=2").text
    link = re.search(r'href="([^"]+)" rel="next"', page)
    assert link is not None and "queue=PS" in link.group(1).replace("&amp;", "&")
    older = client.get(link.group(1).replace("&amp;", "&")).text
    assert 'rel="prev"' in older and "/calls/" in older


# --- languages, zones, formats --------------------------------------------------------------------

def test_language_follows_the_user_then_the_switch(client: TestClient) -> None:
    """The user's locale is the default; the header switch changes it and the session remembers it."""
    assert "登录" in client.get("/login").text  # nobody logged in: zh-CN
    token = login(client, "boss")  # boss's locale is en
    assert ">Calls<" in client.get("/").text
    response = client.post("/language", data={"locale": "zh-CN", "csrf_token": token, "next": "/calls"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/calls"
    page = client.get("/calls")
    assert page.headers["content-language"] == "zh-CN" and ">通话<" in page.text and '<html lang="zh-CN">' in page.text
    assert client.post("/language", data={"locale": "fr", "csrf_token": token}).status_code == 400


def test_times_are_shown_in_the_users_zone(client: TestClient) -> None:
    """Call times appear in the user's zone with the zone named and the offset on the detail page."""
    login(client, "boss")
    call = next(c for c in client.get("/api/calls").json()["items"] if c["source_call_id"] == "c3")
    assert call["started_at"].startswith("2026-01-05T17:30")
    detail = client.get(f"/calls/{call['id']}").text
    assert "2026-01-06 01:30:00 UTC+08:00" in detail and "Asia/Shanghai" in detail
    assert "2026-01-06 01:30:00" in client.get("/calls").text


def test_home_shows_the_daily_chart(client: TestClient) -> None:
    """The home page carries a 30-day chart config whose bars sum to the calls of those days."""
    login(client, "boss")
    page = client.get("/").text
    config = re.search(r'<script type="application/json" id="calls-per-day-config">(.*?)</script>', page, re.S)
    assert config is not None
    data = json.loads(config.group(1))["data"]
    assert len(data["labels"]) == 30 and sum(data["datasets"][0]["data"]) == 8
    assert "vendor/chartjs/chart.umd.min.js" in page


# --- errors, docs, assets -------------------------------------------------------------------------

def test_missing_things_are_404(client: TestClient) -> None:
    """A missing call is a 404 JSON error in the API and a 404 page elsewhere."""
    login(client, "boss")
    assert client.get("/api/calls/999999").json()["error"] == "not_found"
    page = client.get("/calls/999999")
    assert page.status_code == 404 and "<html" in page.text
    assert client.get("/api/nothing").status_code == 404


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_errors_are_500_with_traceback_only_in_debug(app_url: str, debug: bool) -> None:
    """A bug answers 500 and is logged; the traceback is in the response only in debug mode."""
    app = create_app(Settings(database_url=app_url, debug=debug))
    boom = APIRouter()

    @boom.get("/api/boom")
    def explode() -> None:
        raise RuntimeError("kaboom")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/boom")
    assert response.status_code == 500 and response.json()["error"] == "internal"
    assert ("traceback" in response.json()) is debug
    assert "kaboom" not in response.text or debug


def test_api_docs_work_offline(client: TestClient) -> None:
    """/docs loads Swagger UI from this site only, and /openapi.json describes the calls API."""
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert not re.search(r'(src|href)="(https?:)?//', docs)
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/calls", "/api/calls/{call_id}", "/api/agents", "/api/login", "/api/me"} <= set(paths)


def test_pages_load_nothing_from_other_sites(client: TestClient) -> None:
    """No page references a CDN or any other origin; the CSP allows this site only."""
    login(client, "boss")
    for url in ["/", "/calls", "/agents", "/login"]:
        response = client.get(url)
        assert not re.search(r'(src|href)="(https?:)?//', response.text), url
        assert "script-src 'self'" in response.headers["content-security-policy"]
