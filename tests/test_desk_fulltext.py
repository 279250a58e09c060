"""The knowledge scripts' full-text search (migration 0025) on SQLite and PostgreSQL: character bigrams as terms,
so that two-character Chinese words are found through the index; the answer is what a LIKE scan gives (the
index only picks candidates), ranked by words in the title, then the newest; the
index follows edits and deletions, the database uses it, and the migration backfills and takes it back."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa
from alembic import command

from callops.desk import Category
from callops.desk.categories import CategoryNode
from callops.desk.search_terms import bigrams, index_terms, query_terms
from callops.store import current_revision, upgrade
from callops.store.desk_catalog import insert_category, insert_script, load_categories, search_scripts, update_script
from callops.store.engine import _alembic_config
from callops.store.schema import desk_scripts

NOW = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)


def test_bigrams_of_chinese_and_english() -> None:
    """Adjacent letters or digits pair up, lower-cased; spaces and punctuation separate; one character is none."""
    assert bigrams("退款申请") == {"退款", "款申", "申请"}
    assert bigrams("Bill，账单 2x") == {"bi", "il", "ll", "账单", "2x"}
    assert bigrams("a") == set() and bigrams("退") == set()
    assert index_terms("账单", "Bill") == "bi il ll 账单"  # title and body: no pair across them
    assert query_terms(["BILL", "退款"]) == ["bi", "il", "ll", "退款"]


def test_a_word_in_a_text_has_its_bigrams_among_the_texts_terms() -> None:
    """No miss: whatever substring of a text is searched, its bigrams are among the text's terms."""
    rng = random.Random(7)
    alphabet = "账单退款申请投诉查询网络abcXYZ12 ，。-"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40)))
        start = rng.randrange(len(text))
        word = text[start:start + rng.randrange(1, 8)]
        assert set(query_terms([word])) <= set(index_terms(text).split())


def _categories(conn: sa.Connection) -> None:
    """The two top-level categories the scripts use (seeded by 0023; a truncated PostgreSQL lacks them)."""
    stored = {n.key for n in load_categories(conn)}
    for key, kind in (("complaint", Category.COMPLAINT), ("inquiry", Category.INQUIRY)):
        if key not in stored:
            insert_category(conn, CategoryNode(key, None, kind, key, key), now=NOW)


def _add(conn: sa.Connection, title: str, body: str, *, minutes: int = 0, category: str = "complaint",
         language: str = "zh-CN") -> int:
    return insert_script(conn, category_key=category, title=title, body=body, language=language,
                         now=NOW + dt.timedelta(minutes=minutes), by="qa")


def _titles(conn: sa.Connection, q: str, categories: list[str] | None = None) -> list[str]:
    return [s.title for s in search_scripts(conn, words=q.split(), categories=categories)]


def test_chinese_and_english_words_found_and_ranked(engine: sa.Engine) -> None:
    """A two-character Chinese word, a longer one and a single character are found; English case-insensitively
    and inside words; every word must occur; scripts with more of the words in their title come first, then the
    newest."""
    with engine.begin() as conn:
        _categories(conn)
        _add(conn, "问候", "您好，请问有什么可以帮您？", minutes=1)
        _add(conn, "退款进度", "您的账单已提交退款申请，预计三个工作日到账。", minutes=2)
        _add(conn, "账单疑问", "请核对账单上的每一项费用。", minutes=3)
        _add(conn, "话费说明", "账单分月出具；账单可在网上营业厅查询；账单有疑问请致电。", minutes=4)
        _add(conn, "费用", "如对账单有疑问，请告诉我们。", minutes=5)
        _add(conn, "Billing dispute", "We are sorry about the bill. A refund is on its way.", minutes=6,
             language="en")
        _add(conn, "Network outage", "Our engineers are restoring service; no billing for the outage.",
             minutes=7, category="inquiry", language="en")
    with engine.connect() as conn:
        assert _titles(conn, "账单") == ["账单疑问", "费用", "话费说明", "退款进度"]
        assert _titles(conn, "退款申请") == ["退款进度"]
        assert _titles(conn, "账单 退款") == ["退款进度"]
        assert _titles(conn, "您") == ["退款进度", "问候"]  # one character: by LIKE alone
        assert _titles(conn, "BILLING") == ["Billing dispute", "Network outage"]  # in the title beats newer
        assert _titles(conn, "illin") == ["Billing dispute", "Network outage"]
        assert _titles(conn, "refund sorry") == ["Billing dispute"]
        assert _titles(conn, "退款 账单") == ["退款进度"]
        assert _titles(conn, "账单 话费") == ["话费说明"]
        assert _titles(conn, "billing", ["inquiry"]) == ["Network outage"]
        assert _titles(conn, "退款 refund") == []
        assert _titles(conn, "100%") == [] and _titles(conn, "a_b") == []


def test_the_index_follows_edits_retirement_and_deletion(engine: sa.Engine) -> None:
    """A new title or body renews the terms (the old word is no longer found, the new one is, an edit of the
    body alone keeps the title's terms); a retired script is left out; a deleted one is gone from the index."""
    with engine.begin() as conn:
        _categories(conn)
        first = _add(conn, "宽带故障", "请重启光猫后再试。")
        second = _add(conn, "改套餐", "套餐变更次月生效。", minutes=1)
        update_script(conn, first, {"body": "请检查路由器的指示灯。"})
        update_script(conn, second, {"title": "套餐变更", "updated_at": NOW})
    with engine.connect() as conn:
        assert _titles(conn, "光猫") == [] and _titles(conn, "路由器") == ["宽带故障"]
        assert _titles(conn, "宽带") == ["宽带故障"]
        assert _titles(conn, "改套餐") == [] and _titles(conn, "套餐变更") == ["套餐变更"]
    with engine.begin() as conn:
        update_script(conn, first, {"retired_at": NOW})
        assert _titles(conn, "路由器") == []
        assert [s.title for s in search_scripts(conn, words=["路由器"], categories=None, include_retired=True)] \
            == ["宽带故障"]
        conn.execute(desk_scripts.delete().where(desk_scripts.c.id == second))
        assert _titles(conn, "套餐") == []
        stored = conn.execute(sa.select(desk_scripts.c.search_terms).where(desk_scripts.c.id == first)).scalar()
        assert stored == index_terms("宽带故障", "请检查路由器的指示灯。")
        if engine.dialect.name == "sqlite":  # the external-content FTS table agrees with desk_scripts
            conn.execute(sa.text("INSERT INTO desk_scripts_fts (desk_scripts_fts) VALUES ('integrity-check')"))


def test_the_answer_is_the_like_scans(engine: sa.Engine) -> None:
    """On random scripts and random words (Chinese and ASCII), the search returns exactly the scripts whose
    title or body contains every word, case-insensitively, as a scan of every script finds them."""
    rng = random.Random(16)
    vocabulary = ["账单", "退款", "申请", "投诉", "宽带", "故障", "查询", "套餐", "您好", "Bill", "refund", "Network",
                  "fault", "VIP", "5G", "，", "。", " "]
    scripts: dict[int, tuple[str, str]] = {}
    with engine.begin() as conn:
        _categories(conn)
        for n in range(120):
            title = "".join(rng.choice(vocabulary) for _ in range(rng.randrange(1, 4)))
            body = "".join(rng.choice(vocabulary) for _ in range(rng.randrange(3, 30)))
            scripts[_add(conn, title, body, minutes=n)] = (title, body)
    words_tried = ["账单", "单退", "款申请", "bill", "BILLre", "g", "5g", "ul", "ta", "您好账单", "vip网", "q"]
    with engine.connect() as conn:
        for _ in range(40):
            words = rng.sample(words_tried, rng.randrange(1, 3))
            expected = {i for i, (t, b) in scripts.items()
                        if all(w.lower() in t.lower() or w.lower() in b.lower() for w in words)}
            found = [s.id for s in search_scripts(conn, words=words, categories=None, limit=200)]
            assert sorted(found) == sorted(expected), words


def test_the_database_uses_the_index(engine: sa.Engine) -> None:
    """The query plan of a two-character search reads the full-text index: PostgreSQL's GIN index over the
    terms, SQLite's FTS5 table."""
    with engine.begin() as conn:
        _categories(conn)
        for n in range(50):
            _add(conn, f"话术{n}", f"第{n}条：账单与退款。", minutes=n)
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE desk_scripts"))
            conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
            search = search_scripts(conn, words=["账单"], categories=None)
            assert len(search) == 20
            query = _compiled_search(conn)
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + query))
            assert "ix_desk_scripts_search_terms" in plan
        else:
            query = _compiled_search(conn)
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query))
            assert "desk_scripts_fts VIRTUAL TABLE" in plan


def _compiled_search(conn: sa.Connection) -> str:
    """The SQL the search runs for 账单 (retired scripts too: on a table this small the planner would rather
    read every live script by the category index), with its values inlined."""
    captured: list[str] = []

    def grab(conn_: sa.Connection, cursor: object, statement: str, parameters: object, context: object,
             executemany: bool) -> None:
        if "desk_scripts" in statement and not captured:
            compiled = getattr(context, "compiled", None)
            assert compiled is not None
            captured.append(str(compiled.statement.compile(dialect=conn.dialect,
                                                           compile_kwargs={"literal_binds": True})))

    sa.event.listen(conn, "before_cursor_execute", grab)
    try:
        search_scripts(conn, words=["账单"], categories=None, include_retired=True)
    finally:
        sa.event.remove(conn, "before_cursor_execute", grab)
    return captured[0]


def test_0025_downgrades_and_upgrades_backfilling_the_terms(engine: sa.Engine) -> None:
    """Below 0025 the terms column and the index are gone; upgrading gives scripts written meanwhile their
    terms, so the search finds them."""
    with engine.begin() as conn:
        _categories(conn)
    try:
        command.downgrade(_alembic_config(engine), "0024")
        assert current_revision(engine) == "0024"
        assert "search_terms" not in {c["name"] for c in sa.inspect(engine).get_columns("desk_scripts")}
        assert not {t for t in sa.inspect(engine).get_table_names() if t.startswith("desk_scripts_fts")}
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO desk_scripts (category_key, title, body, language, updated_at, "
                                 "updated_by) VALUES ('complaint', '账单说明', :body, 'zh-CN', 0, 'qa')"),
                         {"body": "账单每月一日出具。"})
    finally:
        upgrade(engine)
    with engine.connect() as conn:
        assert _titles(conn, "出具") == ["账单说明"]


@pytest.mark.parametrize("words", [["退款"], ["bill", "退款"], ["x"]])
def test_query_terms_are_sorted_and_unique(words: list[str]) -> None:
    """The terms asked of the index come out sorted and once each, whatever the order of the words."""
    terms = query_terms(words)
    assert terms == sorted(set(terms)) == query_terms(list(reversed(words)))
