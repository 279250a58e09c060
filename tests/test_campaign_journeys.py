"""Each campaign's journey stored in the database (store.campaign_journeys): the CLI saves, lists and shows it, the
planner uses it, and the campaign page shows and edits it with errors beside their fields (English and zh-CN)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.dialer import Channel, Outcome
from callops.dialer.journey_form import form_field, mapping_from_journey_form
from callops.errors import InvalidInput
from callops.records import Role
from callops.store.campaign_journeys import journey_of, list_journeys, save_journey
from callops.store.campaigns import AttemptIn, create_campaign, get_campaign, record_attempts
from callops.store.schema import users
from callops.web import create_app
from web_sign_in import login, password_hash

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
JOURNEY = """name: welcome
touches:
  - {after: 1d, channel: call, purpose: care}
  - {after: 3d, channel: sms, purpose: sales}
"""


def _campaigns(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in ("spring", "welcome"):
            create_campaign(conn, name=name, purpose="sales", mode="progressive", caller_number="4008123123",
                            now=NOW)


def test_save_replaces_and_refuses_naming_the_field(engine: sa.Engine) -> None:
    """A journey is stored per campaign (saving again replaces it); a bad spacing is refused naming the touch, a
    journey naming another campaign is refused, and nothing is stored by a refused save."""
    _campaigns(engine)
    with engine.begin() as conn:
        camp = get_campaign(conn, "welcome")
        first = save_journey(conn, camp, {"touches": [{"after": "2d", "channel": "sms"}]}, saved_by="ann", now=NOW)
        assert first.journey.campaign == "welcome" and first.journey.name == "welcome"
        save_journey(conn, camp, {"name": "w2", "touches": [{"after": "1d", "channel": "call"},
                                                             {"after": "7d", "channel": "email"}]},
                     saved_by="bob", now=NOW + dt.timedelta(hours=1))
        with pytest.raises(InvalidInput) as bad:
            save_journey(conn, get_campaign(conn, "spring"), {"touches": [{"after": "1d", "channel": "call"},
                                                                           {"after": "7x", "channel": "sms"}]},
                         saved_by="ann", now=NOW)
        assert bad.value.field == "touches[1].after"
        with pytest.raises(InvalidInput) as other:
            save_journey(conn, camp, {"campaign": "spring", "touches": [{"after": "1d", "channel": "call"}]},
                         saved_by="ann", now=NOW)
        assert other.value.field == "campaign"
    with engine.connect() as conn:
        stored = journey_of(conn, get_campaign(conn, "welcome"))
        assert stored is not None and stored.saved_by == "bob" and stored.journey.name == "w2"
        assert [t.channel for t in stored.journey.touches] == [Channel.CALL, Channel.EMAIL]
        assert [s.campaign for s in list_journeys(conn)] == ["welcome"]
        assert journey_of(conn, get_campaign(conn, "spring")) is None


def test_cli_save_list_show_and_plan_with_the_stored_journey(engine: sa.Engine, db_url: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`campaign journeys save` stores the YAML, `list` and `show` read it back, `campaign journey --campaign`
    plans the stored touches (the first, a care call, due a day after the purchase); a bad file names the field."""
    _campaigns(engine)
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    with engine.begin() as conn:
        record_attempts(conn, get_campaign(conn, "spring"),
                        [AttemptIn("m1", "+8613800138001", Channel.CALL, NOW, Outcome.SUCCESS)])
    path = tmp_path / "welcome.yaml"
    path.write_text(JOURNEY)
    run = CliRunner()
    saved = run.invoke(cli, ["campaign", "journeys", "save", "welcome", str(path), "--by", "ann"])
    assert saved.exit_code == 0, saved.output
    listed = json.loads(run.invoke(cli, ["campaign", "journeys", "list", "--json"]).stdout)
    assert [(r["campaign"], r["name"], r["touches"], r["saved_by"]) for r in listed] == [("welcome", "welcome", 2,
                                                                                            "ann")]
    shown = run.invoke(cli, ["campaign", "journeys", "show", "welcome"])
    assert shown.exit_code == 0 and "name: welcome\ncampaign: welcome\ntouches:\n- after: 1d\n" in shown.stdout
    plan = run.invoke(cli, ["campaign", "journey", "--campaign", "welcome", "--start", "2026-03-02T08:00:00+08:00",
                            "--days", "3", "--json"])
    assert plan.exit_code == 0, plan.output
    touches = json.loads(plan.stdout)
    assert [(t["member"], t["touch"], t["channel"], t["purpose"], t["campaign"]) for t in touches] == [
        ("m1", 1, "call", "care", "welcome")]
    assert touches[0]["due_at"] == "2026-03-03T02:00:00+00:00"
    bad = tmp_path / "bad.yaml"
    bad.write_text("touches:\n  - {after: 1d, channel: fax}\n")
    refused = run.invoke(cli, ["campaign", "journeys", "save", "welcome", str(bad)])
    assert refused.exit_code == 1 and "touches[0].channel" in refused.output and "bad.yaml" in refused.output
    none = run.invoke(cli, ["campaign", "journeys", "show", "spring"])
    assert none.exit_code == 1 and "no stored journey" in none.output


def test_form_rows_map_to_the_validators_fields() -> None:
    """Empty rows are no touch; the validator's touches[k] is the k-th filled row."""
    form = mapping_from_journey_form({"journey_name": "", "touch_0_after": "2d", "touch_0_channel": "sms",
                                      "touch_3_after": "9x", "touch_3_channel": "call",
                                      "touch_3_purpose": "care"}, campaign="spring")
    assert form.settings == {"name": "spring", "campaign": "spring", "touches": [
        {"after": "2d", "channel": "sms"}, {"after": "9x", "channel": "call", "purpose": "care"}]}
    assert form_field("touches[1].after", form.rows) == "touch_3_after"
    assert form_field("touches", form.rows) == "touch_0_after" and form_field("name", form.rows) == "journey_name"


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"username": name, "password_hash": password_hash(), "role": role.value,
                                       "agent_id": None, "locale": "en", "tz": "Asia/Shanghai", "active": True}
                                      for name, role in (("admin", Role.ADMIN), ("lead", Role.TEAM_LEAD))])
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), secret_key="t",
                              site_tz="Asia/Shanghai"), clock=lambda: NOW)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize(("locale", "spacing_error", "saved"), [
    ("en", "“9x” is not a spacing like 36h or 7d", "The journey is saved."),
    ("zh-CN", "“9x”不是 36h 或 7d 这样的间隔", "旅程已保存。"),
])
def test_the_campaign_page_edits_the_journey(client: TestClient, engine: sa.Engine, locale: str,
                                             spacing_error: str, saved: str) -> None:
    """The page shows the default journey until one is stored; a bad spacing comes back 400 beside its row with
    the form as typed; a good form stores the journey."""
    _campaigns(engine)
    token = login(client, "admin")
    if locale != "en":
        client.post("/language", data={"locale": locale, "csrf_token": token, "next": "/outbound"})
    page = client.get("/outbound/campaigns/spring").text
    assert 'id="journey-form"' in page and 'id="jr-touch_4_after" value="30d"' in page
    form = {"csrf_token": token, "journey_name": "spring-care", "touch_0_after": "2d", "touch_0_channel": "sms",
            "touch_0_purpose": "care", "touch_2_after": "9x", "touch_2_channel": "call", "touch_2_purpose": "sales"}
    bad = client.post("/outbound/campaigns/spring/journey", data=form)
    assert bad.status_code == 400
    error = re.search(r'id="err-touch_2_after"[^>]*>([^<]*)<', bad.text)
    assert error is not None and html.unescape(error.group(1)) == spacing_error
    assert 'id="jr-touch_2_after" value="9x"' in bad.text
    with engine.connect() as conn:
        assert journey_of(conn, get_campaign(conn, "spring")) is None
    good = client.post("/outbound/campaigns/spring/journey", data={**form, "touch_2_after": "9d"})
    assert good.status_code == 200 and saved in good.text
    with engine.connect() as conn:
        stored = journey_of(conn, get_campaign(conn, "spring"))
    assert stored is not None and stored.saved_by == "admin" and stored.journey.name == "spring-care"
    assert [(t.label, t.channel.value, t.purpose.value) for t in stored.journey.touches] == [
        ("2d", "sms", "care"), ("9d", "call", "sales")]
    client.post("/logout", data={"csrf_token": token})
    lead = login(client, "lead")
    assert client.post("/outbound/campaigns/spring/journey", data={**form, "csrf_token": lead}).status_code == 403
