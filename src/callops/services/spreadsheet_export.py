"""Exports that open right in Excel on Chinese Windows: headers in the reader's language, a UTF-8 BOM (or
GB18030 on request) in CSV, rates as percentages, and number formats in XLSX.

    cols = [Column("period", "时段 (Asia/Shanghai)"), Column("service_level", "服务水平", "fraction")]
    table_csv([{"period": "1999-01-04", "service_level": 0.8123}], cols)
    -> b'\\xef\\xbb\\xbf时段 (Asia/Shanghai),服务水平\\n1999-01-04,81.2%\\n'

Excel reads ``81.2%`` in a CSV as the number 0.812 shown as a percentage; in XLSX the cell holds 0.8123 with
the format ``0.0%``. Formula-like text is neutralised as in every export (``callops.cell_text``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from callops.cell_text import FORMULA_STARTS, safe_cell
from callops.errors import InvalidInput
from callops.metrics import CALL_DIMENSIONS, KPIS, kpi

__all__ = ["CSV_ENCODINGS", "Column", "ColumnKind", "csv_encoding", "kpi_columns", "kpi_label", "table_csv",
           "table_xlsx"]

ColumnKind = Literal["text", "count", "fraction", "seconds", "number"]

# what ``?encoding=`` accepts -> the Python codec; utf-8 carries a BOM so Excel does not guess the code page
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}

_XLSX_FORMATS: dict[ColumnKind, str] = {"count": "#,##0", "fraction": "0.0%", "seconds": "#,##0.0",
                                        "number": "#,##0.00"}


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column: the row key, the header the reader sees, and how its values are written."""

    key: str
    header: str
    kind: ColumnKind = "text"


_KPI_KEYS = {k.key for k in KPIS}
_KINDS: dict[str, ColumnKind] = {"count": "count", "fraction": "fraction", "seconds": "seconds", "hours": "number",
                                 "per_hour": "number", "score": "number"}


def kpi_label(key: str, *, locale: str, t: Callable[[str], str]) -> str:
    """A report column's name: a KPI's zh-CN or English name from the catalogue, else ``t("reports.col.KEY")``."""
    if key in _KPI_KEYS:
        definition = kpi(key)
        return definition.zh if locale == "zh-CN" else definition.en
    return t(f"reports.col.{key}") if key in CALL_DIMENSIONS or key == "period" else key


def kpi_columns(keys: Sequence[str], *, label: Callable[[str], str], previous: str, zone: str,
                seconds: str = "s") -> list[Column]:
    """Export columns for report rows with ``keys``: headers in the reader's language, the period's zone named,
    durations marked with ``seconds`` (``s`` or ``秒``)."""
    out = []
    for key in keys:
        base = key[5:] if key.startswith("prev_") else key
        header = label(base) + (f" ({previous})" if base != key else "")
        if key == "period":
            header = f"{header} ({zone})"
        kind: ColumnKind = _KINDS[kpi(base).unit] if base in _KPI_KEYS else "text"
        if kind == "seconds":
            header += f" ({seconds})"
        out.append(Column(key, header, kind))
    return out


def csv_encoding(value: str | None) -> str:
    """The codec for ``?encoding=`` (default UTF-8 with BOM); anything else is an input error naming the field."""
    name = (value or "utf-8").strip().lower().replace("_", "-")
    name = {"utf8": "utf-8", "gbk": "gb18030", "gb-18030": "gb18030"}.get(name, name)
    if name not in CSV_ENCODINGS:
        raise InvalidInput(f"unknown encoding {value!r}; choose one of: {', '.join(CSV_ENCODINGS)}", field="encoding")
    return CSV_ENCODINGS[name]


def _csv_value(value: object, kind: ColumnKind) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if kind == "fraction" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind == "count" and isinstance(value, int | float):
        return int(round(value))
    if kind in ("seconds", "number") and isinstance(value, float):
        return round(value, 2)
    return safe_cell(value if isinstance(value, int | float | str) else str(value))


def table_csv(rows: Iterable[Mapping[str, object]], columns: Sequence[Column], *,
              encoding: str = "utf-8-sig") -> bytes:
    """CSV bytes in ``encoding`` (a codec from :func:`csv_encoding`); characters GB18030 lacks never occur
    (it covers all of Unicode)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(c.header) for c in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(c.key), c.kind) for c in columns])
    return buffer.getvalue().encode(encoding)


def table_xlsx(rows: Iterable[Mapping[str, object]], columns: Sequence[Column], *, sheet: str = "report") -> bytes:
    """One worksheet: a bold header row, then the rows with number formats by column kind (rates stay
    fractions formatted ``0.0%``), text cells never formulas, the header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    if ws is None:  # a new Workbook always has one sheet
        ws = book.create_sheet()
    ws.title = sheet[:31]
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in rows:
        ws.append([_xlsx_value(row.get(c.key)) for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(10, min(40, len(column.header) * 2 + 2))
        number_format = _XLSX_FORMATS.get(column.kind)
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, str):  # text stays text: openpyxl would store "=..." as a formula
                cell.data_type = "s"
                cell.quotePrefix = cell.value.startswith(FORMULA_STARTS)
            elif number_format is not None and cell.value is not None:
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
