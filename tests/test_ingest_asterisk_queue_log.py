"""The Asterisk queue_log importer: outcomes, agent state intervals, open calls, bounded state, garbage."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callops.ingest.asterisk_queue_log import parse
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.records import AgentInterval, AgentState, Call, Outcome

FIX = Path(__file__).resolve().parent / "fixtures" / "asterisk_queue_log"
CTX = ParseContext(file="queue_log", tz=zoneinfo.ZoneInfo("Asia/Tokyo"))


def _items(lines: list[str]) -> list[object]:
    return list(parse(enumerate(lines, start=1), CTX))


def _fixture() -> list[object]:
    return _items((FIX / "queue_log").read_text().splitlines())


def test_outcomes_by_event() -> None:
    """COMPLETE* answered, ABANDON/EXITWITHKEY abandoned, EXITWITHTIMEOUT/EXITEMPTY timeout, transfer."""
    calls = {c.source_call_id: c for c in _fixture() if isinstance(c, Call)}
    assert {k: c.outcome for k, c in calls.items()} == {
        "1366720100.1@support": Outcome.ANSWERED, "1366720200.3@support": Outcome.ABANDONED,
        "1366720400.4@support": Outcome.TIMEOUT, "1366720500.5@support": Outcome.TRANSFERRED,
        "1366720701.7@support": Outcome.ABANDONED, "1366720800.8@support": Outcome.TIMEOUT}
    answered = calls["1366720100.1@support"]
    assert answered.queue_entered_at == dt.datetime(2013, 4, 23, 12, 28, 20, tzinfo=dt.UTC)  # epochs are UTC
    assert answered.wait_s == 10 and answered.talk_s == 122 and answered.agent == "SIP/8007"
    assert answered.caller_number == "15551234567"
    assert calls["1366720500.5@support"].transfer_target == "2000@from-internal"


def test_agent_states_with_pause_reason() -> None:
    """Membership, pauses and calls become ready / away (with reason) / on-call intervals."""
    spans = [(i.agent, i.state, i.reason, i.duration_s) for i in _fixture() if isinstance(i, AgentInterval)]
    assert ("SIP/8007", AgentState.ON_CALL, None, 122.0) in spans
    assert ("SIP/8007", AgentState.AWAY, "Lunch", 300.0) in spans
    assert ("SIP/8008", AgentState.AWAY, None, 298.0) in spans  # added PAUSED, then unpaused
    assert not [s for s in spans if s[1] is AgentState.LOGGED_OUT]


def test_open_call_is_a_notice_not_a_record() -> None:
    """A call connected but not completed at the end of the file is reported, not invented."""
    items = _fixture()
    notices = [i for i in items if isinstance(i, Notice)]
    assert any("1366721200.9@support" in n.message and n.line == 24 for n in notices)
    assert "1366721200.9@support" not in {c.source_call_id for c in items if isinstance(c, Call)}


def test_old_single_data_field_and_tolerated_lines() -> None:
    """CONNECT with only the hold time (old format) works; DID/INFO and custom events are skipped with a reason."""
    items = _items(["100|c1|q|NONE|ENTERQUEUE||555", "105|c1|q|a1|CONNECT|5", "106|c1|q|NONE|INFO|x",
                    "107|c1|q|NONE|DID|123", "110|c1|q|a1|COMPLETEAGENT|5|5", "111|c1|q|NONE|MYEVENT|1"])
    assert [type(i) for i in items] == [Skip, Skip, Call, Skip]
    reasons = [i.reason.split(":")[0] for i in items if isinstance(i, Skip)]
    assert reasons == ["INFO", "DID", "event 'MYEVENT' is not a queue event callops reads"]
    call = items[2]
    assert isinstance(call, Call) and call.talk_s == 5 and call.wait_s == 5


def test_bad_line_names_line_and_field() -> None:
    """A non-numeric epoch or a missing data field is a Rejection naming the line and field."""
    items = _items(["x|c1|q|NONE|ENTERQUEUE", "100|c1|q|a|CONNECT", "101|c1|q"])
    assert [(r.line, r.field) for r in items if isinstance(r, Rejection)] == [(1, "epoch"), (2, "data1"),
                                                                              (3, "event")]


def test_finished_calls_leave_memory() -> None:
    """Calls that end are dropped from state: many sequential calls leave no open call behind."""
    lines = []
    for n in range(3000):
        t = 1_000_000 + n * 10
        lines += [f"{t}|c{n}|q|NONE|ENTERQUEUE||1", f"{t + 5}|c{n}|q|NONE|ABANDON|1|1|5"]
    items = _items(lines)
    assert sum(isinstance(i, Call) for i in items) == 3000
    assert not [i for i in items if isinstance(i, Notice)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("0123456789|.-ABCDEFGHIKLMNOPQRSTUVWXY abc"), max_size=80),
                max_size=10))
def test_garbage_never_crashes(lines: list[str]) -> None:
    """Random text yields rejections, skips, notices or records, never an exception."""
    for item in _items(lines):
        assert isinstance(item, Call | AgentInterval | Rejection | Skip | Notice)
