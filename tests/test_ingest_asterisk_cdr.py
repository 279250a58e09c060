"""The Asterisk Master.csv importer: both column orders, local times, direction and outcomes, garbage."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.ingest.asterisk_cdr import parse
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.records import Call, Direction, Outcome

FIX = Path(__file__).resolve().parent / "fixtures" / "asterisk_cdr"
CTX = ParseContext(file="Master.csv", tz=zoneinfo.ZoneInfo("Europe/Berlin"))


def _items(lines: list[str]) -> list[object]:
    return list(parse(enumerate(lines, start=1), CTX))


def _calls(name: str) -> dict[str, Call]:
    return {c.source_call_id: c for c in _items((FIX / name).read_text().splitlines()) if isinstance(c, Call)}


def test_dispositions_and_direction() -> None:
    """Queue calls from a trunk are inbound; from-internal dials are outbound; dispositions map to outcomes."""
    calls = _calls("Master.csv")
    summary = {k: (c.direction, c.outcome) for k, c in calls.items()}
    assert summary == {"1772442000.1": (Direction.INBOUND, Outcome.ANSWERED),
                       "1772442600.3": (Direction.INBOUND, Outcome.ABANDONED),
                       "1772443200.4": (Direction.OUTBOUND, Outcome.BUSY),
                       "1772443800.6": (Direction.OUTBOUND, Outcome.ANSWERED)}
    answered = calls["1772442000.1"]
    assert answered.queue == "support" and answered.agent == "SIP/8007" and answered.talk_s == 300
    assert calls["1772443800.6"].agent == "SIP/8008"


def test_local_times_use_tz() -> None:
    """09:00 in Berlin in March is 08:00 UTC."""
    call = _calls("Master.csv")["1772442000.1"]
    assert call.queue_entered_at == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert call.wait_s == 20


def test_cdr_custom_order_is_detected() -> None:
    """A cdr_custom Master.csv (clid first, accountcode after amaflags) reads to the same call."""
    custom = _calls("custom_Master.csv")["1772442000.1"]
    plain = _calls("Master.csv")["1772442000.1"]
    assert (custom.answered_at, custom.ended_at, custom.talk_s, custom.agent) == (
        plain.answered_at, plain.ended_at, plain.talk_s, plain.agent)


def test_bad_disposition_is_named() -> None:
    """An unknown disposition is a Rejection naming the field."""
    line = ('"","1","2","from-trunk","x","SIP/a-1","","Dial","","2026-03-02 09:00:00",,'
            '"2026-03-02 09:00:05",5,0,"MAYBE","DOCUMENTATION","u1",""')
    [item] = _items([line])
    assert isinstance(item, Rejection) and item.field == "disposition" and item.line == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('0123456789,"- :ANSWERD'), max_size=120), max_size=8))
def test_garbage_never_crashes(lines: list[str]) -> None:
    """Random text yields rejections or calls, never an exception."""
    for item in _items(lines):
        assert isinstance(item, Call | Rejection | Skip)


def _multi(name: str, options: dict[str, object] | None = None) -> list[object]:
    ctx = ParseContext(file=name, tz=zoneinfo.ZoneInfo("Asia/Shanghai"), options=options or {})
    return list(parse(enumerate((FIX / name).read_text().splitlines(), start=1), ctx))


def test_legs_with_linkedid_become_one_call_each() -> None:
    """Asterisk 13 Master.csv with linkedid: IVR, Queue and Local legs are one call; internal and Echo are skipped."""
    items = _multi("multileg_13.csv")
    calls = {c.source_call_id: c for c in items if isinstance(c, Call)}
    assert set(calls) == {"1709283600.1", "1709284200.7", "1709285400.13", "1709286000.15"}
    ivr_queue = calls["1709283600.1"]
    assert (ivr_queue.outcome, ivr_queue.queue, ivr_queue.agent) == (Outcome.ANSWERED, "support", "PJSIP/6001")
    assert (ivr_queue.wait_s, ivr_queue.talk_s) == (15, 180)
    assert ivr_queue.ivr_exited_at is not None and ivr_queue.ivr_entered_at is not None
    assert ivr_queue.ivr_exited_at - ivr_queue.ivr_entered_at == dt.timedelta(seconds=20)
    assert (calls["1709284200.7"].outcome, calls["1709284200.7"].agent) == (Outcome.ABANDONED, None)
    outbound = calls["1709285400.13"]
    assert (outbound.direction, outbound.agent, outbound.talk_s) == (Direction.OUTBOUND, "PJSIP/6001", 60)
    ring_group = calls["1709286000.15"]
    assert (ring_group.agent, ring_group.caller_number, ring_group.wait_s) == ("PJSIP/6001", None, 8)
    skipped = [s.reason for s in items if isinstance(s, Skip)]
    assert sum("not a customer call" in r for r in skipped) == 2
    assert len(skipped) == 12 - len(calls)  # every row is a call or a counted skip


def test_legs_without_linkedid_chain_through_local_channels() -> None:
    """1.8 layout (no linkedid): ForkCDR rows share the uniqueid; the Local ;1/;2 halves lead to the agent."""
    [call] = [c for c in _multi("multileg_1.8.csv") if isinstance(c, Call)]
    assert (call.queue, call.agent, call.outcome) == ("sales", "SIP/6001", Outcome.ANSWERED)
    assert (call.wait_s, call.talk_s) == (10, 275)


def test_rules_option_changes_decisions_and_explain_says_why() -> None:
    """Treating 'provider' peers as extensions makes the outbound call internal; explain names the rules."""
    rules = {"trunk_channels": ["DAHDI/*"], "named_peers_are_trunks": False, "inbound_contexts": ["from-trunk"],
             "outbound_contexts": ["outrt*"]}
    items = _multi("multileg_13.csv", {"cdr_rules": rules, "explain": True})
    calls = {c.source_call_id for c in items if isinstance(c, Call)}
    assert "1709285400.13" not in calls and "1709283600.1" in calls
    notes = [n.message for n in items if isinstance(n, Notice)]
    assert any("inbound_contexts 'from-trunk' matched" in n and "queue 'support'" in n for n in notes)


def test_bad_rules_name_the_rule() -> None:
    with pytest.raises(InvalidInput, match="unknown rule 'trunks'"):
        _multi("multileg_13.csv", {"cdr_rules": {"trunks": ["x"]}})
