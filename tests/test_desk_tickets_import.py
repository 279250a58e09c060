"""``callops tickets import`` and the ticket KPIs of ``callops report kpi`` on SQLite and PostgreSQL: a ticket
counts on the day it was opened in the report's zone; the import is atomic and idempotent; errors name the
line and field; ticket KPIs mix with call KPIs where the dimensions allow and refuse clearly where not."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.store.schema import customer_phones, ticket_events, tickets

HEADER = "ticket,phone,category,opened_at,resolved_at,escalated,contacts\n"
ROWS = (
    "K1,13800138000,complaint,2026-03-01T23:30:00+08:00,2026-03-02T03:30:00+08:00,true,1\n"
    "K2,010-8888 6666,inquiry,2026-03-01T10:00:00+08:00,2026-03-01T11:00:00+08:00,false,2\n"
    "K3,+86 138 0013 8000,complaint,2026-03-02T00:30:00+08:00,,false,1\n"
    "K4,,Complaint,2026-03-01T16:30:00Z,2026-03-01T18:30:00Z,FALSE,1\n"
)
KPIS = "tickets,complaints,escalated_share,fcr_ticket,median_resolution_h"


def _run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"CALLOPS_DATABASE_URL": db_url})
    return result.exit_code, result.output


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "tickets.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_import_is_idempotent_and_links_numbers_to_customers(db_url: str, engine: sa.Engine,
                                                              tmp_path: Path) -> None:
    """Four rows in, four again adds none; the two spellings of one mobile number are one customer."""
    path = _write(tmp_path, ROWS)
    assert _run(db_url, "tickets", "import", path, "--json") == (0, '{"inserted": 4, "duplicates": 0}\n')
    assert _run(db_url, "tickets", "import", path, "--json") == (0, '{"inserted": 0, "duplicates": 4}\n')
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tickets)).scalar_one() == 4
        assert conn.execute(sa.select(sa.func.count()).select_from(ticket_events)).scalar_one() == 4
        owners = dict(conn.execute(sa.select(tickets.c.ref, tickets.c.customer_id)).all())
        assert sorted(conn.execute(sa.select(customer_phones.c.phone)).scalars()) == ["+861088886666",
                                                                                    "+8613800138000"]
        states = dict(conn.execute(sa.select(tickets.c.ref, tickets.c.state)).all())
    assert owners["K1"] == owners["K3"] != owners["K2"] and owners["K4"] is None
    assert states == {"K1": "resolved", "K2": "resolved", "K3": "new", "K4": "resolved"}


def test_ticket_kpis_count_on_the_opening_day_in_the_zone(db_url: str, tmp_path: Path) -> None:
    """Shanghai: K1, K2 open on 1 March, K3, K4 on 2 March; in UTC all four on 1 March. fcr_ticket and
    escalated_share and the median follow the issue's formulas."""
    _run(db_url, "tickets", "import", _write(tmp_path, ROWS))
    code, out = _run(db_url, "report", "kpi", "--kpis", KPIS, "--grain", "day", "--tz", "Asia/Shanghai",
                     "--format", "json")
    assert code == 0, out
    assert json.loads(out) == [
        {"period": "2026-03-01", "tickets": 2, "complaints": 1, "escalated_share": 1.0, "fcr_ticket": 0.5,
         "median_resolution_h": 2.5},
        {"period": "2026-03-02", "tickets": 2, "complaints": 2, "escalated_share": 0.0, "fcr_ticket": 1.0,
         "median_resolution_h": 2.0}]
    code, out = _run(db_url, "report", "kpi", "--kpis", KPIS, "--grain", "day", "--tz", "UTC", "--format", "json",
                     "--from", "2026-03-01", "--to", "2026-03-03")
    row = json.loads(out)[0]
    assert code == 0 and len(json.loads(out)) == 1 and row["tickets"] == 4 and row["complaints"] == 3
    assert row["escalated_share"] == 1 / 3 and row["fcr_ticket"] == 2 / 3 and row["median_resolution_h"] == 2.0


def test_ticket_and_call_kpis_mix_by_agent_and_refuse_queue(db_url: str, tmp_path: Path) -> None:
    """tickets with offered in one request works (total, by agent); by queue is refused naming --by."""
    _run(db_url, "tickets", "import", _write(tmp_path, ROWS))
    code, out = _run(db_url, "report", "kpi", "--kpis", "tickets,offered", "--grain", "total", "--by", "agent",
                     "--tz", "Asia/Shanghai", "--format", "json")
    assert code == 0 and json.loads(out) == [{"period": "total", "agent": None, "tickets": 4, "offered": 0}]
    code, out = _run(db_url, "report", "kpi", "--kpis", "tickets,offered", "--by", "queue", "--tz", "UTC",
                     "--from", "2026-03-01", "--to", "2026-03-02")
    assert code == 1 and "field by" in out and "queue" in out


def test_a_bad_row_names_line_and_field_and_writes_nothing(db_url: str, engine: sa.Engine,
                                                           tmp_path: Path) -> None:
    """Line 4's malformed phone fails the whole file; a naive time, a bad flag and a bad count name their field."""
    bad = ROWS.replace("+86 138 0013 8000", "12345")
    code, out = _run(db_url, "tickets", "import", _write(tmp_path, bad))
    assert code == 1 and "line 4" in out and "field phone" in out
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tickets)).scalar_one() == 0
    for broken, field in (("2026-03-01T10:00:00", "opened_at"), ("maybe", "escalated"), ("-1", "contacts"),
                          ("gossip", "category")):
        row = {"opened_at": f"K9,,inquiry,{broken},,false,1\n", "escalated": f"K9,,inquiry,2026-03-01T10:00:00Z,,"
               f"{broken},1\n", "contacts": f"K9,,inquiry,2026-03-01T10:00:00Z,,false,{broken}\n",
               "category": f"K9,,{broken},2026-03-01T10:00:00Z,,false,1\n"}[field]
        code, out = _run(db_url, "tickets", "import", _write(tmp_path, row))
        assert code == 1 and "line 2" in out and f"field {field}" in out, out
    code, out = _run(db_url, "tickets", "import", _write(tmp_path, ROWS + ROWS.splitlines(keepends=True)[0]))
    assert code == 1 and "line 6" in out and "already on line 2" in out
