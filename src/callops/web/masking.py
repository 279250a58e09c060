"""Masking of personal data for roles without ``Permission.VIEW_PII``."""

from __future__ import annotations

__all__ = ["mask_number"]


def mask_number(number: str | None) -> str | None:
    """Hide the middle of a phone number: ``13812345678`` -> ``138****5678``.

    At least 4 characters, and all but 7, are hidden: the last (up to) 4 and then the first (up
    to) 3 stay visible, so an 11-digit mobile number keeps 3 + 4, an 8-digit one keeps its last 4
    (``****4433``) and a number of 4 characters or fewer is hidden entirely.
    """
    if number is None or number == "":
        return number
    n = len(number)
    hidden = max(4, n - 7)
    keep_last = min(4, max(0, n - hidden))
    keep_first = max(0, n - hidden - keep_last)
    return number[:keep_first] + "*" * (n - keep_first - keep_last) + number[n - keep_last:]
