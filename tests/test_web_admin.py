"""The administration pages and API over HTTP, on SQLite and PostgreSQL: each change is audited (before ->
after), bad values answer 400 naming the field with the input kept, rights decide who may do what, and forecasts
follow the queue's site zone and calendar."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx2
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from callops.config import Settings
from callops.records import Call, Direction, Outcome, Role
from callops.store.audit_log import list_entries
from callops.store.directory import get_queue, inactive_agents, list_agents
from callops.store.records import insert_calls
from callops.store.sites import get_site
from callops.web import create_app
from web_sign_in import insert_users, login


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    rows = [("root", Role.ADMIN, "en"), ("boss", Role.MANAGER, "zh-CN"), ("pat", Role.PLANNER, "en")]
    with engine.begin() as conn:
        insert_users(conn, [(name, role, None, locale) for name, role, locale in rows])
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, secret_key="test-secret"))) as test_client:
        yield test_client


def _post(client: TestClient, path: str, token: str, **data: str) -> httpx2.Response:
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'id="err-{field}"[^>]*>([^<]+)<', html)
    assert found, f"no error beside {field}"
    return found.group(1)


def _value(html: str, field: str) -> str:
    found = re.search(rf'name="{field}" id="adm-{field}" type="[a-z]+" value="([^"]*)"', html)
    assert found, f"no input {field}"
    return found.group(1)


def test_admin_changes_are_saved_and_audited(client: TestClient, engine: sa.Engine) -> None:
    """An admin creates a site, a queue in it with targets, a team, an agent with skills and a user, then edits
    the queue's target and the site's zone: each lands in the store and in the audit log, before -> after."""
    token = login(client, "root")
    assert _post(client, "/admin/sites", token, name="tlv", tz="Asia/Jerusalem", holidays="IL").status_code == 303
    assert _post(client, "/admin/queues", token, queue="billing", description="", sl_threshold_s="30",
                 sl_target_pct="85%", abandon_target_pct="4", site="tlv").status_code == 303
    assert _post(client, "/admin/users", token, username="lily", display_name="Lily", role="team_lead",
                 agent_id="", locale="zh-CN", password="lily-pass-1").status_code == 303
    assert _post(client, "/admin/teams", token, team="north", lead="lily").status_code == 303
    assert _post(client, "/admin/agents", token, agent_id="A7", name="Wang Fang", team="north",
                 skills="billing:5, sales:3", active="1").status_code == 303
    assert _post(client, "/admin/queues", token, queue="billing", description="", sl_threshold_s="30",
                 sl_target_pct="90", abandon_target_pct="4", site="tlv", mode="edit").status_code == 303
    assert _post(client, "/admin/sites", token, name="tlv", tz="Asia/Tel_Aviv", holidays="none",
                 mode="edit").status_code == 303
    with engine.connect() as conn:
        queue = get_queue(conn, "billing")
        assert (queue.sl_threshold_s, queue.sl_target_pct, queue.abandon_target_pct, queue.site) == (30, 90, 4, "tlv")
        assert get_site(conn, "tlv").tz == "Asia/Tel_Aviv" and get_site(conn, "tlv").holidays is None
        assert [(a.agent_id, a.team, a.skills) for a in list_agents(conn)] == [
            ("A7", "north", {"billing": 5, "sales": 3})]
        entries = list(reversed(list_entries(conn)))
    assert [(e.actor, e.entity, e.key, e.action) for e in entries] == [
        ("root", "site", "tlv", "site.created"), ("root", "queue", "billing", "queue.created"),
        ("root", "user", "lily", "user.created"), ("root", "team", "north", "team.created"),
        ("root", "agent", "A7", "agent.created"), ("root", "queue", "billing", "queue.changed"),
        ("root", "site", "tlv", "site.changed")]
    assert entries[5].changes() == [("sl_target_pct", 85.0, 90.0)]
    assert entries[6].changes() == [("tz", "Asia/Jerusalem", "Asia/Tel_Aviv"), ("holidays", "IL", None)]
    assert "password" not in str(entries[2].after) and "lily-pass-1" not in str(entries[2].after)
    page = client.get("/admin/audit?entity=queue").text
    assert page.count("<tr>") == 3 and "85.0 → 90.0" in page  # the header row and two queue entries
    assert client.get("/admin/audit?entity=site&actor=root").text.count("Asia/Jerusalem → Asia/Tel_Aviv") == 1
    api = client.get("/api/admin/audit", params={"entity": "agent"}).json()
    assert api["entries"][0]["after"]["skills"] == {"billing": 5, "sales": 3}


def test_bad_inputs_answer_400_naming_the_field_with_the_input_kept(client: TestClient) -> None:
    token = login(client, "root")
    _post(client, "/admin/teams", token, team="north", lead="")
    duplicate = _post(client, "/admin/teams", token, team="north", lead="")
    assert duplicate.status_code == 400 and "exists already" in _field_error(duplicate.text, "team")
    zone = _post(client, "/admin/sites", token, name="hq", tz="Mars/Olympus", holidays="CN")
    assert zone.status_code == 400 and "time zone" in _field_error(zone.text, "tz")
    assert _value(zone.text, "name") == "hq" and _value(zone.text, "tz") == "Mars/Olympus"
    for typed in ("180", "-1", "eighty", "80%%"):
        bad = _post(client, "/admin/queues", token, queue="q1", description="kept", sl_threshold_s="20",
                    sl_target_pct=typed, abandon_target_pct="5", site="")
        assert bad.status_code == 400 and "percentage" in _field_error(bad.text, "sl_target_pct")
        assert _value(bad.text, "sl_target_pct") == typed and _value(bad.text, "description") == "kept"
    skills = _post(client, "/admin/agents", token, agent_id="A1", name="", team="", skills="billing:11", active="1")
    assert skills.status_code == 400 and _field_error(skills.text, "skills")
    assert _value(skills.text, "skills") == "billing:11"
    user = _post(client, "/admin/users", token, username="root", display_name="", role="qa", agent_id="",
                 locale="en", password="long-enough-1")
    assert user.status_code == 400 and "exists already" in _field_error(user.text, "username")
    short = _post(client, "/admin/users", token, username="neo", display_name="Neo", role="qa", agent_id="",
                  locale="en", password="short")
    assert short.status_code == 400 and _field_error(short.text, "password") and _value(short.text, "username") == "neo"
    client.headers["X-CSRF-Token"] = token
    api = client.put("/api/admin/queues/q1", json={"sl_target_pct": 180})
    assert api.status_code == 400 and api.json()["field"] == "sl_target_pct"
    api_zone = client.put("/api/admin/sites/hq", json={"tz": "Nowhere/City"})
    assert api_zone.status_code == 400 and api_zone.json()["field"] == "tz"
    api_dup = client.post("/api/admin/users", json={"username": "root", "password": "long-enough-1", "role": "qa"})
    assert api_dup.status_code == 400 and api_dup.json()["field"] == "username"


def test_errors_are_in_the_users_language(client: TestClient) -> None:
    token = login(client, "boss")  # a manager reading zh-CN
    bad = _post(client, "/admin/queues", token, queue="q1", description="", sl_threshold_s="20",
                sl_target_pct="180", abandon_target_pct="5", site="")
    assert bad.status_code == 400 and _field_error(bad.text, "sl_target_pct").startswith("0 到 100")


def test_rights_decide_who_administers_what(client: TestClient, engine: sa.Engine) -> None:
    """A manager edits the directory and reads the audit log but not users; a planner neither; an admin may not
    disable themselves. Disabling a user ends their sessions and is audited."""
    token = login(client, "boss")
    client.headers["X-CSRF-Token"] = token
    assert client.get("/admin/users").status_code == 403
    assert client.post("/api/admin/users", json={"username": "x1", "password": "long-enough-1",
                                                 "role": "admin"}).status_code == 403
    inactive = _post(client, "/admin/agents", token, agent_id="A1", name="Li", team="", skills="", active="")
    assert inactive.status_code == 303
    assert client.get("/admin/audit").status_code == 200
    with engine.connect() as conn:
        assert inactive_agents(conn) == {"A1"}
    del client.headers["X-CSRF-Token"]
    client.cookies.clear()
    login(client, "pat")
    assert client.get("/admin").status_code == 403 and client.get("/api/admin/queues").status_code == 403
    client.cookies.clear()
    token = login(client, "root")
    refused = _post(client, "/admin/users/root/disable", token)
    assert refused.status_code == 400 and 'id="user-error"' in refused.text
    pat = TestClient(client.app)
    login(pat, "pat")
    assert _post(client, "/admin/users/pat/disable", token).status_code == 303
    assert pat.get("/workforce", follow_redirects=False).status_code in (302, 303, 307)
    with engine.connect() as conn:
        assert [e.changes() for e in list_entries(conn, entity="user", key="pat")] == [[("active", True, False)]]


def _calls_in_jerusalem() -> list[Call]:
    """Calls every hour 08:00-19:00 Jerusalem time for 8 weeks, the last day 1999-02-28."""
    out: list[Call] = []
    first = dt.date(1999, 1, 4)
    for day in range(56):
        for hour in range(8, 20):
            at = dt.datetime.combine(first + dt.timedelta(days=day), dt.time(hour), tzinfo=dt.timezone(
                dt.timedelta(hours=2))).astimezone(dt.UTC)
            out.append(Call(source="t", source_call_id=f"{day}-{hour}", direction=Direction.INBOUND,
                            outcome=Outcome.ANSWERED, queue="PS", queue_entered_at=at,
                            answered_at=at + dt.timedelta(seconds=5), ended_at=at + dt.timedelta(seconds=100),
                            agent="A1", talk_s=95.0))
    return out


def test_forecast_follows_the_queue_site(client: TestClient, engine: sa.Engine) -> None:
    """With the queue in a Jerusalem site without a calendar, the forecast API answers in Asia/Jerusalem, starts
    at the first open hour after the last day with calls, and applies no holidays; the page defaults to that last
    day and offers a model picker, with a message a manager understands when the history is too short for auto."""
    with engine.begin() as conn:
        insert_calls(conn, _calls_in_jerusalem())
    token = login(client, "root")
    _post(client, "/admin/sites", token, name="il", tz="Asia/Jerusalem", holidays="none")
    _post(client, "/admin/queues", token, queue="PS", description="", sl_threshold_s="20", sl_target_pct="80",
          abandon_target_pct="5", site="il")
    answer = client.get("/api/workforce/forecast", params={"history_from": "1999-01-04", "history_to": "1999-02-28",
                                                           "queue": "PS", "horizon": "7d"}).json()
    assert answer["tz"] == "Asia/Jerusalem" and answer["report"]["holidays"] == "none"
    assert answer["forecast"][0]["interval_start"] == "1999-03-01T08:00:00+02:00"  # the first open hour there
    assert answer["history"][-1]["interval_start"].startswith("1999-02-28T")
    page = client.get("/workforce/forecast", params={"queue": "PS", "horizon": "7d"}).text
    assert 'value="1999-02-28"' in page and "Asia/Jerusalem" in page and 'id="fc-model"' in page
    short = client.get("/workforce/forecast", params={"queue": "PS", "from": "1999-02-20", "to": "1999-02-28",
                                                      "horizon": "14d"}).text
    assert "Choose a model in the Model list" in short and "--model" not in short
    picked = client.get("/workforce/forecast", params={"queue": "PS", "from": "1999-02-20", "to": "1999-02-28",
                                                       "horizon": "14d", "model": "weekly_average"}).text
    assert 'id="forecast-table"' in picked


BAD_VALUES = ("", " ", "x" * 5000, "-1", "80%%", "1e400", "<script>alert(1)</script>", "../etc/passwd", "a/b",
              "nul\x00byte", "é中文", "99999999999999999999")
FORMS = {"/admin/teams": ("team", "lead"), "/admin/sites": ("name", "tz", "holidays"),
         "/admin/agents": ("agent_id", "name", "team", "skills"),
         "/admin/queues": ("queue", "description", "sl_threshold_s", "sl_target_pct", "abandon_target_pct", "site"),
         "/admin/users": ("username", "display_name", "role", "agent_id", "locale", "password")}


def test_no_bad_value_makes_an_admin_page_fail(client: TestClient) -> None:
    """Every field of every admin form, and the audit filters, given each bad value: never a 5xx."""
    token = login(client, "root")
    client.headers["X-CSRF-Token"] = token
    failures = []
    for path, fields in FORMS.items():
        for field in fields:
            for value in BAD_VALUES:
                response = _post(client, path, token, **{field: value})
                if response.status_code >= 500:
                    failures.append((path, field, value[:20], response.status_code))
    for param in ("entity", "key", "actor", "from", "to", "page"):
        for value in BAD_VALUES:
            for path in ("/admin/audit", "/api/admin/audit"):
                response = client.get(path, params={param: value})
                if response.status_code >= 500:
                    failures.append((path, param, value[:20], response.status_code))
    for value in BAD_VALUES[1:]:
        for path, body in (("/api/admin/teams/", {"lead": value}), ("/api/admin/sites/", {"tz": value}),
                           ("/api/admin/queues/", {"site": value}), ("/api/admin/agents/", {"name": value})):
            response = client.put(path + quote(value, safe=""), json=body)
            if response.status_code >= 500:
                failures.append((path, "body", value[:20], response.status_code))
        response = client.get("/admin/users/" + quote(value, safe=""))
        if response.status_code >= 500:
            failures.append(("/admin/users/", "name", value[:20], response.status_code))
    assert failures == []


def test_user_actions_end_sessions_and_are_audited(client: TestClient, engine: sa.Engine) -> None:
    """Role change, password reset, unlock and sign-out-everywhere from /admin/users/{name}: each is audited, and
    each but unlock ends the user's live session; a role needing an agent id without one is refused beside it."""
    token = login(client, "root")
    pat = TestClient(client.app)
    login(pat, "pat")
    assert pat.get("/workforce").status_code == 200
    refused = _post(client, "/admin/users/pat/role", token, role="agent", agent_id="")
    assert refused.status_code == 400 and _field_error(refused.text, "agent_id")
    assert pat.get("/workforce").status_code == 200  # nothing changed
    assert _post(client, "/admin/users/pat/role", token, role="qa", agent_id="").status_code == 303
    assert pat.get("/workforce", follow_redirects=False).status_code != 200
    login(pat, "pat")
    assert _post(client, "/admin/users/pat/password", token, password="brand-new-pass").status_code == 303
    assert pat.get("/qa", follow_redirects=False).status_code != 200
    login(pat, "pat", "brand-new-pass")
    assert _post(client, "/admin/users/pat/unlock", token).status_code == 303
    assert pat.get("/qa").status_code == 200
    assert _post(client, "/admin/users/pat/sessions", token).status_code == 303
    assert pat.get("/qa", follow_redirects=False).status_code != 200
    with engine.connect() as conn:
        actions = [e.action for e in reversed(list_entries(conn, entity="user", key="pat"))]
    assert actions == ["user.role_changed", "user.password_reset", "user.unlocked", "user.signed_out"]
    page = client.get("/admin/audit", params={"key": "pat"}).text
    assert "Workforce planner → Quality analyst" in page
