"""The import contract, for every format, on SQLite and PostgreSQL: atomic, named errors, rejects, idempotent.

Fixtures under tests/fixtures/<format>/ are written from each format's own documentation (Asterisk
queue_log and cdr_csv, FreeSWITCH mod_callcenter variables); each has a good file and one with a bad line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from callops.cli import cli
from callops.errors import InvalidInput
from callops.ingest import import_files
from callops.store.records import CallFilter, count_calls

FIX = Path(__file__).resolve().parent / "fixtures"
MAPPING = FIX / "csv" / "crm-export.yaml"

# format, good file, its calls, its agent intervals, bad file, bad line, bad field, good calls in the bad file
CASES = [
    ("asterisk-queue-log", "asterisk_queue_log/queue_log", 6, 9, "asterisk_queue_log/bad_line.queue_log", 5,
     "data3", 2),
    ("asterisk-cdr", "asterisk_cdr/Master.csv", 4, 0, "asterisk_cdr/bad_line.csv", 2, "start", 2),
    ("freeswitch-cc", "freeswitch_cc/cdr.csv", 3, 0, "freeswitch_cc/bad_line.csv", 3, "cc_queue_joined_epoch", 2),
    ("csv", "csv/crm-calls.csv", 3, 0, "csv/bad_line.csv", 3, "Result", 2),
]


def _options(fmt: str) -> dict[str, Any]:
    if fmt != "csv":
        return {}
    return {"mapping": yaml.safe_load(MAPPING.read_text()), "mapping_file": str(MAPPING)}


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return count_calls(conn, CallFilter())


@pytest.mark.parametrize(("fmt", "good", "calls", "intervals", "bad", "line", "field", "good_in_bad"), CASES)
def test_contract(engine: sa.Engine, tmp_path: Path, fmt: str, good: str, calls: int, intervals: int, bad: str,
                  line: int, field: str, good_in_bad: int) -> None:
    """A bad line aborts with nothing written; --skip-invalid lands the rest; a re-import adds nothing."""
    with pytest.raises(InvalidInput, match=rf"{Path(bad).name}, line {line}, field {field}"):
        import_files(engine, [FIX / bad], fmt=fmt, tz="Europe/Berlin", options=_options(fmt))
    assert _count(engine) == 0
    rejects = tmp_path / "rejects.csv"
    partial = import_files(engine, [FIX / bad], fmt=fmt, tz="Europe/Berlin", skip_invalid=True,
                           rejects_path=rejects, options=_options(fmt))
    assert (partial.calls, partial.rejected) == (good_in_bad, 1)
    assert f"{line},{field}," in rejects.read_text()
    first = import_files(engine, [FIX / good], fmt=fmt, tz="Europe/Berlin", options=_options(fmt))
    assert (first.calls, first.agent_intervals) == (calls, intervals)
    again = import_files(engine, [FIX / good], fmt=fmt, tz="Europe/Berlin", options=_options(fmt))
    assert again.inserted == 0 and again.duplicates == calls + intervals
    assert _count(engine) == first.inserted - intervals + partial.inserted


@pytest.mark.parametrize(("fmt", "good", "calls", "intervals", "bad", "line", "field", "good_in_bad"), CASES)
def test_cli_json_and_exit_code(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str, good: str,
                                calls: int, intervals: int, bad: str, line: int, field: str,
                                good_in_bad: int) -> None:
    """`callops import --json` prints the counts; a bad line exits non-zero naming file, line and field."""
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    extra = ["--mapping", str(MAPPING)] if fmt == "csv" else []
    runner = CliRunner()
    failed = runner.invoke(cli, ["import", str(FIX / bad), "--format", fmt, "--tz", "Europe/Berlin", *extra])
    assert failed.exit_code != 0
    assert f"line {line}" in failed.output and field in failed.output
    done = runner.invoke(cli, ["import", str(FIX / good), "--format", fmt, "--tz", "Europe/Berlin", "--json",
                               *extra])
    assert done.exit_code == 0, done.output
    counts = json.loads(done.output)
    assert {k: counts[k] for k in ("inserted", "duplicates", "rejected", "calls", "agent_intervals")} == {
        "inserted": calls + intervals, "duplicates": 0, "rejected": 0, "calls": calls,
        "agent_intervals": intervals}


def test_cli_json_on_multi_leg_cdr(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`callops import --json` on a multi-leg CDR: one call per call, answered ones with their queue and agent."""
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    done = runner.invoke(cli, ["import", str(FIX / "asterisk_cdr" / "multileg_13.csv"), "--format", "asterisk-cdr",
                               "--tz", "Asia/Shanghai", "--json"])
    assert done.exit_code == 0, done.output
    counts = json.loads(done.output)
    assert (counts["calls"], counts["inserted"], counts["skipped"]) == (4, 4, 8)
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT source_call_id, queue, agent FROM calls WHERE outcome = 'answered' "
                                    "AND direction = 'inbound' ORDER BY source_call_id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("1709283600.1", "support", "PJSIP/6001"),
                                        ("1709286000.15", None, "PJSIP/6001")]
    explained = runner.invoke(cli, ["import", str(FIX / "asterisk_cdr" / "multileg_13.csv"), "--format",
                                    "asterisk-cdr", "--dry-run", "--explain"])
    assert explained.exit_code == 0 and "inbound by inbound_contexts" in explained.output
