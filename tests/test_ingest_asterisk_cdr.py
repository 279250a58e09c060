"""The Asterisk Master.csv importer: both column orders, local times, direction and outcomes, garbage."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callops.ingest.asterisk_cdr import parse
from callops.ingest.items import ParseContext, Rejection
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
    custom = _calls("custom_Master.csv")["1772442000.1:7"]
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
        assert isinstance(item, Call | Rejection)
