"""Tests for IVR flows: menus, business hours, holidays, endings and transfers."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.errors import InvalidInput
from callops.routing import parse_ivr, walk

RAW = {
    "start": "hours",
    "timezone": "Asia/Shanghai",
    "nodes": {
        "hours": {"type": "hours", "open": "08:00", "close": "20:00", "weekdays": [0, 1, 2, 3, 4],
                  "holidays": ["2026-10-01"], "then": "menu", "closed": "closed"},
        "menu": {"type": "menu", "seconds": 20, "options": [{"share": 1, "next": "faq"},
                                                            {"share": 3, "next": "agent"}]},
        "faq": {"type": "self_service", "seconds": 40},
        "closed": {"type": "self_service", "seconds": 10},
        "agent": {"type": "queue", "queue": "cards"},
    },
}
MONDAY_10_SHANGHAI = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def test_open_hours_menu_transfers_to_queue() -> None:
    """In business hours a caller choosing the agent option reaches the queue after the menu time."""
    flow = parse_ivr(RAW, {"cards"})
    assert walk(flow, MONDAY_10_SHANGHAI, lambda: 0.9) == (20.0, "cards", None)


def test_menu_share_picks_self_service() -> None:
    """A draw in the first quarter picks the self-service option (share 1 of 4)."""
    flow = parse_ivr(RAW, {"cards"})
    assert walk(flow, MONDAY_10_SHANGHAI, lambda: 0.1) == (60.0, None, "self_service")


@pytest.mark.parametrize("at", [dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC),  # 21:00 local
                                dt.datetime(2026, 3, 7, 2, 0, tzinfo=dt.UTC),  # Saturday
                                dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)])  # holiday
def test_closed_times_end_in_the_closed_message(at: dt.datetime) -> None:
    """After hours, on a weekend day not listed, or on a holiday the caller hears the closed message."""
    flow = parse_ivr(RAW, {"cards"})
    assert walk(flow, at, lambda: 0.9) == (10.0, None, "self_service")


def test_unknown_queue_is_refused() -> None:
    """A transfer to a queue that does not exist is refused."""
    with pytest.raises(InvalidInput, match="unknown queue cards"):
        parse_ivr(RAW, {"loans"})
