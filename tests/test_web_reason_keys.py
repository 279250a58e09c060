"""The one table from reason texts to message keys (``callops.web.reason_keys``): its keys, its patterns against
the texts the code can produce, and the importer's notices, skip and rejection reasons in both languages."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from callops.ingest import import_files
from callops.ingest.preview import preview_file
from callops.store import make_engine, upgrade
from callops.web.i18n import Translator, load_catalogs
from callops.web.reason_keys import REASON_KEYS, ReasonKey, say_reason
from callops.yaml_input import load_yaml

FIXTURES = Path(__file__).parent / "fixtures"
SRC = Path(__file__).resolve().parent.parent / "src" / "callops"
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
        said = say_reason(text, zh)
        assert said != text and any("\u4e00" <= ch <= "\u9fff" for ch in said), text


def test_the_parts_are_kept_and_english_reads_as_before() -> None:
    """A located notice keeps its file and line, and English shows the sentence exactly as the importer wrote it."""
    zh, en = translator("zh-CN"), translator("en")
    text = "queue_log, line 24: call 1366721200.9@support is still open at the end of the file; not imported"
    assert say_reason(text, zh) == "queue_log 第 24 行：通话 1366721200.9@support 到文件末尾仍未结束，未导入"
    assert say_reason(text, en) == text
    assert say_reason("records span 2013-04-23 12:26 to 2013-04-23 12:46 UTC", zh) == (
        "记录时间范围：2013-04-23 12:26 至 2013-04-23 12:46（UTC）")
    assert say_reason("RINGNOANSWER: ring attempts are not stored", zh) == "RINGNOANSWER：不保存"


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
        said = say_reason(reason, zh)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in said), reason


def test_a_rejection_keeps_the_value_it_names() -> None:
    """The value a rejection names is kept in the translated message."""
    zh = translator("zh-CN")
    assert say_reason("'abc' is not a number", zh) == "'abc' 不是数字"
    assert say_reason("'99:99' is not a time of day H:MM:SS", zh) == "'99:99' 不是 H:MM:SS 格式的时刻"
    assert say_reason("'X' is not one of ANSWERED, BUSY", zh) == "'X' 不是可选值之一：ANSWERED, BUSY"


def test_a_sentence_no_pattern_knows_is_shown_as_raised() -> None:
    """A reason no entry knows is shown as raised, never hidden."""
    assert say_reason("something new happened", translator("zh-CN")) == "something new happened"


# --- the table against the catalogs and against the code ------------------------------------------------------

# modules every reason of which has an entry (a new reason raised there without one fails below)
TRANSLATED_SOURCES = (
    "dates.py",
    "desk/tickets.py",
    "dialer/phones.py",
    "dialer/policy.py",
    "ingest/anonymous_bank.py",
    "ingest/asterisk_cdr.py",
    "ingest/asterisk_queue_log.py",
    "ingest/freeswitch_cc.py",
    "ingest/mapped_csv.py",
    "permissions.py",
    "quality/appeals.py",
    "quality/evaluations.py",
    "routing/agent_states.py",
    "services/contact_policy.py",
    "services/desk.py",
    "services/desk_callbacks.py",
    "services/live_agent_state.py",
    "services/qa_access.py",
    "services/qa_reviews.py",
    "services/qa_sampling.py",
    "store/qa_library.py",
    "store/qa_reviews.py",
    "store/records.py",
    "web/routes/_quality_shared.py",
    "web/routes/desk_catalog.py",
    "web/routes/live.py",
    "web/routes/people_query.py",
)
# exceptions whose text is a programming error, not a reason for a person
_NOT_REASONS = frozenset({"AssertionError", "KeyError", "NotImplementedError", "RuntimeError", "TypeError",
                          "ValueError"})
_FILLS = ("1", "X", "x", "item")  # what a placeholder may stand for: a number, a code, a word


def _texts(node: ast.expr) -> list[str]:
    """The texts a string expression can give, one per fill of its placeholders (``{at:%Y-%m-%d}`` as a date)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [left + right for left in _texts(node.left) for right in _texts(node.right)]
    if not isinstance(node, ast.JoinedStr):
        return []
    out = []
    for fill in _FILLS:
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            assert isinstance(value, ast.FormattedValue)
            spec = _texts(value.format_spec)[0] if isinstance(value.format_spec, ast.JoinedStr) else ""
            if "%" in spec:
                parts.append(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC).strftime(spec))
            else:
                parts.append(f"'{fill}'" if value.conversion == ord("r") else fill)
        out.append("".join(parts))
    return out


def _sources() -> Iterator[Path]:
    return (path for path in sorted(SRC.rglob("*.py")) if path.name != "reason_keys.py")


@cache
def _all_texts() -> tuple[str, ...]:
    """Every text a string literal or f-string in ``src/callops`` (the table aside) can give."""
    found: list[str] = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.expr):
                found += _texts(node)
    return tuple(found)


def _raised(path: Path) -> list[tuple[int, list[str]]]:
    """``(line, texts)`` for each ``raise SomeError("...")`` of ``path`` with text in its arguments."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        texts = [text for arg in node.exc.args for text in _texts(arg)]
        if name not in _NOT_REASONS and texts:
            out.append((node.lineno, texts))
    return out


def _source_pattern(entry: ReasonKey) -> re.Pattern[str]:
    """The pattern as the source writes the text (a located one without the importer's "file, line N: ")."""
    return re.compile(entry.body) if entry.located else entry.pattern


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_key_is_in_the_catalog_with_the_parts_its_pattern_names(locale: str) -> None:
    """Each key exists in both languages and asks only for the parts its pattern captures (plus ``where``)."""
    messages = CATALOGS.by_locale[locale]
    for entry in REASON_KEYS:
        assert entry.key in messages, (locale, entry.key)
        asked = {name for _, name, _, _ in string.Formatter().parse(messages[entry.key]) if name}
        given = set(entry.pattern.groupindex) | ({"where"} if entry.located else set())
        assert asked <= given, (locale, entry.key, asked - given)


def test_each_pattern_is_written_once() -> None:
    """No pattern appears twice in the table (one table, each reason once)."""
    bodies = [(entry.body, entry.located) for entry in REASON_KEYS]
    assert len(bodies) == len(set(bodies))


def test_every_pattern_still_matches_a_text_the_code_can_give() -> None:
    """A reason reworded at its source leaves its pattern matching nothing: that fails here, instead of the page
    silently showing the new English text."""
    texts = _all_texts()
    assert len(texts) > 1000  # the scan reads the sources
    dead = [entry.key for entry in REASON_KEYS if not any(_source_pattern(entry).search(text) for text in texts)]
    assert not dead, dead


def _untranslated(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of each reason raised in ``path`` that no entry matches."""
    return [(line, texts[0]) for line, texts in _raised(path)
            if not any(entry.pattern.search(text) for text in texts for entry in REASON_KEYS)]


@pytest.mark.parametrize("module", TRANSLATED_SOURCES)
def test_every_reason_of_a_translated_module_has_an_entry(module: str) -> None:
    """Each ``raise`` with a reason in a translated module matches an entry, so its pages never show it in English."""
    assert _raised(SRC / module), f"{module} raises no reason: drop it from TRANSLATED_SOURCES"
    assert not _untranslated(SRC / module)


def test_the_scan_catches_a_reason_without_an_entry(tmp_path: Path) -> None:
    """The checks above can fail: a raised reason the table lacks is reported with its line, one it has is not,
    and a programming error's text is no reason."""
    module = tmp_path / "sample.py"
    module.write_text('def f(x):\n'
                      '    if x:\n'
                      '        raise InvalidInput(f"{x!r} is not a number", field="x")\n'
                      '    raise Conflict(f"the moon is {x}; wait for it")\n'
                      '    raise ValueError("internal")\n', encoding="utf-8")
    assert _untranslated(module) == [(4, "the moon is 1; wait for it")]
    assert len(_raised(module)) == 2
    assert not any(_source_pattern(entry).search("a reason nobody raises") for entry in REASON_KEYS)
