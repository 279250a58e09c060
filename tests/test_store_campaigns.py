"""Outbound campaigns in the store (SQLite and PostgreSQL): create, contact lists, attempts, consent/DNC, plan,
report; bad lists refused with nothing written; a planned campaign checked by the independent per-member loop."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from callops.cli import cli
from callops.dialer import Channel, HistoryRow, Outcome, check_member_loop, china_default
from callops.dialer.contact_list import read_contact_rows
from callops.errors import Conflict, InvalidInput
from callops.store.campaigns import (
    AttemptIn,
    add_contacts,
    create_campaign,
    get_campaign,
    history_for,
    outbound_report,
    record_attempts,
)
from callops.store.schema import campaign_contacts

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def cli_run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_campaign_contacts_attempts_and_report(engine: sa.Engine) -> None:
    """A campaign is created with validated fields; contacts re-imported add nothing; attempts are stored once;
    the report counts dials, connects, right-party contacts, conversion, refusals and abandons per agent."""
    with engine.begin() as conn:
        with pytest.raises(InvalidInput) as err:
            create_campaign(conn, name="spring", purpose="sales", mode="robocall", caller_number="4008123123",
                            now=NOW)
        assert err.value.field == "mode"
        made = create_campaign(conn, name="spring", purpose="sales", mode="predictive",
                               caller_number="010 8888 6666", now=NOW)
        assert made.caller_number == "+861088886666"
        with pytest.raises(Conflict):
            create_campaign(conn, name="spring", purpose="care", mode="preview", caller_number="01088886666", now=NOW)
    listing = read_contact_rows(["id", "mobile"], [["a", "13800138001"], ["b", "138 0013 8002"],
                                                   ["a", "+86 138 0013 8001"]],
                                mapping={"member": "id", "phone": "mobile"}, file="list.csv")
    assert listing.merged == 1
    with engine.begin() as conn:
        camp = get_campaign(conn, "spring")
        assert add_contacts(conn, camp, listing.contacts) == (2, 0)
        assert add_contacts(conn, camp, listing.contacts) == (0, 2)
        at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST)
        rows = [AttemptIn("a", "+8613800138001", Channel.CALL, at, Outcome.SUCCESS, "ag1", 120.0, 20.0),
                AttemptIn("b", "+8613800138002", Channel.CALL, at, Outcome.REFUSED, "ag1", 30.0, 10.0),
                AttemptIn("b", "+8613800138002", Channel.CALL, at + dt.timedelta(hours=1), Outcome.NO_ANSWER, "ag2"),
                AttemptIn("a", "+8613800138001", Channel.CALL, at + dt.timedelta(hours=2), Outcome.ABANDONED)]
        assert record_attempts(conn, camp, rows) == (4, 0)
        assert record_attempts(conn, camp, rows) == (0, 4)
        assert len(history_for(conn, ["a", "b"])) == 4
        report = outbound_report(conn, camp, start=at - dt.timedelta(days=1), end=at + dt.timedelta(days=1))
    total = report["total"]
    assert (total["dials"], total["connects"], total["right_party_contacts"], total["successes"]) == (4, 2, 2, 1)
    assert total["conversion"] == 0.5 and total["refusal_rate"] == 0.5
    assert total["abandon_rate"] == pytest.approx(1 / 3) and total["max_window_abandon_rate"] == pytest.approx(1 / 3)
    assert [a["agent"] for a in report["agents"]] == ["ag1", "ag2"] and report["agents"][0]["talk_s"] == 150.0


def test_bad_contact_list_writes_nothing(engine: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    """A malformed number, a member with two numbers or an unknown column: exit 1 naming line/field, no rows."""
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    assert cli_run("campaign", "create", "c1", "--purpose", "care", "--caller-number", "4008123123").exit_code == 0
    cases = {
        "member,phone\nm1,13800138001\nm2,12345\n": "line 3, field phone",
        "member,phone\nm1,13800138001\nm1,13800138009\n": "line 3, field member",
        "member,phone,vip\nm1,13800138001,1\n": "field vip",
    }
    for text, message in cases.items():
        path = tmp_path / "list.csv"
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["campaign", "import", "c1", str(path)])
        assert result.exit_code == 1 and message in result.output, result.output
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(campaign_contacts)).scalar() == 0
    path.write_text("客户编号,手机,备注\nm1,13800138001,x\nm2,0755-8888 6666,y\n", encoding="utf-8")
    ok = cli_run("campaign", "import", "c1", str(path), "--map", "member=客户编号", "--map", "phone=手机",
                 "--ignore", "备注", "--json")
    assert json.loads(ok.output) == {"inserted": 2, "already_listed": 0, "merged_duplicates": 0}


def test_planned_campaign_has_no_violations(engine: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """`campaign plan --json` plans each contact once; the independent per-member loop finds 0 violations,
    DNC/withdrawn/refusal-capped members are left out, and capacity per hour is respected."""
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    members = [f"m{i:03d}" for i in range(300)]
    (tmp_path / "list.csv").write_text("member,phone\n" + "".join(f"{m},1380013{i:04d}\n" for i, m in
                                                                    enumerate(members)), encoding="utf-8")
    base = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)
    hist = ["member,phone,channel,at,outcome,campaign"]
    for i, m in enumerate(members[:120]):
        for k in range(i % 6):
            hist.append(f"{m},1380013{i:04d},call,{(base + dt.timedelta(minutes=3 * k + i)).isoformat()},"
                        f"{'refused' if k == 0 and i % 5 == 0 else 'no_answer'},spring")
    hist.append(f"m200,13800130200,call,{(base + dt.timedelta(hours=1)).isoformat()},abandoned,spring")
    (tmp_path / "hist.csv").write_text("\n".join(hist) + "\n", encoding="utf-8")
    (tmp_path / "consent.csv").write_text("member,channel,purpose,status,at\nm250,call,*,withdrawn,"
                                          "2026-03-01T00:00:00+08:00\n", encoding="utf-8")
    (tmp_path / "dnc.txt").write_text("13800130251\n", encoding="utf-8")
    assert cli_run("campaign", "create", "spring", "--purpose", "sales", "--mode", "predictive",
                   "--caller-number", "4008123123").exit_code == 0
    cli_run("campaign", "import", "spring", str(tmp_path / "list.csv"))
    assert cli_run("campaign", "attempts", "spring", str(tmp_path / "hist.csv")).exit_code == 0
    cli_run("campaign", "consent", str(tmp_path / "consent.csv"))
    cli_run("campaign", "dnc", str(tmp_path / "dnc.txt"))
    start = dt.datetime(2026, 3, 2, 19, 30, tzinfo=CST)
    result = cli_run("campaign", "plan", "spring", "--start", start.isoformat(), "--days", "2",
                     "--attempts-per-hour", "40", "--json")
    assert result.exit_code == 0, result.output
    planned = json.loads(result.output.splitlines()[-1])
    assert 200 < len(planned) < 300 and len({p["member"] for p in planned}) == len(planned)
    assert {"m250", "m251"}.isdisjoint({p["member"] for p in planned})
    with engine.connect() as conn:
        history = history_for(conn, members)
    by_member: dict[str, list[HistoryRow]] = {}
    for row in history:
        by_member.setdefault(row.member, []).append(row)
    policy = china_default()
    violations = []
    per_hour: dict[str, int] = {}
    for p in planned:
        when = dt.datetime.fromisoformat(p["planned_at"])
        per_hour[when.strftime("%Y%m%d%H")] = per_hour.get(when.strftime("%Y%m%d%H"), 0) + 1
        verdict = check_member_loop(p["member"], by_member.get(p["member"], []), "Asia/Shanghai", policy, when,
                                    holidays=frozenset(), channel=Channel.CALL, campaign="spring",
                                    no_consent=False, dnc=False)
        if not verdict["allowed"]:
            violations.append((p, verdict))
    assert violations == []
    assert max(per_hour.values()) <= 40
    assert min(dt.datetime.fromisoformat(p["planned_at"]) for p in planned) >= start


def test_0014_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0014 exactly the five outbound tables are gone; upgrading to head brings them back."""
    from alembic import command

    from callops.store import upgrade
    from callops.store.engine import _alembic_config

    outbound = {"campaigns", "campaign_contacts", "contact_consents", "dnc_numbers", "contact_attempts"}
    before = set(sa.inspect(engine).get_table_names())
    assert outbound <= before
    try:
        command.downgrade(_alembic_config(engine), "0014")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), "0012")  # the revision 0014 follows
        assert set(sa.inspect(engine).get_table_names()) == tables - outbound
    finally:
        upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) == before
