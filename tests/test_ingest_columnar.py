"""The columnar import gives what the line-by-line import gives: every stored column, every count, notice,
rejection and error, on every fixture, on messy generated files and on the real Anonymous Bank data; it
falls back to the line reader for files it does not read (a byte not in the encoding, a huge line)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from callops.cli._progress import StageProgress, for_terminal
from callops.errors import InvalidInput
from callops.ingest import import_files, pipeline
from callops.ingest.columnar import read_lines
from callops.ingest.formats import COLUMNAR, COLUMNAR_MAX_BYTES
from callops.ingest.pipeline import ImportProgress
from callops.store.engine import make_engine
from callops.store.record_batches import insert_prepared, prepare_calls, row_of_call
from callops.store.records import CallFilter, find_calls

sys.path.insert(0, str(Path(__file__).resolve().parent))
from columnar_compare import assert_same as _assert_same  # noqa: E402
from columnar_compare import stored_rows as _stored  # noqa: E402
from queue_log_synth import queue_log_lines  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BANK = Path(__file__).resolve().parents[2] / "shared" / "data" / "anonymous-bank-1999"
QUEUE_LOGS = sorted((FIXTURES / "asterisk_queue_log").rglob("*queue_log"))
BANK_FILES = sorted((FIXTURES / "anonymous_bank").glob("*.txt"))


@pytest.mark.parametrize("path", QUEUE_LOGS + BANK_FILES, ids=lambda p: p.name)
def test_every_fixture_imports_the_same_both_ways(template: Path, tmp_path: Path, path: Path) -> None:
    """Each queue_log and Anonymous Bank fixture stores the same rows and reports the same counts both ways."""
    fmt = "anonymous-bank" if path.suffix == ".txt" else "asterisk-queue-log"
    report = _assert_same(template, tmp_path, [path], fmt, "Asia/Jerusalem" if fmt == "anonymous-bank" else "UTC")
    assert report["calls"] + report["agent_intervals"] + report["rejected"] + report["skipped"] > 0


def _messy_queue_log(seed: int) -> str:
    """A synthetic log with every kind of line the reader must get right, shuffled in among real calls."""
    rng = random.Random(seed)
    lines = queue_log_lines(300, seed=seed)
    odd = ["# a comment|x|y|z|CONNECT", "", "   ", "1767225700|c1|sales|NONE| ENTERQUEUE ||13800000000|1",
           "1767225701|c1|sales|PJSIP/7001|CONNECT|x|y|1", "1767225702|c9|sales|NONE|ABANDON|1|1",
           "notanepoch|c2|sales|NONE|ENTERQUEUE||1|1", "2026-01-01 08:00:00|c3|sales|NONE|ENTERQUEUE||139|1",
           "1767225703.25|c3|sales|NONE|ABANDON|1|1|2", "1767225704|c4|sales|NONE|RINGNOANSWER|abc",
           "1767225704|c4|sales|PJSIP/7002|RINGNOANSWER| 1000 ", "1767225705|c5|sales|NONE|ringnoanswer|1",
           "1767225706|c5|sales", "1767225707|c6|sales|\u3000PJSIP/7003|PAUSE|Lunch",
           "1767225708|c7|sales|NONE|\u3000DID|1", "99999999999999|c8|sales|NONE|ENTERQUEUE||1|1",
           "1767225709|c8|sales|NONE|EXITWITHKEY|5|1", "1767225710|NONE|NONE|NONE|QUEUESTART|",
           "1767225711|c10|sales|NONE|ENTERQUEUE||anonymous|1", "1767225712|c10|sales|NONE|ENTERQUEUE||1|1",
           "1767225713|c11|sales|Agent/7004|TRANSFER|200|ctx", "1767225714|c12|sales|NONE|FULL|",
           "1767225715|c13|sales|NONE|ＣＯＮＮＥＣＴ|1", "1767225716|c14|sales|NONE|RINGCANCELED|\u0663"]
    for line in odd:
        lines.insert(rng.randrange(len(lines) + 1), line)
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("seed", [1, 2])
def test_messy_queue_log_imports_the_same_both_ways(template: Path, tmp_path: Path, seed: int) -> None:
    """Comments, blank lines, CRLF and a BOM, odd whitespace, clock-time and fractional epochs, bad fields,
    unknown events and restarts: the same rows, counts, notices and rejects both ways."""
    path = tmp_path / "messy.queue_log"
    path.write_text(_messy_queue_log(seed), encoding="utf-8")
    report = _assert_same(template, tmp_path, [path], "asterisk-queue-log", "Asia/Shanghai")
    assert report["rejected"] >= 3 and report["calls"] > 200


def test_sweep_of_silent_calls_runs_at_the_same_lines(template: Path, tmp_path: Path) -> None:
    """A call silent for over a day is dropped at the line reader's sweep points (every 20,000 lines fed),
    blank lines and comments not counted: the columnar path drops the same calls."""
    lines = ["1600000000|old1|q|NONE|ENTERQUEUE||1|1", "1600000000|old2|q|NONE|ENTERQUEUE||1|1"]
    t = 1_600_000_000
    for n in range(21_000):
        t += 5
        lines.append(f"{t}|c{n}|q|NONE|RINGNOANSWER|1000" if n % 3 else f"{t}|NONE|q|NONE|MYEVENT|")
        if n % 997 == 0:
            lines += ["", "# note"]
    lines += [f"{t + 200_000}|old1|q|NONE|ABANDON|1|1|9", f"{t}|late|q|NONE|ENTERQUEUE||1|1",
              f"{t + 5}|late|q|NONE|ABANDON|1|1|5"]
    path = tmp_path / "long.queue_log"
    path.write_text("\n".join(lines) + "\n")
    report = _assert_same(template, tmp_path, [path], "asterisk-queue-log")
    assert any("had no event for a day" in n for n in report["notices"])


def _messy_bank(source: Path) -> str:
    rows = source.read_text(encoding="utf-8").splitlines()
    header, body = rows[0], rows[1:]
    cells = [r.split("\t") for r in body * 5]
    for n, row in enumerate(cells):
        row[1] = str(1000 + n)  # unique call ids, repeated below on purpose
    cells[1][5] = "99x1xx"  # bad date
    cells[2][8] = "-12"  # negative vru_time
    cells[3][15] = " -0 "  # negative zero talk
    cells[4][1] = "\u0661\u0662"  # Arabic-Indic digits: Python's isdigit says yes
    cells[5][12] = " PHANTOM"
    cells[5][6] = "25:00:00"  # a PHANTOM row with a bad clock is still an error
    cells[6][16] = "\u3000"  # ideographic space: stripped by Python, not by ASCII trim
    cells[7][4] = " TT"
    cells[8][2] = "6.02E+11"
    cells[9][13], cells[9][15] = "0:00:00", "0"  # served without a service clock
    cells[10][3] = "7"
    cells[11] = cells[11][:10]
    cells[12][0] = ""
    cells[13] = list(cells[14])  # a repeated call id, identical
    cells[15][0], cells[15][1] = cells[16][0], cells[16][1]  # the next row's call id, other content
    cells[17][9] = "00:00:00"
    out = [header] + ["\t".join(c) for c in cells] + ["", "  "] + ["\t".join(c) for c in cells[20:22]]
    return "\n".join(out) + "\n"


def test_messy_bank_file_imports_the_same_both_ways(template: Path, tmp_path: Path) -> None:
    """Bad dates and clocks, negative durations, Unicode digits and spaces, PHANTOM rows with bad fields,
    short rows, repeats and blank lines: the same rows, counts, notices and rejects both ways."""
    path = tmp_path / "messy.txt"
    path.write_text(_messy_bank(FIXTURES / "anonymous_bank" / "calls.txt"), encoding="utf-8")
    report = _assert_same(template, tmp_path, [path], "anonymous-bank", "Asia/Jerusalem")
    assert report["rejected"] >= 3 and report["merged"] >= 1


def test_gb18030_and_gzip_files_are_read_as_columns(tmp_path: Path) -> None:
    """A file entirely in the chosen encoding (gzip or not) is read as columns, its lines numbered from 1."""
    text = "1767225700|c1|销售|NONE|ENTERQUEUE||1|1\n\n1767225709|c1|销售|NONE|ABANDON|1|1|9\n"
    plain = tmp_path / "gb.queue_log"
    plain.write_bytes(text.encode("gb18030"))
    packed = tmp_path / "gb.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    for path, encoding in ((plain, "gb18030"), (packed, "utf-8")):
        lines = read_lines(path, encoding=encoding)
        assert lines is not None and lines.texts[0].split("|")[2] == "销售"
        assert list(lines.blank) == [False, True, False]


def test_files_the_columns_do_not_read_fall_back_to_the_line_reader(template: Path, tmp_path: Path) -> None:
    """A byte outside the encoding, a very long line or a file over the size cap: read_lines declines, and
    the import still names the exact line (the line reader's message) without writing anything."""
    bad = tmp_path / "bad.queue_log"
    bad.write_bytes(b"1767225700|c1|q|NONE|ENTERQUEUE||1|1\n1767225701|c1|q|NONE|ABANDON|\xa5|1|9\n")
    long = tmp_path / "long.queue_log"
    long.write_text("1767225700|c1|q|NONE|ENTERQUEUE||1|1\n1767225701|c1|q|NONE|INFO|" + "x" * 600_000 + "\n")
    assert read_lines(bad) is None and read_lines(long) is None
    assert read_lines(bad, encoding="latin-1") is not None and read_lines(bad, encoding="latin-1", max_bytes=50) is None
    db = tmp_path / "f.db"
    shutil.copyfile(template, db)
    eng = make_engine(f"sqlite:///{db}")
    with pytest.raises(InvalidInput) as caught:
        import_files(eng, [bad], fmt="asterisk-queue-log", tz="UTC")
    assert caught.value.line == 2 and "0xA5" in str(caught.value)
    assert _stored(eng) == ([], [])
    eng.dispose()


def test_first_bad_line_is_named_the_same_both_ways(template: Path, tmp_path: Path) -> None:
    """Without --skip-invalid the error names the same first bad line and field on both paths, whether it is
    a bad field or a record outside the accepted window; nothing is written."""
    lines = queue_log_lines(50)
    lines.insert(30, "1767226000|zz|sales|NONE|ABANDON|1|1|x")
    lines.insert(10, "946684800|yy|sales|NONE|ABANDON|1|1|5")  # 2000-01-01: inside the default window
    path = tmp_path / "bad.queue_log"
    path.write_text("\n".join(lines) + "\n")
    errors = []
    for columnar in (True, False):
        db = tmp_path / f"{columnar}.db"
        shutil.copyfile(template, db)
        eng = make_engine(f"sqlite:///{db}")
        for options in ({}, {"not_before": dt.datetime(2001, 1, 1, tzinfo=dt.UTC)}):
            with pytest.raises(InvalidInput) as caught:
                import_files(eng, [path], fmt="asterisk-queue-log", tz="UTC", columnar=columnar, options=options)
            errors.append((caught.value.line, caught.value.field, str(caught.value)))
        assert _stored(eng) == ([], [])
        eng.dispose()
    assert errors[:2] == errors[2:]
    assert errors[0][:2] == (32, "data3") and errors[1][:2] == (11, "time")


def test_every_columnar_format_is_compared() -> None:
    """The formats read as columns are the two this file compares, each with its own size cap."""
    assert set(COLUMNAR) == {"anonymous-bank", "asterisk-queue-log"} == set(COLUMNAR_MAX_BYTES)


def test_a_file_over_its_formats_cap_is_read_line_by_line(template: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Over its format's cap a file goes to the line reader (the cap bounds the columns' memory) and stores the
    same rows; the other format's cap does not apply to it."""
    log = tmp_path / "queue_log"
    log.write_text("\n".join(queue_log_lines(200)) + "\n")
    columns_read: list[bool] = []
    real = read_lines

    def watched(path: Path, *, encoding: str = "utf-8", max_bytes: int) -> Any:
        table = real(path, encoding=encoding, max_bytes=max_bytes)
        columns_read.append(table is not None)
        return table

    monkeypatch.setattr(pipeline, "read_lines", watched)
    monkeypatch.setitem(COLUMNAR_MAX_BYTES, "anonymous-bank", 10)
    _assert_same(template, tmp_path, [log], "asterisk-queue-log")
    assert columns_read == [True]  # under its own cap, though over the bank's
    monkeypatch.setitem(COLUMNAR_MAX_BYTES, "asterisk-queue-log", log.stat().st_size - 1)
    (tmp_path / "over").mkdir()
    _assert_same(template, tmp_path / "over", [log], "asterisk-queue-log")
    assert columns_read == [True, False]


@pytest.mark.skipif(not (BANK / "calls_1999-01.txt.gz").exists(), reason="needs ../shared/data/anonymous-bank-1999")
def test_real_bank_month_imports_the_same_both_ways(template: Path, tmp_path: Path) -> None:
    """January 1999 of the real Anonymous Bank data: 31,359 calls, identical in every stored column both ways."""
    report = _assert_same(template, tmp_path, [BANK / "calls_1999-01.txt.gz"], "anonymous-bank", "Asia/Jerusalem")
    assert report["calls"] == 31_359 and report["skipped"] == 240


def test_postgresql_copy_stores_what_sqlite_stores(engine: sa.Engine, template: Path, tmp_path: Path) -> None:
    """The columnar import on each backend (COPY on PostgreSQL) stores the rows the line reader stores on
    SQLite; importing again adds nothing; a row whose key is stored already is refused as an IntegrityError."""
    path = tmp_path / "messy.queue_log"
    path.write_text(_messy_queue_log(3), encoding="utf-8")
    first = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC", skip_invalid=True,
                         rejects_path=tmp_path / "r.csv")
    again = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC", skip_invalid=True,
                         rejects_path=tmp_path / "r.csv")
    assert first.inserted > 200 and again.inserted == 0 and again.duplicates == first.inserted
    db = tmp_path / "line.db"
    shutil.copyfile(template, db)
    line_engine = make_engine(f"sqlite:///{db}")
    import_files(line_engine, [path], fmt="asterisk-queue-log", tz="UTC", skip_invalid=True,
                 rejects_path=tmp_path / "r2.csv", columnar=False)
    assert _stored(engine) == _stored(line_engine)
    line_engine.dispose()
    with engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        (_, call), = find_calls(conn, CallFilter(), limit=1)
        insert_prepared(conn, prepare_calls([row_of_call(call)]), 1)


def test_progress_bar_shows_stages_after_the_delay_only(template: Path, tmp_path: Path) -> None:
    """The CLI's progress display stays silent for a quick import and, once past its delay, draws one bar
    per stage (reading the file, writing the rows) up to their totals; JSON output never gets one."""
    path = tmp_path / "p.queue_log"
    path.write_text("\n".join(queue_log_lines(200)) + "\n")
    db = tmp_path / "p.db"
    shutil.copyfile(template, db)
    eng = make_engine(f"sqlite:///{db}")
    seen: list[ImportProgress] = []
    quiet = io.StringIO()
    silent = StageProgress(after_s=3600, file=quiet)

    def watch(step: ImportProgress) -> None:
        seen.append(step)
        silent(step)

    report = import_files(eng, [path], fmt="asterisk-queue-log", tz="UTC", progress=watch)
    silent.close()
    assert quiet.getvalue() == ""
    assert (seen[0].phase, seen[0].file) == ("reading", str(path))
    assert (seen[-1].phase, seen[-1].written, seen[-1].to_write) == ("writing", report.inserted, report.inserted)
    shown = io.StringIO()
    loud = StageProgress(after_s=0, file=shown)
    for step in seen:
        loud(step)
    assert (loud.stage, loud.shown) == ("writing", report.inserted)
    loud.close()
    assert f"reading {path}" in shown.getvalue() and "writing" in shown.getvalue()  # a non-terminal gets labels
    assert for_terminal(as_json=True) is None
    eng.dispose()


def test_columnar_imports_do_not_import_pandas(template: Path, tmp_path: Path) -> None:
    """pyarrow's ``pa.array``, ``pa.scalar`` and ``to_numpy`` import pandas (a second per import process);
    the columnar queue_log and bank imports, the pre-aggregate increment included, build their arrays from
    buffers."""
    log = tmp_path / "queue_log"
    log.write_text("\n".join(queue_log_lines(300)) + "\n")
    imports = [("queue_log.db", "asterisk-queue-log", "UTC", [log]),
               ("bank.db", "anonymous-bank", "Asia/Jerusalem", BANK_FILES)]
    probe = "import sys\nfrom pathlib import Path\nfrom callops.ingest import import_files\n" \
            "from callops.store.engine import make_engine\n"
    for name, fmt, tz, paths in imports:
        shutil.copyfile(template, tmp_path / name)
        probe += (f"report = import_files(make_engine('sqlite:///{tmp_path / name}'), "
                  f"[Path(p) for p in {[str(p) for p in paths]!r}], fmt={fmt!r}, tz={tz!r}, columnar=True, "
                  "skip_invalid=True)\nprint(report.inserted)\n")
    probe += "print('pandas' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=tmp_path)  # the rejects file of bad_date.txt lands there, not in the checkout
    *inserted, pandas_loaded = result.stdout.split()
    assert len(inserted) == 2 and all(int(n) > 0 for n in inserted)
    assert pandas_loaded == "False"
