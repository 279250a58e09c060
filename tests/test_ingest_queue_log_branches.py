"""queue_log as each Asterisk branch writes it (1.2, 1.4, 1.8/11, 12-15, 16+): every line read or skipped with a reason.

The fixtures under tests/fixtures/asterisk_queue_log/branches/ are built from each branch's
``ast_queue_log`` format strings; the first line of each names the branch.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callops.ingest.asterisk_queue_log import QueueLogReader, parse
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.records import AgentInterval, AgentState, Call, Outcome

BRANCHES = Path(__file__).resolve().parent / "fixtures" / "asterisk_queue_log" / "branches"
CTX = ParseContext(file="queue_log", tz=zoneinfo.ZoneInfo("Asia/Shanghai"))
UTC = dt.UTC


def _items(name: str, ctx: ParseContext = CTX) -> list[object]:
    lines = (BRANCHES / name).read_text(encoding="utf-8").splitlines()
    return list(parse(enumerate(lines, start=1), ctx))


def _calls(items: list[object]) -> dict[str, Call]:
    return {c.source_call_id: c for c in items if isinstance(c, Call)}


def _spans(items: Sequence[object]) -> list[tuple[str, AgentState, str | None, float]]:
    return [(i.agent, i.state, i.reason, i.duration_s) for i in items if isinstance(i, AgentInterval)]


def test_every_branch_reads_without_rejection() -> None:
    """No well-formed line of any branch is rejected; each line is a record's source or a counted skip."""
    for name in ("1.2.queue_log", "1.4.queue_log", "1.8.queue_log", "13.queue_log", "16.queue_log"):
        items = _items(name)
        assert not [i for i in items if isinstance(i, Rejection)], name
        assert all(s.reason for s in items if isinstance(s, Skip))


def test_branch_1_2_old_layouts_and_callback_agents() -> None:
    """1.2: TRANSFER exten|context, EXITWITHTIMEOUT pos, EXITWITHKEY key|pos, AGENTCALLBACKLOGIN/LOGOFF."""
    items = _items("1.2.queue_log")
    calls = _calls(items)
    outcome = {k.split("@")[0]: (c.outcome, c.wait_s, c.talk_s) for k, c in calls.items()}
    assert outcome == {"1136000100.2": (Outcome.ANSWERED, 12, 88), "1136000300.3": (Outcome.TIMEOUT, 60, 0),
                       "1136000400.4": (Outcome.ABANDONED, 7, 0), "1136000500.5": (Outcome.TRANSFERRED, 5, 60),
                       "1136000600.6": (Outcome.ABANDONED, 20, 0)}
    assert calls["1136000500.5@sales"].transfer_target == "2000@from-internal"
    assert calls["1136000300.3@sales"].caller_number is None  # anonymous is nobody
    assert _spans(items) == [("Agent/1001", AgentState.READY, None, 102.0),
                             ("Agent/1001", AgentState.ON_CALL, None, 88.0),
                             ("Agent/1001", AgentState.READY, None, 305.0),
                             ("Agent/1001", AgentState.ON_CALL, None, 60.0),
                             ("Agent/1001", AgentState.READY, None, 135.0)]


def test_branch_1_4_transfer_with_durations_and_pause() -> None:
    items = _items("1.4.queue_log")
    calls = _calls(items)
    assert calls["1200000400.4@support"].outcome is Outcome.TRANSFERRED
    assert calls["1200000400.4@support"].talk_s == 100
    assert calls["1200000300.3@support"].wait_s == 30
    assert ("SIP/8007", AgentState.AWAY, None, 60.0) in _spans(items)


def test_branch_1_8_reentry_and_agent_aliases() -> None:
    """Same callid entering the queue again is a second call; the interface and Agent/1127 are one agent."""
    items = _items("1.8.queue_log")
    calls = _calls(items)
    first, second = calls["1350000100.1@callback"], calls["1350000100.1@callback#2"]
    assert (first.outcome, first.wait_s) == (Outcome.TIMEOUT, 30)
    assert (second.outcome, second.wait_s, second.talk_s) == (Outcome.ANSWERED, 9, 120)
    agent = "Local/1127@callback-agent"
    assert second.agent == agent and calls["1350000400.4@callback"].agent == agent
    assert calls["1350000400.4@callback"].caller_number is None
    assert _spans(items) == [(agent, AgentState.READY, None, 1.0), (agent, AgentState.AWAY, "Break", 60.0),
                             (agent, AgentState.READY, None, 78.0), (agent, AgentState.ON_CALL, None, 120.0),
                             (agent, AgentState.READY, None, 144.0), (agent, AgentState.ON_CALL, None, 60.0),
                             (agent, AgentState.READY, None, 36.0)]


def test_branch_13_transfers_mid_call_start_and_restart() -> None:
    """BRIDGE/LINK/APP attended transfers, a blind transfer to 's', a mid-call start, QUEUESTART closing calls."""
    items = _items("13.queue_log")
    calls = _calls(items)
    mid = calls["1543833400.300@IT"]
    assert (mid.outcome, mid.wait_s, mid.talk_s, mid.transfer_target) == (
        Outcome.TRANSFERRED, 6, 38, "1142@transfer")  # the extension is not read as the hold time
    assert str(calls["1543833609.335@IT"].transfer_target).startswith("BRIDGE:")
    assert (calls["1543833609.335@IT"].wait_s, calls["1543833609.335@IT"].talk_s) == (6, 38)
    assert calls["1543833700.340@IT"].transfer_target == "s@ivr-3"
    link = calls["1543833800.350@IT"]
    assert link.talk_s == 50 and str(link.transfer_target).startswith("LINK:")
    assert calls["1543833900.360@IT"].transfer_target == "APP:VoiceMail"
    assert calls["1543834000.370@IT"].outcome is Outcome.TIMEOUT
    assert calls["1543834100.380@IT"].outcome is Outcome.ANSWERED  # closed by the restart
    assert calls["1543834200.390@IT"].outcome is Outcome.FAILED
    assert any("QUEUESTART" in n.message for n in items if isinstance(n, Notice))
    assert not [n for n in items if isinstance(n, Notice) and "still open" in n.message and "call " in n.message]
    assert {c.agent for c in calls.values() if c.agent} == {"SIP/1128"}


def test_branch_16_caller_name_withdraw_and_anonymous() -> None:
    items = _items("16.queue_log")
    calls = _calls(items)
    assert calls["1700000400.4@billing"].outcome is Outcome.ABANDONED
    assert calls["1700000400.4@billing"].caller_number == "13600000000"
    assert calls["1700000100.1@billing"].caller_number is None and calls["1700000200.2@billing"].caller_number is None
    assert ("PJSIP/8101", AgentState.AWAY, "Lunch", 300.0) in _spans(items)
    assert ("PJSIP/8101", AgentState.ON_CALL, None, 100.0) in _spans(items)


def test_explicit_agent_aliases_win() -> None:
    """Names no rule can link (an interface and a member name) are joined by the agent_aliases option."""
    ctx = ParseContext(file="q", tz=CTX.tz, options={"agent_aliases": {"PJSIP/alice": "Alice", "Alice W": "Alice"}})
    lines = ["100|MANAGER|q|PJSIP/alice|ADDMEMBER|", "110|c1|q|NONE|ENTERQUEUE||555|1",
             "112|c1|q|Alice W|CONNECT|2|x|1", "150|c1|q|Alice W|COMPLETEAGENT|2|38|1",
             "200|MANAGER|q|PJSIP/alice|REMOVEMEMBER|"]
    items = list(parse(enumerate(lines, start=1), ctx))
    assert _spans(items) == [("Alice", AgentState.READY, None, 12.0), ("Alice", AgentState.ON_CALL, None, 38.0),
                             ("Alice", AgentState.READY, None, 50.0)]


def test_unknown_events_are_skips_with_reasons_not_rejections() -> None:
    items = list(parse(enumerate(["100|c|q|NONE|CUSTOMTHING|a|b", "101|NONE|q|NONE|FULL|"], start=1), CTX))
    assert [type(i) for i in items] == [Skip, Skip]
    assert isinstance(items[0], Skip) and "CUSTOMTHING" in items[0].reason


def test_incremental_reader_shows_open_state() -> None:
    """The reader a live follower uses: feed lines, take records, see what is open."""
    reader = QueueLogReader(CTX)
    assert reader.feed(1, "100|MANAGER|q|SIP/1|ADDMEMBER|") == []
    reader.feed(2, "110|c1|q|NONE|ENTERQUEUE||555|1")
    produced = reader.feed(3, "115|c1|q|SIP/1|CONNECT|5|u|1")
    assert [type(i) for i in produced] == [AgentInterval]
    assert [c.call_id for c in reader.open_calls()] == ["c1@q"]
    assert reader.agent_states()["SIP/1"][0] is AgentState.ON_CALL
    done = reader.feed(4, "175|c1|q|SIP/1|COMPLETECALLER|5|60|1")
    assert [type(i) for i in done] == [Call, AgentInterval] and not reader.open_calls()


_KINDS = ("answered", "abandoned", "timeout", "key", "blind", "attended", "empty")


def _sequence(n: int, kind: str, start: int) -> tuple[list[tuple[int, str]], Outcome]:
    cid, q = f"{start}.{n}", "q"
    enter = (start, f"{start}|{cid}|{q}|NONE|ENTERQUEUE||1380000{n:04d}|1")
    if kind in {"abandoned", "timeout", "key", "empty"}:
        event = {"abandoned": "ABANDON|1|1|7", "timeout": "EXITWITHTIMEOUT|1|1|7", "key": "EXITWITHKEY|5|1|1|7",
                 "empty": "EXITEMPTY|1|1|7"}[kind]
        outcome = Outcome.ABANDONED if kind in {"abandoned", "key"} else Outcome.TIMEOUT
        return [enter, (start + 7, f"{start + 7}|{cid}|{q}|NONE|{event}")], outcome
    connect = (start + 3, f"{start + 3}|{cid}|{q}|SIP/{n}|CONNECT|3|{cid}9|1")
    end = {"answered": "COMPLETECALLER|3|20|1", "blind": "BLINDTRANSFER|s|ivr|3|20|1",
           "attended": "ATTENDEDTRANSFER|BRIDGE|b-1|3|20|1"}[kind]
    outcome = Outcome.ANSWERED if kind == "answered" else Outcome.TRANSFERRED
    return [enter, connect, (start + 23, f"{start + 23}|{cid}|{q}|SIP/{n}|{end}")], outcome


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_KINDS), st.integers(0, 500)), min_size=1, max_size=25), st.randoms())
def test_shuffled_interleavings_of_valid_calls(specs: list[tuple[str, int]], rnd: random.Random) -> None:
    """Interleaving valid event sequences of many calls in any order keeps every call and its outcome."""
    sequences, expected = [], {}
    for n, (kind, offset) in enumerate(specs):
        seq, outcome = _sequence(n, kind, 1_600_000_000 + offset)
        sequences.append(seq)
        expected[f"{seq[0][0]}.{n}@q"] = outcome
    merged: list[str] = []
    pending = [list(s) for s in sequences]
    while any(pending):
        pick = rnd.choice([p for p in pending if p])
        merged.append(pick.pop(0)[1])
    items = list(parse(enumerate(merged, start=1), CTX))
    assert not [i for i in items if isinstance(i, Rejection | Notice)]
    assert {c.source_call_id: c.outcome for c in items if isinstance(c, Call)} == expected
