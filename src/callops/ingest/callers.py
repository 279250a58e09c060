"""Caller ids that name nobody: anonymous, withheld, unknown or empty numbers are stored as no caller.

FCR and repeat-caller measures group calls by caller number; a withheld number shared by thousands of
callers must never make them one caller.
"""

from __future__ import annotations

__all__ = ["caller_number"]

_NOBODY = frozenset({
    "", "anonymous", "unknown", "withheld", "restricted", "private", "unavailable", "blocked", "none", "null",
    "<unknown>", "asterisk", "s", "0", "00", "000", "-", "n/a", "p", "o",
})


def caller_number(value: str | None) -> str | None:
    """``value`` stripped, or None when it identifies no caller (anonymous, withheld, unknown, empty)."""
    if value is None:
        return None
    text = value.strip().strip('"').strip()
    if text.lower() in _NOBODY or text.lower().startswith(("anonymous", "restricted", "withheld")):
        return None
    return text
