"""The FreeSWITCH mod_callcenter importer: cc_* variables to outcomes, agent legs skipped, garbage."""

from __future__ import annotations

import zoneinfo
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callops.ingest.freeswitch_cc import parse
from callops.ingest.items import ParseContext, Rejection, Skip
from callops.records import Call, Outcome

FIX = Path(__file__).resolve().parent / "fixtures" / "freeswitch_cc"
CTX = ParseContext(file="cdr.csv", tz=zoneinfo.ZoneInfo("UTC"))
HEADER = "uuid,cc_queue,cc_queue_joined_epoch,cc_queue_answered_epoch,cc_queue_canceled_epoch,cc_cancel_reason"


def _items(lines: list[str]) -> list[object]:
    return list(parse(enumerate(lines, start=1), CTX))


def test_outcomes_from_cc_variables() -> None:
    """Answered epoch → answered; BREAK_OUT → abandoned; TIMEOUT → timeout; agent legs are skipped."""
    items = _items((FIX / "cdr.csv").read_text().splitlines())
    calls = {c.source_call_id: c for c in items if isinstance(c, Call)}
    assert {k: c.outcome for k, c in calls.items()} == {
        "m1": Outcome.ANSWERED, "m2": Outcome.ABANDONED, "m3": Outcome.TIMEOUT}
    assert calls["m1"].talk_s == 300 and calls["m1"].wait_s == 15 and calls["m1"].agent == "1000@default"
    assert [s.line for s in items if isinstance(s, Skip)] == [5, 6]


def test_header_without_required_columns_is_refused() -> None:
    """A header lacking cc_queue_joined_epoch is rejected at line 1."""
    [item] = _items(["uuid,cc_queue", "a,b"])
    assert isinstance(item, Rejection) and item.line == 1 and "cc_queue_joined_epoch" in item.reason


def test_unknown_cancel_reason_is_named() -> None:
    """An unknown cc_cancel_reason is rejected naming the field."""
    [item] = _items([HEADER, "u1,q,1000,,1010,SOMETHING"])
    assert isinstance(item, Rejection) and item.field == "cc_cancel_reason" and item.line == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('0123456789,"- TIMEOUTBRK_'), max_size=80), max_size=8))
def test_garbage_never_crashes(lines: list[str]) -> None:
    """Random rows under a valid header yield rejections, skips or calls, never an exception."""
    for item in _items([HEADER, *lines]):
        assert isinstance(item, Call | Rejection | Skip)
