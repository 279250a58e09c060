"""Text cells that spreadsheets cannot run: formula injection (CSV/XLSX injection) neutralised in every export.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula,
so an imported value such as ``=HYPERLINK("http://evil.example")`` would run when an export is opened.

    safe_cell('=HYPERLINK("x")')   -> "'=HYPERLINK(\"x\")"   (CSV: a leading apostrophe makes it text)
    safe_cell("-12.5")             -> "-12.5"                 (a plain number stays a number)
    restore_cell("'=1+2")          -> "=1+2"                  (reading our own export back)

XLSX cells are written as text cells (``data_type "s"`` with the quote-prefix style) by
``callops.services.report_files.rows_to_xlsx``, so their value stays exactly what was imported.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_STARTS", "is_formula_like", "restore_cell", "safe_cell", "safe_row"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (plain signed numbers are not)."""
    return text.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(text) is None


def safe_cell(value: object) -> object:
    """``value`` for a CSV cell: formula-like text gets a leading apostrophe; everything else is unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def safe_row(values: list[object]) -> list[object]:
    return [safe_cell(v) for v in values]


def restore_cell(text: str) -> str:
    """The value ``safe_cell`` neutralised: a leading apostrophe before a formula start is dropped."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text
