"""Report rows as CSV text or XLSX bytes (in memory; callers write or send them): file formats, so an edge
concern kept out of the pure metrics package.

Text that a spreadsheet would run as a formula is neutralised (``callops.cell_text``): CSV cells get a leading
apostrophe, XLSX cells are stored as text cells with the quote-prefix style.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from callops.cell_text import FORMULA_STARTS, safe_cell

__all__ = ["columns_of", "rows_to_csv", "rows_to_xlsx"]


def columns_of(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """Every key of ``rows`` in first-seen order."""
    return list(dict.fromkeys(k for row in rows for k in row))


def rows_to_csv(rows: Sequence[Mapping[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns_of(rows), lineterminator="\n")
    writer.writerow({c: safe_cell(c) for c in writer.fieldnames})
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def rows_to_xlsx(rows: Sequence[Mapping[str, object]], *, sheet: str = "report") -> bytes:
    """One worksheet: a header row, then one row per report row (rates stay fractions)."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    columns = columns_of(rows)
    ws.append(columns)
    for row in rows:
        ws.append([row.get(c) for c in columns])
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):  # text stays text: openpyxl would store "=..." as a formula
                cell.data_type = "s"
                cell.quotePrefix = cell.value.startswith(FORMULA_STARTS)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
