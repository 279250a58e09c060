"""The repurchase ratio (pure, the store on SQLite and PostgreSQL, the CLI and the page) and the journey plan
from the stored attempts (`callops campaign journey`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.dialer import Channel, Outcome
from callops.dialer.repurchase import Sale, repurchase_ratio
from callops.records import Role
from callops.store.campaigns import AttemptIn, create_campaign, record_attempts, sales_for_repurchase
from callops.web import create_app
from web_sign_in import insert_users, login

CST = dt.timezone(dt.timedelta(hours=8))
JAN = dt.datetime(2026, 1, 1, tzinfo=CST)
MAR = dt.datetime(2026, 3, 1, tzinfo=CST)


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CST)


def test_first_purchase_then_repurchases_per_campaign_and_month() -> None:
    """a buys in January (first) then twice in February (repeats, one in another campaign); c's first purchase
    is before the period, so its February sale is a repurchase; months are local (Jan 31 23:30 UTC is February
    in Beijing)."""
    sales = [
        Sale("a", _at(1, 10), "spring"),
        Sale("a", _at(2, 10), "spring"),
        Sale("a", _at(2, 20), "summer"),
        Sale("b", dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC), "spring"),
        Sale("c", dt.datetime(2025, 12, 5, tzinfo=CST), "old"),
        Sale("c", _at(2, 6), "spring"),
    ]
    out = repurchase_ratio(sales, start=JAN, end=MAR)
    rows = {(r["campaign"], r["month"]): (r["first"], r["repeat"], r["ratio"]) for r in out["rows"]}
    assert rows == {
        ("spring", "2026-01"): (1, 0, 0.0),
        ("spring", "2026-02"): (1, 2, 2.0),
        ("summer", "2026-02"): (0, 1, None),
    }
    assert out["total"] == {"first": 2, "repeat": 3, "ratio": 1.5}
    assert [m["month"] for m in out["months"]] == ["2026-01", "2026-02"]
    utc = repurchase_ratio(sales, start=JAN, end=MAR, zone="UTC")
    assert {m["month"]: m["first"] for m in utc["months"]} == {"2026-01": 2, "2026-02": 0}
    only = repurchase_ratio(sales, start=JAN, end=MAR, campaign="summer")
    assert only["total"] == {"first": 0, "repeat": 1, "ratio": None}
    nine = [Sale("m", _at(1, 1), "x")] + [Sale("m", _at(1, 2 + i), "x") for i in range(9)]
    assert repurchase_ratio(nine, start=JAN, end=MAR)["total"]["ratio"] == 9.0


def _fill(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        spring = create_campaign(
            conn, name="spring", purpose="sales", mode="progressive", caller_number="4008123123", now=JAN
        )
        summer = create_campaign(
            conn, name="summer", purpose="sales", mode="progressive", caller_number="4008123123", now=JAN
        )
        record_attempts(
            conn,
            spring,
            [
                AttemptIn("a", "+8613800138001", Channel.CALL, _at(1, 10), Outcome.SUCCESS),
                AttemptIn("a", "+8613800138001", Channel.CALL, _at(2, 10), Outcome.SUCCESS),
                AttemptIn("b", "+8613800138002", Channel.CALL, _at(2, 5), Outcome.SUCCESS),
                AttemptIn("b", "+8613800138002", Channel.SMS, _at(2, 6), Outcome.SUCCESS),  # not a sale
                AttemptIn(
                    "c", "+8613800138003", Channel.CALL, dt.datetime(2025, 12, 5, 10, tzinfo=CST), Outcome.SUCCESS
                ),
                AttemptIn("c", "+8613800138003", Channel.CALL, _at(2, 6), Outcome.SUCCESS),
                AttemptIn("d", "+8613800138004", Channel.CALL, _at(2, 7), Outcome.REFUSED),
            ],
        )
        record_attempts(conn, summer, [AttemptIn("a", "+8613800138001", Channel.CALL, _at(2, 20), Outcome.SUCCESS)])


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_store_cli_and_journey(engine: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The store reads each buyer's earlier sales too; the CLI prints the same numbers as the pure function;
    `campaign journey` plans b's touches (a and c repurchased) on the stored attempts, none before it is due."""
    _fill(engine)
    with engine.connect() as conn:
        sales = sales_for_repurchase(conn, start=JAN, end=MAR)
        assert sorted(s.member for s in sales) == ["a", "a", "a", "b", "c", "c"]
        assert len(sales_for_repurchase(conn, start=JAN, end=MAR, campaign="summer")) == 3  # a's three sales
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    out = json.loads(
        _cli("campaign", "repurchase", "--start", JAN.isoformat(), "--end", MAR.isoformat(), "--json").stdout
    )
    assert out["total"] == {"first": 2, "repeat": 3, "ratio": 1.5} and out["good_ratio"] == 9.0
    summer = json.loads(
        _cli(
            "campaign",
            "repurchase",
            "--start",
            JAN.isoformat(),
            "--end",
            MAR.isoformat(),
            "--campaign",
            "summer",
            "--json",
        ).stdout
    )
    assert summer["rows"] == [{"campaign": "summer", "month": "2026-02", "first": 0, "repeat": 1, "ratio": None}]
    bad = CliRunner().invoke(cli, ["campaign", "repurchase", "--start", MAR.isoformat(), "--end", JAN.isoformat()])
    assert bad.exit_code != 0 and "--end" in bad.output

    planned = _cli("campaign", "journey", "--start", MAR.isoformat(), "--days", "40", "--json")
    touches = json.loads(planned.stdout)
    assert "members in the journey: 1" in planned.stderr
    assert {t["member"] for t in touches} == {"b"}
    assert [t["touch"] for t in touches] == [1, 2, 3, 4] and [t["channel"] for t in touches] == [
        "sms",
        "call",
        "email",
        "call",
    ]
    assert all(t["planned_at"] >= t["due_at"] for t in touches)
    (tmp_path / "j.yaml").write_text("touches:\n - {after: 2d, channel: pigeon}\n", encoding="utf-8")
    refused = CliRunner().invoke(
        cli, ["campaign", "journey", "--start", MAR.isoformat(), "--journey", str(tmp_path / "j.yaml")]
    )
    assert refused.exit_code != 0 and "touches[0].channel" in refused.output


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    _fill(engine)
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en")])
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(
        create_app(
            Settings(database_url=url, secret_key="test-secret"), clock=lambda: dt.datetime(2026, 2, 25, tzinfo=dt.UTC)
        )
    ) as test_client:
        yield test_client


def test_repurchase_page(client: TestClient) -> None:
    login(client, "boss")
    page = client.get("/outbound/repurchase?months=2")
    assert page.status_code == 200
    assert 'data-ratio="1.5"' in page.text and 'data-month="2026-02"' in page.text
    assert 'data-month="2025-12"' not in page.text
    one = client.get("/outbound/repurchase?months=2&campaign=summer")
    assert 'id="repurchase-total" data-ratio=""' in one.text
    assert client.get("/outbound/repurchase?months=99").status_code == 400
    assert client.get("/outbound/repurchase?campaign=nope").status_code == 400
