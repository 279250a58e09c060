"""Import edge cases: per-line decoding and --encoding, line-length cap, empty files, the time window,
within-file repeats apart from stored duplicates, and a busy SQLite database."""

from __future__ import annotations

import datetime as dt
import gzip
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from callops.cli import cli
from callops.errors import Conflict, InvalidInput
from callops.ingest import import_files
from callops.ingest.callers import caller_number
from callops.ingest.formats import FORMATS
from callops.ingest.pipeline import ImportProgress
from callops.store.engine import make_engine, upgrade
from callops.store.record_batches import changed_since, write_marker
from callops.store.schema import imports

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _queue_log(calls: int, start: int = 1_600_000_000) -> list[str]:
    lines = []
    for n in range(calls):
        t = start + n * 100
        lines += [f"{t}|c{n}|q|NONE|ENTERQUEUE||1390000{n:04d}|1", f"{t + 9}|c{n}|q|NONE|ABANDON|1|1|9"]
    return lines


def _imports(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(imports)).scalar_one())


def test_bad_byte_names_its_own_line_even_after_many_kilobytes(engine: sa.Engine, tmp_path: Path) -> None:
    """Decoding is per line: a 0xA5 byte on line 401 (after ~20 KB) is reported on line 401, and only it is lost."""
    lines = [s.encode() for s in _queue_log(300)]
    lines.insert(400, b"1600099999|cx|q|NONE|ENTERQUEUE||\xa5\xa5|1")
    path = tmp_path / "queue_log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(InvalidInput, match=r"queue_log, line 401: not utf-8 text: byte 0xA5"):
        import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC")
    report = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC", skip_invalid=True,
                          rejects_path=tmp_path / "r.csv")
    assert (report.calls, report.rejected) == (300, 1)


def test_encoding_option_reads_gb18030(engine: sa.Engine, tmp_path: Path) -> None:
    """A CDR written in GB18030 (Chinese caller names) imports with --encoding gb18030; as UTF-8 it is refused."""
    row = ('"","13800138000","6001","from-trunk","张三 <13800138000>","SIP/trunk-00000001","SIP/6001-00000002",'
           '"Dial","SIP/6001","2024-03-01 09:00:00","2024-03-01 09:00:05","2024-03-01 09:01:05",65,60,'
           '"ANSWERED","DOCUMENTATION","1709254800.1",""\n')
    path = tmp_path / "Master.csv"
    path.write_bytes(row.encode("gb18030"))
    with pytest.raises(InvalidInput, match="line 1"):
        import_files(engine, [path], fmt="asterisk-cdr", tz="Asia/Shanghai")
    report = import_files(engine, [path], fmt="asterisk-cdr", tz="Asia/Shanghai", encoding="gb18030")
    assert report.inserted == 1


def test_overlong_line_in_gzip_is_refused_while_reading(engine: sa.Engine, tmp_path: Path) -> None:
    """A small gzip expanding to a 4 MB line: refused naming the line, without holding the line in memory."""
    path = tmp_path / "queue_log.gz"
    with gzip.open(path, "wb") as out:
        out.write(("\n".join(_queue_log(2)) + "\n").encode())
        out.write(b"1600000500|c|q|NONE|INFO|" + b"x" * (4 << 20) + b"\n")
    assert path.stat().st_size < 50_000
    with pytest.raises(InvalidInput, match=r"line 5: line longer than 1,048,576 bytes"):
        import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC")


_MAPPING = FIXTURES / "csv" / "crm-export.yaml"


def _options(fmt: str) -> dict[str, object]:
    if fmt != "csv":
        return {}
    return {"mapping": yaml.safe_load(_MAPPING.read_text()), "mapping_file": str(_MAPPING)}


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\r\n  \n"])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_empty_file_is_refused_the_same_way_in_every_format(engine: sa.Engine, tmp_path: Path, fmt: str,
                                                            content: bytes) -> None:
    """An empty file (no lines, or only blank ones) is a rejection naming the file in every format: an error
    without --skip-invalid, a line of the rejects file with it; nothing is written either way."""
    path = tmp_path / "empty.log"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=r"empty\.log, line \d+: empty file \(no lines, or only blank ones\)"):
        import_files(engine, [path], fmt=fmt, tz="UTC", options=_options(fmt))
    report = import_files(engine, [path], fmt=fmt, tz="UTC", options=_options(fmt), skip_invalid=True,
                          rejects_path=tmp_path / "r.csv")
    assert (report.rejected, report.inserted, report.written) == (1, 0, False)
    assert "empty file" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert _imports(engine) == 0


def test_gzip_of_an_empty_file_is_refused_like_the_plain_one(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "empty.log.gz"
    path.write_bytes(gzip.compress(b""))
    with pytest.raises(InvalidInput, match=r"empty\.log\.gz, line 1: empty file"):
        import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC")


def test_progress_is_reported_while_reading_and_before_writing(engine: sa.Engine, tmp_path: Path) -> None:
    """Read line by line, the progress callback sees reading advance over the file's bytes, then the write; its
    counts are real."""
    path = tmp_path / "queue_log.gz"
    path.write_bytes(gzip.compress(("\n".join(_queue_log(6000)) + "\n").encode()))
    seen: list[ImportProgress] = []
    report = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC", progress=seen.append, columnar=False)
    reading = [p for p in seen if p.phase == "reading"]
    assert len(reading) >= 3 and all(p.total_bytes == path.stat().st_size for p in seen)
    assert [p.done_bytes for p in reading] == sorted(p.done_bytes for p in reading)
    assert reading[-1].done_bytes == path.stat().st_size and reading[0].done_bytes < path.stat().st_size
    assert seen[-1].phase == "writing" and seen[-1].records == report.calls == 6000


def test_records_outside_the_window_are_refused_naming_the_line(engine: sa.Engine, tmp_path: Path) -> None:
    """A 1970 call is refused (line of its end event, field time); a window that includes it accepts it."""
    path = tmp_path / "queue_log"
    path.write_text("\n".join([*_queue_log(2), "100|old|q|NONE|ENTERQUEUE||1|1", "109|old|q|NONE|ABANDON|1|1|9"]))
    with pytest.raises(InvalidInput, match=r"line 6, field time: old@q: 1970-01-01 00:01 is outside"):
        import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC")
    report = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC",
                          options={"not_before": dt.datetime(1969, 1, 1, tzinfo=dt.UTC)})
    assert report.calls == 3
    assert any("records span 1970-01-01" in n for n in report.notices)


def test_repeats_in_the_file_are_merged_not_duplicates(engine: sa.Engine, tmp_path: Path) -> None:
    """Within-file repeats count as merged with a reason; a re-import counts duplicates (already stored)."""
    mapping = FIXTURES / "csv" / "crm-export.yaml"
    options = {"mapping": yaml.safe_load(mapping.read_text()), "mapping_file": str(mapping)}
    lines = (FIXTURES / "csv" / "crm-calls.csv").read_text().splitlines()
    changed = lines[1].replace(";240;", ";241;")
    path = tmp_path / "calls.csv"
    path.write_text("\n".join([*lines, lines[1], changed]) + "\n")
    first = import_files(engine, [path], fmt="csv", tz="UTC", options=options)
    assert (first.inserted, first.duplicates, first.merged) == (3, 0, 2)
    assert first.merge_reasons == {"call id repeated with identical content": 1,
                                   "call id repeated with different content: the first kept": 1}
    again = import_files(engine, [path], fmt="csv", tz="UTC", options=options)
    assert (again.inserted, again.duplicates, again.merged) == (0, 3, 2)


def test_busy_sqlite_gives_one_clear_line_and_writes_nothing(tmp_path: Path) -> None:
    """While another writer holds SQLite's write lock, an import stops with a Conflict, not a traceback."""
    database = str(tmp_path / "busy.db")
    quick = make_engine(f"sqlite:///{database}", connect_args={"timeout": 0.2})
    upgrade(quick)
    path = tmp_path / "queue_log"
    path.write_text("\n".join(_queue_log(5)))
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Conflict, match="the database is busy"):
            import_files(quick, [path], fmt="asterisk-queue-log", tz="UTC")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _imports(quick) == 0
    assert import_files(quick, [path], fmt="asterisk-queue-log", tz="UTC").inserted == 5
    quick.dispose()


def test_cli_prints_skip_reasons_and_merged(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    path = tmp_path / "queue_log"
    path.write_text("\n".join([*_queue_log(1), "1600000001|c0|q|NONE|DID|555", "1600000002|x|q|NONE|MYAPP|1"]))
    done = CliRunner().invoke(cli, ["import", str(path), "--format", "asterisk-queue-log", "--tz", "UTC"])
    assert done.exit_code == 0, done.output
    assert "skipped 1: DID: the dialled number is not stored" in done.output
    assert "skipped 1: event 'MYAPP' is not a queue event callops reads" in done.output
    bad = CliRunner().invoke(cli, ["import", str(path), "--format", "asterisk-queue-log", "--not-before", "soon"])
    assert bad.exit_code != 0 and "--not-before" in bad.output


def test_write_marker_sees_another_connections_commit(tmp_path: Path) -> None:
    """The pipeline re-checks stored keys under the lock only when another connection committed meanwhile."""
    eng = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(eng)
    with eng.connect() as conn:
        marker = write_marker(conn)
        assert not changed_since(conn, marker)
        other = sqlite3.connect(str(tmp_path / "m.db"))
        other.execute("INSERT INTO imports (format, files, imported_at, inserted, duplicates, rejected, skipped) "
                      "VALUES ('x', 'y', 0, 0, 0, 0, 0)")
        other.commit()
        other.close()
        assert changed_since(conn, marker)
    eng.dispose()


def test_callers_that_name_nobody_are_no_caller() -> None:
    """Withheld, anonymous, unknown and empty caller ids are no caller, so FCR never joins them."""
    for nobody in ("anonymous", "Anonymous", " ", "", "unknown", "Restricted", "withheld", "private", "0", None):
        assert caller_number(nobody) is None, nobody
    assert caller_number(" +8613800138000 ") == "+8613800138000"


def test_rejects_file_opens_in_excel_without_running_what_a_line_says(engine: sa.Engine, tmp_path: Path) -> None:
    """The rejects CSV starts with a UTF-8 BOM and a rejected line that reads like a formula is text there."""
    lines = _queue_log(3) + ['=HYPERLINK("http://evil.example")|c9|q|NONE|ENTERQUEUE||1|1']
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC", skip_invalid=True,
                          rejects_path=tmp_path / "r.csv")
    assert (report.calls, report.rejected) == (3, 1)
    data = (tmp_path / "r.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    raw_cell = data.decode("utf-8-sig").splitlines()[1].split(",", 4)[4]
    assert raw_cell.startswith("\"'=HYPERLINK(")


def test_a_progress_callback_can_stop_an_import_that_expands_too_far(engine: sa.Engine, tmp_path: Path) -> None:
    """The text read is reported (what a gzip expands to); a callback that raises stops the import, nothing written."""
    path = tmp_path / "queue_log.gz"
    path.write_bytes(gzip.compress(("\n".join(_queue_log(20000)) + "\n").encode()))
    text = len(gzip.decompress(path.read_bytes()))

    def stop(step: ImportProgress) -> None:
        if step.text_chars > text // 2:
            raise InvalidInput("too much text", file="queue_log.gz")

    with pytest.raises(InvalidInput, match="too much text"):
        import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC", progress=stop)
    assert _imports(engine) == 0
    seen: list[ImportProgress] = []
    import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC", progress=seen.append, dry_run=True)
    assert seen[-1].text_chars == text
