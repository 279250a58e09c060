"""Caller numbers are masked so that roles without the PII right never see one whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callops.web.masking import mask_number


def test_mobile_number_keeps_first_three_and_last_four() -> None:
    """13812345678 becomes 138****5678; a 12-character number hides 5."""
    assert mask_number("13812345678") == "138****5678"
    assert mask_number("861381234567") == "861*****4567"


def test_short_and_empty_numbers() -> None:
    """Shorter numbers keep only their end; 4 characters or fewer are hidden; None and '' stay."""
    assert mask_number("22414433") == "****4433"
    assert mask_number("9664491") == "****491"
    assert mask_number("1234") == "****"
    assert mask_number("123") == "***"
    assert mask_number("") == "" and mask_number(None) is None


@given(st.text(alphabet="0123456789+-", min_size=1, max_size=24))
def test_mask_keeps_length_and_hides_at_least_four(number: str) -> None:
    """The mask has the same length, hides at least min(n, max(4, n - 7)) characters, and keeps the ends."""
    masked = mask_number(number)
    assert masked is not None and len(masked) == len(number)
    assert masked.count("*") >= min(len(number), max(4, len(number) - 7))
    kept = masked.replace("*", "")
    assert number.startswith(masked.split("*")[0]) and number.endswith(masked.split("*")[-1])
    assert len(kept) <= 7
