"""``callops live follow`` on a growing queue_log: the same records as an import, resumed after a restart or a
SIGKILL without loss or duplicates, torn lines waited for, rotation and truncation followed, unknown events counted."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.feeds.bus import LocalBus
from callops.feeds.queue_log_follower import QueueLogFollower, feed_name
from callops.ingest import import_files
from callops.live.queue_log_events import QueueLogEvents
from callops.store.live_events import feed_position
from callops.store.schema import agent_intervals, calls, live_events
from queue_log_synth import queue_log_lines

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _keys(engine: sa.Engine) -> tuple[set[tuple[str, str]], set[tuple[str, str, int]]]:
    with engine.connect() as conn:
        call_keys = {(r.source, r.source_call_id)
                     for r in conn.execute(sa.select(calls.c.source, calls.c.source_call_id))}
        interval_keys = {(r.agent, r.state, int(r.start_at.timestamp())) for r in conn.execute(
            sa.select(agent_intervals.c.agent, agent_intervals.c.state, agent_intervals.c.start_at))}
    return call_keys, interval_keys


def _wait_until(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


@contextmanager
def _following(engine: sa.Engine, path: Path, **kwargs: object) -> Iterator[QueueLogFollower]:
    stop = threading.Event()
    follower = QueueLogFollower(engine, path, tz=TZ, poll_s=0.02, stop=stop, **kwargs)  # type: ignore[arg-type]
    thread = threading.Thread(target=follower.run)
    thread.start()
    try:
        yield follower
    finally:
        stop.set()
        thread.join(10)


def _offset(engine: sa.Engine, path: Path) -> int:
    with engine.connect() as conn:
        pos = feed_position(conn, feed_name(path))
    return pos.offset if pos is not None else -1


def _expected_events(lines: list[str], path: Path) -> int:
    mapper = QueueLogEvents(f"asterisk:{path.resolve()}")
    return sum(len(mapper.line(line)) for line in lines)


def test_follow_writes_what_an_import_writes_and_waits_for_torn_lines(engine: sa.Engine, tmp_path: Path) -> None:
    """Fed in pieces cut mid-line, the follower writes every finished call once; importing the file adds 0 rows."""
    lines = queue_log_lines(300)
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "queue_log"
    path.write_bytes(b"")
    bus = LocalBus()
    problems: list[str] = []
    with _following(engine, path, bus=bus, on_problem=problems.append):
        cuts = sorted(random.Random(3).sample(range(1, len(data)), 12))
        with path.open("ab") as out:
            for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True):
                out.write(data[a:b])
                out.flush()
                time.sleep(0.01)
                if b < len(data) and data[b - 1:b] != b"\n":
                    written = _offset(engine, path)
                    assert written <= data.rfind(b"\n", 0, b) + 1  # never past the last complete line
        _wait_until(lambda: _offset(engine, path) == len(data))
    assert bus.wait(0, 0.0) > 0  # the follower told the bus
    followed_calls, followed_intervals = _count(engine, calls), _count(engine, agent_intervals)
    assert followed_calls > 250 and followed_intervals > 20
    assert _count(engine, live_events) == _expected_events(lines, path)
    with engine.connect() as conn:
        pos = feed_position(conn, feed_name(path))
    skips = sum(("MYCUSTOMEVENT" in line) or ("|QUEUESTART|" in line) for line in lines)  # unknown + informational
    assert pos is not None and pos.skipped == skips > 0
    assert any("MYCUSTOMEVENT" in p for p in problems)
    report = import_files(engine, [path], fmt="asterisk-queue-log", tz="Asia/Shanghai")
    assert report.inserted == 0 and report.duplicates == followed_calls + followed_intervals
    assert report.calls == followed_calls and report.agent_intervals == followed_intervals


def test_restart_resumes_after_the_last_line_written(engine: sa.Engine, tmp_path: Path) -> None:
    """Stopped after half the file and started again, the follower writes the rest and repeats nothing."""
    lines = queue_log_lines(200, seed=11)
    path = tmp_path / "queue_log"
    half = len(lines) // 2
    path.write_text("\n".join(lines[:half]) + "\n")
    with _following(engine, path):
        _wait_until(lambda: _offset(engine, path) == path.stat().st_size)
    first_calls = _count(engine, calls)
    with path.open("a") as out:
        out.write("\n".join(lines[half:]) + "\n")
    with _following(engine, path):
        _wait_until(lambda: _offset(engine, path) == path.stat().st_size)
    assert _count(engine, calls) > first_calls
    assert _count(engine, live_events) == _expected_events(lines, path)
    report = import_files(engine, [path], fmt="asterisk-queue-log", tz="Asia/Shanghai")
    assert report.inserted == 0 and report.calls == _count(engine, calls)


def test_rotation_and_truncation_are_followed(engine: sa.Engine, tmp_path: Path) -> None:
    """A rotated file is read to its end and the new one from its start; a truncated file from its start."""
    lines = queue_log_lines(120, seed=5)
    third = len(lines) // 3
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines[:third]) + "\n")
    with _following(engine, path):
        _wait_until(lambda: _offset(engine, path) == path.stat().st_size)
        rotated = tmp_path / "queue_log.1"
        path.rename(rotated)
        with rotated.open("a") as out:  # written before the PBX reopened its log
            out.write("\n".join(lines[third:2 * third]) + "\n")
        path.write_text("\n".join(lines[2 * third:]) + "\n")
        _wait_until(lambda: _offset(engine, path) == path.stat().st_size)
        path.write_text("")  # copytruncate, then new lines
        fresh = queue_log_lines(30, seed=99, start=1_767_400_000)
        path.write_text("\n".join(fresh) + "\n")
        _wait_until(lambda: _offset(engine, path) == path.stat().st_size)
    one_shot = sa.create_engine(f"sqlite:///{tmp_path / 'one.db'}")
    from callops.store import upgrade
    upgrade(one_shot)
    for chunk, name in ((lines[:2 * third], "a"), (lines[2 * third:], "b"), (fresh, "c")):
        part = tmp_path / name
        part.write_text("\n".join(chunk) + "\n")
        import_files(one_shot, [part], fmt="asterisk-queue-log", tz="Asia/Shanghai")
    assert _keys(engine) == _keys(one_shot)


_RUNNER = """
import sys, threading, zoneinfo
from pathlib import Path
from callops.store import make_engine
from callops.feeds.queue_log_follower import QueueLogFollower
QueueLogFollower(make_engine(sys.argv[1]), Path(sys.argv[2]), tz=zoneinfo.ZoneInfo("UTC"), poll_s=0.01,
                 batch_lines=int(sys.argv[3]), idle_exit_s=float(sys.argv[4])).run()
"""


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """A follower process killed with SIGKILL three times while the log grows, then run to the end, holds exactly
    the records of a one-shot import and each live event once."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    from callops.store import make_engine, upgrade
    engine = make_engine(url)
    upgrade(engine)
    lines = queue_log_lines(1500, seed=21)
    path = tmp_path / "queue_log"
    path.write_text("")
    rng = random.Random(8)
    env = {**os.environ, "PYTHONPATH": SRC}
    written = 0
    quarter = len(lines) // 4
    offsets = [0]
    for _kill in range(3):
        proc = subprocess.Popen([sys.executable, "-c", _RUNNER, url, str(path), "25", "60"], env=env)
        with path.open("a") as out:
            target = written + quarter
            while written < target:
                step = rng.randint(5, 40)
                out.write("\n".join(lines[written:min(written + step, target)]) + "\n")
                out.flush()
                written = min(written + step, target)
                time.sleep(0.005)
        _wait_until(lambda: _offset(engine, path) > offsets[-1], 60)  # it runs and commits
        time.sleep(rng.uniform(0.0, 0.2))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        offsets.append(_offset(engine, path))
    assert offsets == sorted(offsets) and offsets[-1] < path.stat().st_size  # killed with work left
    with path.open("a") as out:
        out.write("\n".join(lines[written:]) + "\n")
    subprocess.run([sys.executable, "-c", _RUNNER, url, str(path), "500", "0.5"], env=env, check=True, timeout=120)
    assert _offset(engine, path) == path.stat().st_size
    one_shot = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    upgrade(one_shot)
    import_files(one_shot, [path], fmt="asterisk-queue-log", tz="UTC")
    assert _keys(engine) == _keys(one_shot) and _count(engine, calls) == _count(one_shot, calls)
    assert _count(engine, live_events) == _expected_events(lines, path)
    with engine.connect() as conn:
        dup = conn.execute(sa.select(live_events.c.call_id, live_events.c.kind, live_events.c.agent, live_events.c.at,
                                     sa.func.count()).group_by(live_events.c.call_id, live_events.c.kind,
                                                               live_events.c.agent, live_events.c.at)
                           .having(sa.func.count() > 1)).all()
    assert dup == []


def test_cli_follow_then_import_adds_nothing(db_url: str, engine: sa.Engine, tmp_path: Path) -> None:
    """The contract: `callops live follow FILE --format asterisk-queue-log --tz ZONE` then `callops import` adds 0."""
    path = tmp_path / "queue_log"
    path.write_text("\n".join(queue_log_lines(80, seed=2)) + "\n")
    runner = CliRunner()
    env = {"CALLOPS_DATABASE_URL": db_url}
    result = runner.invoke(cli, ["live", "follow", str(path), "--format", "asterisk-queue-log", "--tz", "UTC",
                                 "--poll", "0.05", "--exit-when-idle", "0.3"], env=env)
    assert result.exit_code == 0, result.output
    assert "calls" in result.output and _count(engine, calls) > 50
    again = runner.invoke(cli, ["import", str(path), "--format", "asterisk-queue-log", "--json"], env=env)
    assert again.exit_code == 0 and '"inserted": 0' in again.output
    bad = runner.invoke(cli, ["live", "follow", str(path), "--format", "asterisk-queue-log", "--tz", "Mars/Base"],
                        env=env)
    assert bad.exit_code == 1 and "--tz" in bad.output
