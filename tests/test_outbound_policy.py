"""The site's contact policy (SQLite and PostgreSQL): the form reshaped for the one validator, versions saved and
audited, `callops contacts policy show|set`, `contacts check` using the stored policy (and exactly the default
without one), the policy page refusing a bad form with the error beside its field and the input kept, and the
member page's why-not following the stored policy."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.dialer import Channel, Outcome, PolicyError, china_default, load_policy, policy_from_mapping
from callops.dialer.policy import dump_policy, policy_to_mapping
from callops.dialer.policy_form import form_field, form_values, mapping_from_form
from callops.errors import InvalidInput
from callops.records import Role
from callops.services.contact_policy import policy_in_force, save_site_policy
from callops.store.audit_log import list_entries
from callops.store.campaigns import AttemptIn, create_campaign, record_attempts
from callops.store.contact_policy import policy_versions
from callops.web import create_app
from contact_history import HISTORY
from web_sign_in import insert_users, login

NOW = dt.datetime(2026, 3, 2, 7, 1, tzinfo=dt.UTC)  # 15:01 in Beijing
STRICT = {
    **policy_to_mapping(china_default()),
    "caps": [{"channel": "call", "limit": 2, "window": "24h"}],
    "refusal_cap": 0,
}


def test_policy_round_trips_through_yaml_and_the_form() -> None:
    """A policy dumped as YAML or shown in the form reads back equal; the form's text reaches the validator."""
    policy = load_policy(
        "timezone: Asia/Shanghai\ncalling_window: {start: '09:00', end: '20:30'}\ncaps:\n"
        " - {channel: sms, limit: 3, window: 7d}\n - {channel: call, limit: 4, window: 24h}\n"
        "refusal_cap: 1\nquiet_after_abandon_h: 48.5\nholidays: ['2026-10-01']\n"
        "holiday_calendar: CN\n"
    )
    assert load_policy(dump_policy(policy)) == policy
    form = mapping_from_form(form_values(policy_to_mapping(policy)))
    assert policy_from_mapping(form.settings) == policy
    assert form.cap_rows == (0, 1)


def test_form_errors_name_the_form_field() -> None:
    """The validator's setting names map back to the form's fields, cap rows counted with blanks skipped."""
    values = {
        "timezone": "Asia/Shanghai",
        "window_start": "21:00",
        "window_end": "08:00",
        "refusal_cap": "2",
        "quiet_after_abandon_h": "72",
        "cap_2_channel": "call",
        "cap_2_limit": "5",
        "cap_2_window": "24h",
        "cap_5_channel": "call",
        "cap_5_limit": "9",
        "cap_5_window": "5min",
    }
    form = mapping_from_form(values)
    with pytest.raises(PolicyError) as err:
        policy_from_mapping(form.settings)
    assert form_field(err.value.field, form.cap_rows) == "window_end"
    form = mapping_from_form({**values, "window_start": "08:00", "window_end": "21:00"})
    with pytest.raises(PolicyError) as err:
        policy_from_mapping(form.settings)
    assert err.value.field == "caps[1].limit"
    assert form_field(err.value.field, form.cap_rows) == "cap_5_limit"
    form = mapping_from_form({**values, "window_start": "08:00", "window_end": "21:00", "cap_5_limit": "three"})
    with pytest.raises(PolicyError) as err:
        policy_from_mapping(form.settings)
    assert form_field(err.value.field, form.cap_rows) == "cap_5_limit"
    form = mapping_from_form(
        {**values, "window_start": "08:00", "window_end": "21:00", "refusal_cap": "-1", "cap_5_limit": "3"}
    )
    with pytest.raises(PolicyError) as err:
        policy_from_mapping(form.settings)
    assert form_field(err.value.field, form.cap_rows) == "refusal_cap"


def test_saved_versions_are_audited(engine: sa.Engine) -> None:
    """Each save is the next version, normalised, with the audit entry before -> after; a bad one writes nothing."""
    with engine.begin() as conn:
        assert policy_in_force(conn) == (china_default(), None)
        first = save_site_policy(conn, STRICT, actor="boss", at=NOW, note="fewer calls")
        second = save_site_policy(conn, {**STRICT, "refusal_cap": 1}, actor="root", at=NOW + dt.timedelta(hours=1))
    assert (first.version, second.version) == (1, 2)
    with engine.begin() as conn:
        with pytest.raises(InvalidInput) as err:
            save_site_policy(
                conn, {**STRICT, "calling_window": {"start": "22:00", "end": "07:00"}}, actor="boss", at=NOW
            )
        assert err.value.field == "calling_window.end"
    with engine.connect() as conn:
        policy, stored = policy_in_force(conn)
        assert stored is not None and stored.version == 2 and stored.saved_by == "root"
        assert policy.refusal_cap == 1 and [c.name for c in policy.caps] == ["calls_per_24h"]
        assert [v.note for v in policy_versions(conn)] == ["", "fewer calls"]
        entries = list_entries(conn, entity="contact_policy")
    assert len(entries) == 2
    assert ("refusal_cap", 0, 1) in entries[0].changes()
    assert entries[1].before is None and entries[1].after is not None and entries[1].after["version"] == 1


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_policy_set_show_and_check(
    engine: sa.Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a stored policy `contacts check` prints exactly what it prints without a database; `policy set`
    refuses a contradictory file naming the field; once set, `check` follows it (and says so on stderr)."""
    history = tmp_path / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    check = ("contacts", "check", "--history", str(history), "--at", "2026-03-02T15:01:00+08:00", "--json")
    monkeypatch.setenv("CALLOPS_DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")
    without_db = _cli(*check)
    assert without_db.exit_code == 0 and not (tmp_path / "absent.db").exists()
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    assert _cli(*check).stdout == without_db.stdout
    shown = _cli("contacts", "policy", "show")
    assert shown.exit_code == 0 and "China default" in shown.stdout
    assert load_policy(shown.stdout) == china_default()

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "caps:\n - {channel: call, limit: 5, window: 24h}\n - {channel: call, limit: 8, window: 5min}\n",
        encoding="utf-8",
    )
    refused = CliRunner().invoke(cli, ["contacts", "policy", "set", str(bad)])
    assert refused.exit_code != 0 and "caps[1].limit" in refused.output
    good = tmp_path / "good.yaml"
    good.write_text("caps:\n - {channel: call, limit: 2, window: 24h}\nrefusal_cap: 0\n", encoding="utf-8")
    assert "version 1" in _cli("contacts", "policy", "set", str(good), "--note", "pilot").stdout
    shown_json = json.loads(_cli("contacts", "policy", "show", "--json").stdout)
    assert shown_json["version"] == 1 and shown_json["settings"]["refusal_cap"] == 0

    stored = _cli(*check)
    assert "version 1" in stored.stderr
    before = {d["member"]: d for d in json.loads(without_db.stdout)}
    after = {d["member"]: d for d in json.loads(stored.stdout)}
    assert before["m5"]["allowed"] and before["m6"]["allowed"]
    assert after["m5"]["allowed"]  # one call in the last 24 h
    assert after["m1"]["rule"] == "calls_per_24h"
    explicit = _cli(*check, "--policy", str(good))
    assert explicit.stdout == stored.stdout and "version" not in explicit.stderr


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("pat", Role.PLANNER, None, "zh-CN")])
        camp = create_campaign(
            conn, name="spring", purpose="sales", mode="predictive", caller_number="4008123123", now=NOW
        )
        at = NOW - dt.timedelta(hours=3)
        record_attempts(
            conn,
            camp,
            [
                AttemptIn("m1", "+8613800138001", Channel.CALL, at + dt.timedelta(minutes=i), Outcome.NO_ANSWER)
                for i in range(2)
            ],
        )
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, secret_key="test-secret")
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def _error(html: str, field: str) -> str:
    found = re.search(rf'id="err-{field}"[^>]*>([^<]+)<', html)
    assert found, f"no error beside {field}"
    return found.group(1)


def _form(html: str) -> dict[str, str]:
    values = dict(re.findall(r'<input name="([a-z_0-9]+)" id="pol-[a-z_0-9]+" value="([^"]*)"', html))
    values.update(re.findall(r'<select name="([a-z_0-9]+)"[^>]*>.*?<option value="([a-z]+)" selected', html))
    return values


def test_policy_page_refuses_a_bad_form_and_saves_a_good_one(client: TestClient) -> None:
    """A contradictory window answers 400 with the error beside `window_end` and every typed value kept; a good
    form saves version 1 and the member page's why-not follows it; a planner sees the page but cannot save."""
    token = login(client, "boss")
    page = client.get("/outbound/policy")
    assert page.status_code == 200 and 'id="policy-in-force"' in page.text
    values = _form(page.text)
    assert values["window_start"] == "08:00" and values["cap_0_limit"] == "5" and values["cap_0_channel"] == "call"
    member = client.get("/outbound/members/m1")
    assert 'data-channel="call" data-rule=""' in member.text  # two calls so far: allowed under the default

    bad = {**values, "window_start": "21:00", "window_end": "08:00", "note": "night shift"}
    response = client.post("/outbound/policy", data={"csrf_token": token, **bad}, follow_redirects=False)
    assert response.status_code == 400
    assert "window would never open" in _error(response.text, "window_end")
    kept = _form(response.text)
    assert kept["window_start"] == "21:00" and kept["window_end"] == "08:00" and kept["cap_0_limit"] == "5"
    assert 'value="night shift"' in response.text

    contradiction = {**values, "cap_2_channel": "call", "cap_2_limit": "9", "cap_2_window": "1h"}
    response = client.post("/outbound/policy", data={"csrf_token": token, **contradiction}, follow_redirects=False)
    assert response.status_code == 400 and "contradicts" in _error(response.text, "cap_2_limit")
    response = client.post(
        "/outbound/policy", data={"csrf_token": token, **values, "quiet_after_abandon_h": "x"}, follow_redirects=False
    )
    assert response.status_code == 400 and _error(response.text, "quiet_after_abandon_h")
    assert "No version saved yet" in client.get("/outbound/policy").text

    good = {**values, "cap_0_limit": "2", "cap_1_limit": "2", "note": "pilot"}
    response = client.post("/outbound/policy", data={"csrf_token": token, **good}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/outbound/policy?saved=1"
    page = client.get("/outbound/policy?saved=1")
    assert 'id="policy-saved"' in page.text and _form(page.text)["cap_0_limit"] == "2"
    member = client.get("/outbound/members/m1")
    assert 'data-channel="call" data-rule="calls_per_24h"' in member.text
    assert "at most 2 (Call) in 24h" in member.text
    audit = client.get("/admin/audit?entity=contact_policy")
    assert audit.status_code == 200 and "contact_policy.saved" in audit.text and "contact policy" in audit.text

    client.post("/logout", data={"csrf_token": token})
    token = login(client, "pat")
    page = client.get("/outbound/policy")
    assert page.status_code == 200 and 'id="policy-read-only"' in page.text and "联系策略" in page.text
    refused = client.post("/outbound/policy", data={"csrf_token": token, **good}, follow_redirects=False)
    assert refused.status_code == 403
