"""The importer's notices and skip reasons, as the import job page shows them, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from callops.ingest import import_files
from callops.ingest.preview import preview_file
from callops.store import make_engine, upgrade
from callops.web.i18n import Translator, load_catalogs
from callops.web.import_messages import say_import
from callops.yaml_input import load_yaml

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGS = load_catalogs()


def translator(locale: str) -> Translator:
    return CATALOGS.translator(locale)


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every notice and skip reason that importing the queue_log fixtures gives (real importer output)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('msg') / 'm.db'}")
    upgrade(engine)
    found: list[str] = []
    for path in sorted((FIXTURES / "asterisk_queue_log").rglob("*queue_log*")):
        if path.is_file() and "bad" not in path.name:
            report = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC")
            found += [*report.notices, *report.skip_reasons]
    engine.dispose()
    return found


def test_every_message_of_the_queue_log_fixtures_reads_in_chinese(messages: list[str]) -> None:
    zh = translator("zh-CN")
    assert len(messages) >= 3
    for text in messages:
        said = say_import(text, zh)
        assert said != text and any("\u4e00" <= ch <= "\u9fff" for ch in said), text


def test_the_parts_are_kept_and_english_reads_as_before() -> None:
    zh, en = translator("zh-CN"), translator("en")
    text = "queue_log, line 24: call 1366721200.9@support is still open at the end of the file; not imported"
    assert say_import(text, zh) == "queue_log 第 24 行：通话 1366721200.9@support 到文件末尾仍未结束，未导入"
    assert say_import(text, en) == text
    assert say_import("records span 2013-04-23 12:26 to 2013-04-23 12:46 UTC", zh) == (
        "记录时间范围：2013-04-23 12:26 至 2013-04-23 12:46（UTC）")
    assert say_import("RINGNOANSWER: ring attempts are not stored", zh) == "RINGNOANSWER：不保存"


def test_the_rejections_of_the_bad_line_fixtures_read_in_chinese(tmp_path: Path) -> None:
    """Every reason the importers give for the bad lines of the fixtures (real importer output) has a pattern."""
    zh = translator("zh-CN")
    mapping = load_yaml((FIXTURES / "csv" / "crm-export.yaml").read_text(encoding="utf-8"), file="crm-export.yaml")
    reasons: list[str] = []
    for fmt, path, options in (("asterisk-queue-log", FIXTURES / "asterisk_queue_log" / "bad_line.queue_log", {}),
                               ("csv", FIXTURES / "csv" / "bad_line.csv", {"mapping": mapping})):
        preview = preview_file(path, fmt=fmt, tz="UTC", options=options)
        reasons += [rejection.reason for rejection in preview.rejections]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    reasons += [r.reason for r in preview_file(empty, fmt="asterisk-queue-log", tz="UTC").rejections]
    assert reasons
    for reason in reasons:
        said = say_import(reason, zh)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in said), reason


def test_a_rejection_keeps_the_value_it_names() -> None:
    zh = translator("zh-CN")
    assert say_import("'abc' is not a number", zh) == "'abc' 不是数字"
    assert say_import("'99:99' is not a time of day H:MM:SS", zh) == "'99:99' 不是 H:MM:SS 格式的时刻"
    assert say_import("'X' is not one of ANSWERED, BUSY", zh) == "'X' 不是可选值之一：ANSWERED, BUSY"


def test_a_sentence_no_pattern_knows_is_shown_as_raised() -> None:
    assert say_import("something new happened", translator("zh-CN")) == "something new happened"
