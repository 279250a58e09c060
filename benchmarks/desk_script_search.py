"""Knowledge-script search at scale: the full-text index of migration 0025 (character bigrams: a GIN index on
PostgreSQL, an FTS5 table on SQLite) against the search before it, a LIKE/ILIKE scan of every script.

    .venv/bin/python benchmarks/desk_script_search.py [--scripts 200000] [--repeat 20] [--backend both]
        [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Generated scripts, seven in ten Chinese (a few sentences of desk phrases) and three in ten English, in two
categories. Each query is timed ``--repeat`` times through ``store.desk_catalog.search_scripts`` (the index,
then words in the title first) and through the query it replaced (every word by LIKE, newest first; kept below
as ``like_scan``); p50/p95 in ms, the ratio of the p95s, and how many scripts match. The two must agree on
which scripts match: the run checks it. A scratch PostgreSQL database and a temporary SQLite file are dropped
afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from desk_list_timeline import _load, timed
from scratch_postgres import scratch_postgres

from callops.desk.search_terms import index_terms
from callops.store import make_engine, upgrade
from callops.store.desk_catalog import search_scripts
from callops.store.schema import desk_categories, desk_scripts

# Desk phrases, then a long tail of made-up words (word frequency falls as 1/rank, as in real text), so that a
# query matches anywhere from a quarter of the scripts (账单, billing) to a handful (携号转网, portability).
ZH_WORDS = ("您好", "请问", "账单", "话费", "套餐", "流量", "宽带", "故障", "维修", "上门", "退款", "申请", "进度",
            "投诉", "处理", "工单", "回访", "满意", "号码", "实名", "营业厅", "查询", "办理", "升级", "降档",
            "合约", "到期", "积分", "兑换", "网络", "信号", "基站", "光猫", "路由器", "重启", "密码", "重置",
            "短信", "验证码", "国际", "漫游", "开通", "关闭", "业务", "优惠", "活动", "充值", "缴费", "欠费",
            "停机", "复机", "发票", "邮寄", "地址", "变更", "客户", "经理", "工作日", "之内", "答复", "感谢",
            "耐心", "等待", "稍后", "致电", "核实", "情况", "抱歉", "给您", "带来", "不便", "携号转网")
EN_WORDS = ("hello", "thank", "you", "for", "calling", "your", "bill", "billing", "plan", "data", "broadband",
            "fault", "repair", "engineer", "visit", "refund", "request", "progress", "complaint", "ticket",
            "callback", "number", "store", "upgrade", "contract", "points", "network", "signal", "router",
            "restart", "password", "reset", "roaming", "service", "offer", "top", "up", "invoice", "address",
            "change", "manager", "within", "working", "days", "sorry", "delay", "please", "hold", "check",
            "portability")
TAIL = 4000  # made-up words per language after the phrases
QUERIES: tuple[tuple[str, ...], ...] = (("账单",), ("退款", "进度"), ("路由器",), ("携号转网",), ("宽带故障",),
                                        ("billing",), ("refund", "delay"), ("portability",), ("您",))
NOW = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float], list[str], list[float]]:
    """Chinese and English words with their weights (1/rank)."""
    zh = list(ZH_WORDS) + ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.choice((2, 2, 3, 4))))
                           for _ in range(TAIL)]
    letters = "abcdefghijklmnopqrstuvwxyz"
    en = list(EN_WORDS) + ["".join(rng.choice(letters) for _ in range(rng.randrange(4, 10))) for _ in range(TAIL)]
    return zh, [1 / (i + 1) for i in range(len(zh))], en, [1 / (i + 1) for i in range(len(en))]


def _script(rng: random.Random, vocabulary: tuple[list[str], list[float], list[str], list[float]]
            ) -> tuple[str, str, str]:
    """(title, body, language) of a generated script."""
    zh, zh_weights, en, en_weights = vocabulary
    if rng.random() < 0.7:
        words = rng.choices(zh, zh_weights, k=rng.randrange(20, 60))
        body = "".join(w + ("，" if rng.random() < 0.15 else "") for w in words) + "。"
        return "".join(rng.choices(zh, zh_weights, k=2)), body, "zh-CN"
    words = rng.choices(en, en_weights, k=rng.randrange(15, 45))
    return " ".join(rng.choices(en, en_weights, k=3)).capitalize(), " ".join(words).capitalize() + ".", "en"


def fill(engine: sa.Engine, scripts: int) -> None:
    rng = random.Random(25)
    vocabulary = _vocabulary(rng)
    start = NOW - dt.timedelta(days=365)
    with engine.begin() as conn:
        conn.execute(desk_categories.delete())
        conn.execute(desk_categories.insert(), [
            {"key": key, "parent": None, "kind": key, "label_en": key, "label_zh": key, "sort": 0,
             "created_at": NOW, "retired_at": None} for key in ("inquiry", "complaint")])
        batch = []
        for n in range(scripts):
            title, body, language = _script(rng, vocabulary)
            batch.append({"category_key": "inquiry" if n % 3 else "complaint", "title": title, "body": body,
                          "language": language, "updated_at": start + dt.timedelta(seconds=n * 0.15),
                          "updated_by": "bench", "retired_at": None, "search_terms": index_terms(title, body)})
            if len(batch) == 5000:
                conn.execute(sa.insert(desk_scripts), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(desk_scripts), batch)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def like_scan(conn: sa.Connection, words: Sequence[str], *, limit: int = 20) -> list[int]:
    """The search before the index: every word in the title or body by (I)LIKE, live scripts, newest first."""
    s = desk_scripts.c
    query = sa.select(s.id)
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(s.title.ilike(pattern, escape="\\"), s.body.ilike(pattern, escape="\\")))
    query = query.where(s.retired_at.is_(None)).order_by(s.updated_at.desc(), s.id.desc()).limit(limit)
    return [int(r) for r in conn.execute(query).scalars()]


def run(engine: sa.Engine, args: argparse.Namespace) -> None:
    upgrade(engine)
    t0 = time.perf_counter()
    fill(engine, args.scripts)
    print(f"{engine.dialect.name}: {args.scripts:,} scripts filled in {time.perf_counter() - t0:.0f} s; "
          f"{args.repeat} runs each; load average {_load()}")
    print(f"  {'words':22} {'matches':>8} {'index p50/p95 ms':>18} {'LIKE scan p50/p95 ms':>21} {'p95 ratio':>9}")
    with engine.connect() as conn:
        for words in QUERIES:
            everything = search_scripts(conn, words=words, categories=None, limit=10_000_000)
            assert sorted(s.id for s in everything) == sorted(like_scan(conn, words, limit=10_000_000)), words
            fts = timed(lambda: search_scripts(conn, words=words, categories=None), args.repeat)  # noqa: B023
            scan = timed(lambda: like_scan(conn, words), args.repeat)  # noqa: B023
            print(f"  {' '.join(words):22} {len(everything):8,} {fts[0]:8.1f} /{fts[1]:7.1f} "
                  f"{scan[0]:10.1f} /{scan[1]:8.1f} {scan[1] / fts[1]:8.1f}x")
    print(f"  load average {_load()} after timing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.backend in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'scripts.db'}")
            try:
                run(engine, args)
            finally:
                engine.dispose()
    if args.backend in ("both", "postgresql"):
        with scratch_postgres(args.admin_url, "callops_bench_scripts") as url:
            engine = make_engine(url)
            try:
                run(engine, args)
            finally:
                engine.dispose()


if __name__ == "__main__":
    main()
