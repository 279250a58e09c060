"""The FreeSWITCH mod_callcenter importer: cc_* variables to outcomes, agent legs skipped, garbage."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callops.ingest import freeswitch_json
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


def test_stock_example_template_without_header() -> None:
    """mod_cdr_csv's stock 'example' template (no header, no cc_*): plain calls by context, internal skipped."""
    ctx = ParseContext(file="Master.csv", tz=zoneinfo.ZoneInfo("Asia/Shanghai"), options={"template": "example"})
    lines = (FIX / "example_template.csv").read_text().splitlines()
    items = list(parse(enumerate(lines, start=1), ctx))
    calls = {c.source_call_id[-2:]: c for c in items if isinstance(c, Call)}
    assert {k: (c.direction.value, c.outcome.value) for k, c in calls.items()} == {
        "01": ("inbound", "answered"), "02": ("inbound", "abandoned"), "03": ("outbound", "busy")}
    assert calls["01"].queue_entered_at == dt.datetime(2024, 3, 1, 1, 0, tzinfo=dt.UTC)  # local stamps in --tz
    assert (calls["01"].wait_s, calls["01"].talk_s, calls["02"].caller_number) == (12, 300, None)
    assert [s.line for s in items if isinstance(s, Skip)] == [4]
    headerless = list(parse(enumerate(lines, start=1), ParseContext(file="Master.csv", tz=ctx.tz)))
    assert isinstance(headerless[0], Rejection) and "--template example" in headerless[0].reason


def test_mod_json_cdr_documents_and_lines() -> None:
    """A pretty-printed mod_json_cdr file (URL-encoded values) and a JSON-lines file read like CSV rows."""
    ctx = ParseContext(file="cdr.json", tz=zoneinfo.ZoneInfo("UTC"))
    folder = FIX.parent / "freeswitch_json"
    [call] = list(freeswitch_json.parse(enumerate((folder / "8f2a6c1e-0005.cdr.json").read_text().splitlines(), 1),
                                        ctx))
    assert isinstance(call, Call)
    assert (call.queue, call.agent, call.caller_number, call.wait_s, call.talk_s) == (
        "support@default", "1001@default", "13700137000", 18, 240)
    items = list(freeswitch_json.parse(enumerate((folder / "lines.json").read_text().splitlines(), 1), ctx))
    assert [type(i) for i in items] == [Call, Skip]
    bad = list(freeswitch_json.parse(enumerate(["{", '  "variables": {', "}"], 1), ctx))
    assert isinstance(bad[-1], Rejection) and bad[-1].line >= 1
