"""The format sniffer recognises every format callops imports from its first lines, says why, and the file it
recognised imports in that format; a preview shows the first calls and refused lines and writes nothing."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from callops.ingest import import_files
from callops.ingest.formats import FORMATS
from callops.ingest.preview import preview_file
from callops.ingest.sniff import sniff_file, sniff_lines
from callops.store.schema import calls

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO = Path(__file__).resolve().parents[1] / "src" / "callops" / "demo" / "calls_1999-01.txt.gz"
MAPPING = FIXTURES / "csv" / "crm-export.yaml"

# one real fixture per format (and per layout where a format has several)
CASES = [
    ("anonymous_bank/calls.txt", "anonymous-bank", None, "Anonymous Bank header"),
    ("asterisk_queue_log/queue_log", "asterisk-queue-log", None, "epoch|callid|queue|agent|EVENT"),
    ("asterisk_queue_log/branches/1.2.queue_log", "asterisk-queue-log", None, "queue_log"),
    ("asterisk_cdr/Master.csv", "asterisk-cdr", None, "disposition"),
    ("asterisk_cdr/custom_Master.csv", "asterisk-cdr", None, "Master.csv"),
    ("freeswitch_cc/cdr.csv", "freeswitch-cc", None, "cc_queue and cc_queue_joined_epoch"),
    ("freeswitch_cc/example_template.csv", "freeswitch-cc", "example", "stock template 'example'"),
    ("freeswitch_json/lines.json", "freeswitch-json", None, "JSON document"),
    ("freeswitch_json/8f2a6c1e-0005.cdr.json", "freeswitch-json", None, "mod_json_cdr"),
    ("csv/crm-calls.csv", "csv", None, "8 semicolon-separated column names"),
]


def test_every_format_has_a_case() -> None:
    assert {fmt for _, fmt, _, _ in CASES} == set(FORMATS)


@pytest.mark.parametrize(("name", "fmt", "template", "why"), CASES)
def test_each_format_is_recognised_with_its_reason_and_imports_so(engine: sa.Engine, tmp_path: Path, name: str,
                                                                  fmt: str, template: str | None, why: str) -> None:
    path = tmp_path / Path(name).name
    path.write_bytes(gzip.compress((FIXTURES / name).read_bytes()))  # a gzip reads the same
    guess = sniff_file(path)
    assert (guess.format, guess.template) == (fmt, template) and why in guess.reason
    options: dict[str, object] = {"template": template} if template else {}
    if fmt == "csv":
        options = {"mapping": yaml.safe_load(MAPPING.read_text()), "mapping_file": str(MAPPING)}
    report = import_files(engine, [path], fmt=fmt, tz="UTC", options=options, skip_invalid=True,
                          rejects_path=tmp_path / "r.csv")
    assert report.calls > 0


def test_the_demo_month_is_recognised_from_its_gzip() -> None:
    guess = sniff_file(DEMO)
    assert guess.format == "anonymous-bank"


@pytest.mark.parametrize(("lines", "words"), [
    ([], "empty"),
    (["", "   "], "empty"),
    (["Event: FullyBooted", "Privilege: system,all"], "none of the known formats"),
    (["just some words"], "none of the known formats"),
])
def test_what_fits_no_format_is_said_so(lines: list[str], words: str) -> None:
    guess = sniff_lines(lines)
    assert guess.format is None and words in guess.reason


def test_a_line_not_in_the_encoding_is_kept_aside_for_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    row = (FIXTURES / "asterisk_cdr" / "Master.csv").read_text().splitlines()[0].replace('""Alice""', "张三")
    path.write_bytes((row + "\n").encode("gb18030"))
    as_utf8 = sniff_file(path)
    assert as_utf8.undecodable is not None and as_utf8.undecodable.line == 1
    as_gb = sniff_file(path, encoding="gb18030")
    assert as_gb.format == "asterisk-cdr" and as_gb.undecodable is None


def test_preview_shows_the_first_calls_and_refused_lines_and_writes_nothing(engine: sa.Engine,
                                                                           tmp_path: Path) -> None:
    with gzip.open(DEMO, "rt", encoding="utf-8") as source:
        lines = [next(source) for _ in range(61)]
    lines[3] = lines[3].replace("990101", "991341")
    path = tmp_path / "head.txt"
    path.write_text("".join(lines))
    preview = preview_file(path, fmt="anonymous-bank", tz="Asia/Jerusalem", name="head.txt")
    assert len(preview.calls) == 20 and preview.complete and preview.lines_read == 61
    assert preview.rejected == 1 and preview.rejections[0].line == 4
    assert preview.rejections[0].file == "head.txt"
    short = preview_file(path, fmt="anonymous-bank", tz="Asia/Jerusalem", max_lines=10)
    assert not short.complete and short.lines_read == 10 and len(short.calls) < 10
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(calls)).scalar_one() == 0
