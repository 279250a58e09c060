"""Calendar days typed at the edge (CLI options, query parameters, form fields): one parser for all.

    parse_date("2026-03-07", field="from")          -> date(2026, 3, 7); None for empty text
    require_date(None, field="to", missing="...")   -> InvalidInput naming ``to`` with that message

Errors are ``InvalidInput`` naming the field, so the CLI prints them and the web app answers 400.
"""

from __future__ import annotations

import datetime as dt

from callops.errors import InvalidInput

__all__ = ["parse_date", "require_date"]


def parse_date(value: str | None, *, field: str) -> dt.date | None:
    """A YYYY-MM-DD text as a date; None when empty; InvalidInput naming ``field`` otherwise."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from exc


def require_date(value: str | None, *, field: str, missing: str | None = None) -> dt.date:
    """Like :func:`parse_date`, but an empty value is InvalidInput too (``missing`` says what to give)."""
    day = parse_date(value, field=field)
    if day is None:
        raise InvalidInput(missing or f"give {field} (YYYY-MM-DD)", field=field)
    return day
