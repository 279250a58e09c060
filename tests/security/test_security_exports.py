"""Item 3: imported text that a spreadsheet would run as a formula is neutralised in CSV and XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from callops.cell_text import restore_cell, safe_cell
from callops.records import Call, Direction, Outcome
from callops.services.report_files import rows_to_csv, rows_to_xlsx
from callops.store.records import insert_calls
from security_site import api_login, bearer

EVIL = '=HYPERLINK("http://evil.example","x")'
STARTS = [EVIL, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_formula_like_text_is_neutralised_and_numbers_are_not() -> None:
    """Each formula start (= + - @ tab CR) gets an apostrophe that restore_cell removes; plain signed numbers and
    ordinary text are unchanged."""
    for text in STARTS:
        assert safe_cell(text) == "'" + text and restore_cell(str(safe_cell(text))) == text
    for text in ("-12.5", "+3", "1e-3", "retail", "", "a=b"):
        assert safe_cell(text) == text
    assert safe_cell(-3) == -3


def test_csv_and_xlsx_tables_hold_no_formula() -> None:
    """rows_to_csv prefixes formula-like cells; rows_to_xlsx stores every string as a text cell, never a formula,
    with its exact value."""
    rows = [{"queue": text, "offered": 3} for text in STARTS]
    one_line = [t for t in STARTS if "\r" not in t]  # csv leaves a lone CR unquoted with "\n" line ends
    parsed = list(csv.DictReader(io.StringIO(rows_to_csv([r for r in rows if r["queue"] in one_line]), newline="")))
    assert [r["queue"] for r in parsed] == ["'" + t for t in one_line]
    sheet = load_workbook(io.BytesIO(rows_to_xlsx(rows))).active
    assert sheet is not None
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in STARTS]  # XML normalises a lone CR
    assert all(c.data_type == "s" for c in cells)
    assert all(row[1].value == 3 for row in sheet.iter_rows(min_row=2))


def test_report_downloads_neutralise_an_imported_formula(client: TestClient, engine: sa.Engine) -> None:
    """A call imported with queue '=HYPERLINK(...)' comes out of /reports/export as text in CSV and XLSX."""
    at = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        insert_calls(conn, [Call(source="test", source_call_id="evil", direction=Direction.INBOUND,
                                 outcome=Outcome.ABANDONED, queue=EVIL, call_type="retail", queue_entered_at=at,
                                 ended_at=at + dt.timedelta(seconds=30))])
    headers = bearer(api_login(client, "boss"))
    query = "/reports/export?from=2026-01-05&to=2026-01-05&grain=day&by=queue"
    text = client.get(query + "&format=csv", headers=headers)
    assert text.status_code == 200, text.text
    queues = [row[1] for row in list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))[1:]]  # period, queue
    assert "'" + EVIL in queues and EVIL not in queues
    book = client.get(query + "&format=xlsx", headers=headers)
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    found = [c for row in sheet.iter_rows() for c in row if c.value == EVIL]
    assert found and all(c.data_type == "s" for c in found)
