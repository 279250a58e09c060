"""Imports keep the KPI pre-aggregates by merging a column-wise increment: after every import (a repeat that
adds nothing, overlapping ones, a scenario, a dry run) the tables hold exactly what a rebuild from calls gives,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import sqlalchemy as sa

from callops.ingest import import_files
from callops.store.kpi_aggregates import rebuild
from callops.store.kpi_increments import increment_of
from callops.store.record_batches import (
    CALL_FIELDS,
    drop_stored,
    insert_prepared,
    prepare_aggregates,
    prepare_calls,
    row_of_call,
)
from callops.store.schema import KPI_LEVELS, kpi_buckets_queue
from generated_calls import aggregate_tables, generated_calls

FIXTURES = Path(__file__).parent / "fixtures"


def _rebuilt_equals_kept(engine: sa.Engine) -> dict[str, int]:
    """Assert the stored pre-aggregates equal a rebuild's; the row count of each table."""
    kept = aggregate_tables(engine)
    with engine.begin() as conn:
        rebuild(conn)
    assert aggregate_tables(engine) == kept
    return {name: len(rows) for name, rows in kept.items()}


def _queue_log(path: Path, first: int, last: int, seed: int = 3) -> Path:
    """Calls ``first`` to ``last - 1`` of one generated day: answered, abandoned and timed-out calls on two
    queues, agents pausing; the same call number always gives the same lines, so two files overlap exactly."""
    agents = [f"SIP/{8000 + i}" for i in range(6)]
    t0 = 1_780_000_000
    lines = [f"{t0}|NONE|NONE|NONE|QUEUESTART|"]
    lines += [f"{t0}|MANAGER|{q}|{a}|ADDMEMBER|" for q in ("sales", "care") for a in agents]
    for n in range(first, last):
        rng = random.Random(seed * 100_003 + n)
        t = t0 + 60 + n * 37
        callid, queue = f"{t}.{n}", rng.choice(["sales", "care"])
        lines.append(f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||1555{n:07d}|1")
        wait, agent, roll = rng.randint(0, 150), rng.choice(agents), rng.random()
        if roll < 0.15:
            lines.append(f"{t + wait}|{callid}|{queue}|NONE|ABANDON|1|1|{wait}")
        elif roll < 0.2:
            lines.append(f"{t + wait}|{callid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{wait}")
        else:
            talk = rng.randint(20, 400)
            lines.append(f"{t + wait}|{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}9|1")
            lines.append(f"{t + wait + talk}|{callid}|{queue}|{agent}|COMPLETECALLER|{wait}|{talk}|1")
    path.write_text("\n".join(sorted(lines, key=lambda s: int(s.split("|", 1)[0]))) + "\n")
    return path


def test_imports_repeated_and_overlapping_keep_what_a_rebuild_gives(engine: sa.Engine, tmp_path: Path) -> None:
    """A queue_log import, the same file again (nothing new), two files overlapping it and each other, and an
    Anonymous Bank file: after each, the four tables equal a rebuild from calls, and they are not empty."""
    first = _queue_log(tmp_path / "a.queue_log", 0, 400)
    report = import_files(engine, [first], fmt="asterisk-queue-log", tz="UTC")
    assert report.inserted > 400  # calls and agent intervals
    counts = _rebuilt_equals_kept(engine)
    assert counts["kpi_buckets_queue"] > 20 and counts["kpi_wait_bins"] > 20

    again = import_files(engine, [first], fmt="asterisk-queue-log", tz="UTC")
    assert again.inserted == 0 and again.duplicates == report.inserted
    assert _rebuilt_equals_kept(engine) == counts

    overlapping = [_queue_log(tmp_path / "b.queue_log", 300, 700), _queue_log(tmp_path / "c.queue_log", 650, 900)]
    for path in overlapping:
        got = import_files(engine, [path], fmt="asterisk-queue-log", tz="UTC")
        assert got.inserted > 0 and got.duplicates > 0
        grown = _rebuilt_equals_kept(engine)
        assert grown["kpi_buckets_queue"] > counts["kpi_buckets_queue"]
        counts = grown
    with engine.connect() as conn:
        offered = conn.execute(sa.select(sa.func.sum(kpi_buckets_queue.c.offered))).scalar_one()
    assert offered == 900  # every call of the three files counted once

    bank = import_files(engine, [FIXTURES / "anonymous_bank" / "calls.txt"], fmt="anonymous-bank", tz="Asia/Jerusalem")
    assert bank.inserted > 0
    _rebuilt_equals_kept(engine)


def test_dry_run_leaves_no_aggregates(engine: sa.Engine, tmp_path: Path) -> None:
    report = import_files(engine, [_queue_log(tmp_path / "q", 0, 50)], fmt="asterisk-queue-log", tz="UTC", dry_run=True)
    assert report.inserted > 0 and not report.written
    assert all(not rows for rows in aggregate_tables(engine).values())


def test_increments_in_overlapping_parts_with_scenarios(engine: sa.Engine) -> None:
    """Generated inbound and outbound calls (NULL waits, CSAT, resolutions, several scenarios, waits on bin
    edges) written as three overlapping imports through insert_prepared: the same tables as a rebuild."""
    start = dt.datetime(2026, 3, 6, tzinfo=dt.UTC)
    rows = [row_of_call(c) for c in generated_calls(start, 3, 500, seed=11)]
    rows += [row_of_call(c) for c in generated_calls(start, 2, 300, seed=12, scenario="what-if", source="sim")]
    random.Random(5).shuffle(rows)
    third = len(rows) // 3
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO imports (format, files, imported_at, inserted, duplicates, rejected, "
                "skipped) VALUES ('t', 't', 0, 0, 0, 0, 0)"
            )
        )
        import_id = int(conn.execute(sa.text("SELECT max(id) FROM imports")).scalar_one())
    for part in (rows[: 2 * third], rows[third:], rows):
        prepared = prepare_calls(part)
        with engine.begin() as conn:
            drop_stored(conn, prepared)
            insert_prepared(conn, prepared, import_id)
        _rebuilt_equals_kept(engine)
    with engine.connect() as conn:
        scenarios = {r[0] for r in conn.execute(sa.select(kpi_buckets_queue.c.scenario).distinct())}
    assert scenarios == {None, "what-if"}


def test_an_increment_made_before_a_concurrent_write_is_made_again(engine: sa.Engine) -> None:
    """The pipeline aggregates before it takes the write lock; when another writer stored some of the same
    calls in between, dropping them drops the increment too, and the one made under the lock is right."""
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    rows = [row_of_call(c) for c in generated_calls(start, 1, 400, seed=21)]
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO imports (format, files, imported_at, inserted, duplicates, rejected, "
                "skipped) VALUES ('t', 't', 0, 0, 0, 0, 0)"
            )
        )
        import_id = int(conn.execute(sa.text("SELECT max(id) FROM imports")).scalar_one())
    mine = prepare_calls(rows)
    prepare_aggregates(mine)
    assert mine.aggregates is not None and not mine.aggregates.empty
    with engine.begin() as conn:  # the other writer: every third call
        insert_prepared(conn, prepare_calls(rows[::3]), import_id)
    with engine.begin() as conn:
        assert drop_stored(conn, mine) == len(rows[::3])
        assert mine.aggregates is None
        insert_prepared(conn, mine, import_id)
    _rebuilt_equals_kept(engine)


def test_increment_of_nothing_is_empty() -> None:
    inc = increment_of([], CALL_FIELDS)
    assert inc.empty and not inc.parts
    assert len(KPI_LEVELS) == 4
