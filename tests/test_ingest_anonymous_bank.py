"""The Anonymous Bank importer: outcomes, clock roll-over, the real files' quirks, atomicity.

Fixture lines are written here in the format of the data authors' documentation
(Anonymous Bank call-center data, Technion: Guedj & Mandelbaum).
"""

from __future__ import annotations

import datetime as dt
import gzip
import zoneinfo
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.ingest import import_files
from callops.ingest.anonymous_bank import COLUMNS, parse
from callops.ingest.items import Notice, ParseContext, Rejection, Skip
from callops.records import Call, Outcome
from callops.store.records import CallFilter, count_calls, find_calls

UTC = dt.UTC
JERUSALEM = zoneinfo.ZoneInfo("Asia/Jerusalem")


def _parse(path: Path, tz: str = "UTC") -> list[object]:
    lines = enumerate(path.read_text().splitlines(), start=1)
    return list(parse(lines, ParseContext(file=path.name, tz=zoneinfo.ZoneInfo(tz))))


def _calls(fixtures: Path) -> dict[str, Call]:
    return {c.source_call_id: c for c in _parse(fixtures / "anonymous_bank" / "calls.txt") if isinstance(c, Call)}


def test_outcomes_follow_queueing(fixtures: Path) -> None:
    """AGENT is answered; HANG after queueing is abandoned; HANG before queueing ended in the IVR."""
    calls = _calls(fixtures)
    assert calls["AA0101-1"].outcome is Outcome.ANSWERED
    assert calls["AA0101-2"].outcome is Outcome.ABANDONED
    assert calls["AA0101-3"].outcome is Outcome.IVR_HANGUP
    assert not calls["AA0101-3"].outcome.offered


def test_phantom_is_skipped(fixtures: Path) -> None:
    """PHANTOM rows become counted skips, never calls."""
    items = _parse(fixtures / "anonymous_bank" / "calls.txt")
    assert [i.line for i in items if isinstance(i, Skip)] == [5]
    assert "AA0101-4" not in _calls(fixtures)


def test_times_and_durations(fixtures: Path) -> None:
    """Queue entry, answer and end come from the clock times and durations of the row."""
    call = _calls(fixtures)["AA0101-1"]
    assert call.ivr_entered_at == dt.datetime(1999, 1, 5, 10, 0, 0, tzinfo=UTC)
    assert call.queue_entered_at == dt.datetime(1999, 1, 5, 10, 0, 10, tzinfo=UTC)
    assert call.answered_at == dt.datetime(1999, 1, 5, 10, 0, 40, tzinfo=UTC)
    assert call.ended_at == dt.datetime(1999, 1, 5, 10, 3, 40, tzinfo=UTC)
    assert call.wait_s == 30 and call.talk_s == 180 and call.agent == "DANA"
    assert call.caller_number == "12345" and call.priority == 2 and call.call_type == "regular"


def test_local_clock_times_take_the_given_zone(fixtures: Path) -> None:
    """With --tz Asia/Jerusalem, 10:00 local in January is 08:00 UTC."""
    calls = {c.source_call_id: c for c in _parse(fixtures / "anonymous_bank" / "calls.txt", "Asia/Jerusalem")
             if isinstance(c, Call)}
    assert calls["AA0101-1"].ivr_entered_at == dt.datetime(1999, 1, 5, 8, 0, 0, tzinfo=UTC)


def test_services_past_midnight_roll_over(fixtures: Path) -> None:
    """A service that starts before midnight and ends after it ends on the next day."""
    calls = _calls(fixtures)
    late = calls["AA0102-6"]
    assert late.ended_at == dt.datetime(1999, 1, 6, 0, 4, 50, tzinfo=UTC)
    queued_after_midnight = calls["AA0102-7"]
    assert queued_after_midnight.queue_entered_at == dt.datetime(1999, 1, 6, 0, 0, 5, tzinfo=UTC)
    assert queued_after_midnight.answered_at == dt.datetime(1999, 1, 6, 0, 0, 35, tzinfo=UTC)
    assert queued_after_midnight.wait_s == 30


def test_served_without_queueing_is_offered_with_zero_wait(fixtures: Path) -> None:
    """A call served straight from the VRU is answered, offered and waited 0 s."""
    call = _calls(fixtures)["AA0102-5"]
    assert call.outcome is Outcome.ANSWERED and call.queue_entered_at is None and call.wait_s == 0


def test_quirks_are_handled_not_rejected(fixtures: Path) -> None:
    """Undocumented types, ' TT', ANO_SERVERT, zero-length service, negative vru_time all import."""
    items = _parse(fixtures / "anonymous_bank" / "calls.txt")
    assert not [i for i in items if isinstance(i, Rejection)]
    calls = _calls(fixtures)
    zero = calls["AA0103-8"]
    assert zero.queue == "AA" and zero.agent is None and zero.talk_s == 0 and zero.outcome is Outcome.ANSWERED
    skewed = calls["AA0103-9"]
    assert skewed.queue == "TT" and skewed.call_type == "callback" and skewed.caller_number == "6.02E+11"
    assert skewed.ivr_exited_at == skewed.ivr_entered_at and skewed.outcome is Outcome.ABANDONED


def test_bad_line_is_named(fixtures: Path) -> None:
    """A corrupted date is rejected with its line number (header = line 1) and field."""
    rejected = [i for i in _parse(fixtures / "anonymous_bank" / "bad_date.txt") if isinstance(i, Rejection)]
    assert [(r.line, r.field) for r in rejected] == [(6, "date")]


def test_wrong_header_is_rejected(tmp_path: Path) -> None:
    """A file that is not in this format is refused at line 1."""
    path = tmp_path / "x.txt"
    path.write_text("a,b,c\n1,2,3\n")
    items = _parse(path)
    assert len(items) == 1 and isinstance(items[0], Rejection) and items[0].line == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=120), max_size=8))
def test_garbage_never_crashes(lines: list[str]) -> None:
    """Random text yields rejections or nothing, never an exception."""
    numbered = enumerate(["\t".join(COLUMNS), *(line.replace("\n", " ") for line in lines)], start=1)
    for item in parse(numbered, ParseContext(file="garbage", tz=JERUSALEM)):
        assert isinstance(item, Call | Rejection | Skip)


def test_import_is_atomic_and_idempotent(engine: sa.Engine, fixtures: Path, tmp_path: Path) -> None:
    """A bad line writes nothing; a good file lands once; importing it again adds nothing."""
    bad = fixtures / "anonymous_bank" / "bad_date.txt"
    with pytest.raises(InvalidInput, match=r"line 6, field date"):
        import_files(engine, [bad], fmt="anonymous-bank", tz="UTC")
    with engine.connect() as conn:
        assert count_calls(conn, CallFilter()) == 0
    good = tmp_path / "calls.txt.gz"
    good.write_bytes(gzip.compress((fixtures / "anonymous_bank" / "calls.txt").read_bytes()))
    first = import_files(engine, [good], fmt="anonymous-bank", tz="UTC")
    assert (first.inserted, first.duplicates, first.skipped) == (8, 0, 1)
    again = import_files(engine, [good], fmt="anonymous-bank", tz="UTC")
    assert (again.inserted, again.duplicates) == (0, 8)
    with engine.connect() as conn:
        assert count_calls(conn, CallFilter()) == 8
        stored = {c.source_call_id: c for _, c in find_calls(conn, CallFilter(), limit=100)}
    assert stored == _calls(fixtures)


def test_skip_invalid_writes_rejects(engine: sa.Engine, fixtures: Path, tmp_path: Path) -> None:
    """With skip_invalid the good lines land and the bad one goes to the rejects file."""
    rejects = tmp_path / "rejects.csv"
    report = import_files(engine, [fixtures / "anonymous_bank" / "bad_date.txt"], fmt="anonymous-bank",
                          tz="UTC", skip_invalid=True, rejects_path=rejects)
    assert (report.inserted, report.rejected, report.skipped) == (8, 1, 1)
    text = rejects.read_text()
    assert "bad_date.txt,6,date" in text and "99x1xx" in text


def test_dry_run_writes_nothing(engine: sa.Engine, fixtures: Path) -> None:
    """A dry run counts what it would insert and leaves the database untouched."""
    report = import_files(engine, [fixtures / "anonymous_bank" / "calls.txt"], fmt="anonymous-bank", tz="UTC",
                          dry_run=True)
    assert report.inserted == 8 and report.dry_run
    with engine.connect() as conn:
        assert count_calls(conn, CallFilter()) == 0


def test_real_month_counts(shared_data: Path, engine: sa.Engine) -> None:
    """A real month imports whole: every non-PHANTOM row, counted independently, becomes a call."""
    path = shared_data / "anonymous-bank-1999" / "calls_1999-01.txt.gz"
    with gzip.open(path, "rt") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    expected = sum(1 for r in rows if r[12].strip() != "PHANTOM")
    phantoms = len(rows) - expected
    report = import_files(engine, [path], fmt="anonymous-bank", tz="Asia/Jerusalem")
    assert (report.inserted, report.skipped, report.rejected) == (expected, phantoms, 0)


def test_undocumented_priority_and_empty_server_are_kept(tmp_path: Path) -> None:
    """A priority digit outside 0-2 is kept as given and an empty server reads as an unknown agent."""
    header = "\t".join(COLUMNS)
    row = "\t".join(["AA0101", "1", "0", "3", "PS", "990105", "10:00:00", "10:00:10", "10", "10:00:10", "10:00:40",
                     "30", "AGENT", "10:00:40", "10:03:40", "180", ""])
    path = tmp_path / "calls.txt"
    path.write_text(f"{header}\n{row}\n")
    [call] = _parse(path)
    assert isinstance(call, Call) and call.priority == 3 and call.agent is None and call.outcome is Outcome.ANSWERED


def test_service_without_a_clock_is_answered_when_the_queue_ends(tmp_path: Path) -> None:
    """A served row with ser_start 0:00:00 and ser_time 0 (42 rows of January 1999) is answered when it left the
    queue: it waited its q_time (137 s), not until a midnight 11 hours away."""
    header = "\t".join(COLUMNS)
    queued = "\t".join(["AA0102", "28607", "11766342", "1", "PS", "990104", "13:01:45", "13:01:51", "6", "13:01:51",
                        "13:04:08", "137", "AGENT", "0:00:00", "0:00:00", "0", "IDIT"])
    direct = "\t".join(["AA0102", "28609", "0", "0", "PS", "990104", "13:39:21", "13:39:30", "9", "0:00:00",
                        "0:00:00", "0", "AGENT", "0:00:00", "0:00:00", "0", "GILI"])
    path = tmp_path / "calls.txt"
    path.write_text(f"{header}\n{queued}\n{direct}\n")
    first, second = _parse(path, "Asia/Jerusalem")
    assert isinstance(first, Call) and isinstance(second, Call)
    assert first.outcome is Outcome.ANSWERED and first.wait_s == 137
    assert first.answered_at == dt.datetime(1999, 1, 4, 13, 4, 8, tzinfo=JERUSALEM)
    assert second.wait_s == 0 and second.answered_at == dt.datetime(1999, 1, 4, 13, 39, 30, tzinfo=JERUSALEM)


def test_negative_durations_are_reported_not_silent() -> None:
    """A negative ser_time imports as talk 0 and a notice names the line (issue 17: never silently)."""
    row = "\t".join(["AA0101", "33118", "27997683", "2", "PS", "990101", "6:55:20", "6:55:26", "6", "6:55:26",
                     "6:55:43", "17", "AGENT", "6:55:43", "6:56:37", "-54", "MICHAL"])
    ctx = ParseContext(file="m.txt", tz=JERUSALEM)
    items = list(parse(enumerate(["\t".join(COLUMNS), row], start=1), ctx))
    [call] = [i for i in items if isinstance(i, Call)]
    [note] = [i for i in items if isinstance(i, Notice)]
    assert call.talk_s == 0 and note.line == 2 and "negative ser_time (talk time counted as 0)" in note.message
