"""The desk catalogue's pure rules: the two-level category tree and its refusals, a script's length and reading
time at seed 000's pace (characters for Chinese, words for English), and the CSAT import file's checks."""

from __future__ import annotations

import pytest

from callops.desk import Category
from callops.desk.categories import DEFAULT_NODES, CategoryNode, CategoryTree, NewCategory
from callops.desk.csat import SurveyChannel, read_csat_csv
from callops.desk.scripts import check_script, reading_time
from callops.errors import InvalidInput


def _tree() -> CategoryTree:
    return CategoryTree([*DEFAULT_NODES,
                         CategoryNode("billing", "complaint", Category.COMPLAINT, "Billing", "账单", 10),
                         CategoryNode("old", None, Category.OTHER, "Old", "旧", 60, retired=True),
                         CategoryNode("old_child", "old", Category.OTHER, "Old child", "旧子", 10)])


def test_a_child_takes_its_parents_kind_and_a_top_level_names_one() -> None:
    tree = _tree()
    child = tree.check_new(NewCategory(key="Network_Outage", parent="repair_order", label_en=" Network  outage ",
                                       label_zh="网络故障"))
    assert (child.key, child.kind, child.label_en, child.sort) == ("network_outage", Category.REPAIR_ORDER,
                                                                   "Network outage", 10)
    top = tree.check_new(NewCategory(key="billing_top", kind="complaint", label_en="Bills", label_zh="账单类"))
    assert top.parent is None and top.kind is Category.COMPLAINT and top.sort == 70
    assert [n.key for n in tree.ordered()][:3] == ["inquiry", "complaint", "billing"]
    assert "old" not in [n.key for n in tree.ordered()] and "old" in [n.key for n in tree.ordered(include_retired=True)]
    assert child.label("zh-CN") == "网络故障" and child.label("en") == "Network outage"


@pytest.mark.parametrize(("new", "field", "words"), [
    (NewCategory(key="x", label_en="X", label_zh="X"), "key", "2-40 characters"),
    (NewCategory(key="9lives", label_en="X", label_zh="X"), "key", "starting with a letter"),
    (NewCategory(key="complaint", kind="complaint", label_en="X", label_zh="X"), "key", "already exists"),
    (NewCategory(key="vip", label_en="X", label_zh="X"), "kind", "needs a kind"),
    (NewCategory(key="vip", kind="gossip", label_en="X", label_zh="X"), "kind", "not one of"),
    (NewCategory(key="deeper", parent="billing", label_en="X", label_zh="X"), "parent", "two levels"),
    (NewCategory(key="under_old", parent="old", label_en="X", label_zh="X"), "parent", "retired"),
    (NewCategory(key="nowhere", parent="nope", label_en="X", label_zh="X"), "parent", "not a category"),
    (NewCategory(key="mixed", parent="complaint", kind="inquiry", label_en="X", label_zh="X"), "kind", "parent's kind"),
    (NewCategory(key="blank", kind="other", label_en="  ", label_zh="X"), "label_en", "1-80"),
    (NewCategory(key="long", kind="other", label_en="X", label_zh="长" * 81), "label_zh", "1-80"),
])
def test_a_bad_new_category_names_its_field(new: NewCategory, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _tree().check_new(new)
    assert caught.value.field == field and words in caught.value.reason


def test_a_retired_category_or_one_under_a_retired_parent_cannot_be_chosen() -> None:
    tree = _tree()
    assert tree.choose("Repair-Order").key == "repair_order"
    for key in ("old", "old_child"):
        with pytest.raises(InvalidInput, match="retired") as caught:
            tree.choose(key)
        assert caught.value.field == "category"
    assert tree.get("old_child").kind is Category.OTHER  # history still reads it


def test_reading_time_counts_characters_for_chinese_and_words_for_english() -> None:
    zh = reading_time("您好，这里是12315客服中心。请问有什么可以帮您？", "zh-CN")
    # 您好这里是 (5) + 12315 (5) + 客服中心 (4) + 请问有什么可以帮您 (9): punctuation is not spoken
    assert (zh.length, zh.unit, zh.rate_low, zh.rate_high) == (23, "characters", 180, 250)
    assert zh.seconds_at_high == pytest.approx(23 * 60 / 250) and zh.seconds_at_low == pytest.approx(23 * 60 / 180)
    two_fifty = reading_time("话" * 250, "zh-CN")
    assert two_fifty.seconds_at_high == 60.0 and two_fifty.seconds_at_low == pytest.approx(83.33, abs=0.01)
    en = reading_time("Thank you for calling; I'm sorry about the well-known delay.", "en")
    assert (en.length, en.unit, en.rate_low, en.rate_high) == (10, "words", 130, 160)
    with pytest.raises(InvalidInput) as caught:
        reading_time("x", "fr")
    assert caught.value.field == "language"


@pytest.mark.parametrize(("title", "body", "language", "field"), [
    ("", "body", "en", "title"), ("t" * 201, "body", "en", "title"), ("t", "   ", "en", "body"),
    ("t", "b" * 8001, "en", "body"), ("t", "body", "de", "language"),
])
def test_a_bad_script_names_its_field(title: str, body: str, language: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_script(title, body, language)
    assert caught.value.field == field


def test_the_csat_file_is_read_and_a_bad_row_names_line_and_field() -> None:
    rows = read_csat_csv("call,score,channel,at\nc-1,5,IVR,2026-03-02T10:05:00+08:00\nc-2,1,sms,"
                         "2026-03-02T02:06:00Z\n", file="s.csv")
    assert [(r.call, r.score, r.channel, r.line) for r in rows] == [("c-1", 5, SurveyChannel.IVR, 2),
                                                                    ("c-2", 1, SurveyChannel.SMS, 3)]
    assert rows[0].at == rows[1].at.replace(minute=5)
    bad = {
        "call,score,channel,at\nc-1,6,ivr,2026-03-02T10:05:00+08:00\n": (2, "score"),
        "call,score,channel,at\nc-1,4.5,ivr,2026-03-02T10:05:00+08:00\n": (2, "score"),
        "call,score,channel,at\nc-1,4,email,2026-03-02T10:05:00+08:00\n": (2, "channel"),
        "call,score,channel,at\nc-1,4,sms,2026-03-02T10:05:00\n": (2, "at"),
        "call,score,channel,at\n,4,sms,2026-03-02T10:05:00Z\n": (2, "call"),
        "call,score,channel,at\nc-1,4,sms,2026-03-02T10:05:00Z\nc-1,3,sms,2026-03-02T10:06:00Z\n": (3, "call"),
        "call,score,channel,at\nc-1,4,sms\n": (2, None),
        "call,score,when\nc-1,4,2026-03-02T10:05:00Z\n": (1, None),
    }
    for text, (line, field) in bad.items():
        with pytest.raises(InvalidInput) as caught:
            read_csat_csv(text, file="s.csv")
        assert (caught.value.file, caught.value.line, caught.value.field) == ("s.csv", line, field), text
