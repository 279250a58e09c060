"""Crash test of `callops live follow`: SIGKILL the follower 20 times at random moments while the log grows.

Run: .venv/bin/python benchmarks/crash_follow.py [--calls 20000] [--kills 20] [--seed 1]
A synthetic queue_log (tests/queue_log_synth.py) is appended in random pieces (cut anywhere, torn lines
included) while the real CLI follows it into a temp SQLite database; the follower is killed with SIGKILL at
random moments and started again. At the end it runs until the file is idle, and its calls and agent
intervals are compared with a one-shot `import` of the finished file into another database, and its live
events with the events of the whole file: lost and duplicated are printed (both must be 0).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from callops.ingest import import_files  # noqa: E402
from callops.live.queue_log_events import QueueLogEvents  # noqa: E402
from callops.store import make_engine, upgrade  # noqa: E402
from callops.store.schema import agent_intervals, calls, live_events  # noqa: E402
from queue_log_synth import queue_log_lines  # noqa: E402

CLI = str(Path(sys.executable).with_name("callops"))


def keys(engine: sa.Engine) -> tuple[list[tuple[str, str]], list[tuple[str, str, int]]]:
    with engine.connect() as conn:
        c = [tuple(r) for r in conn.execute(sa.select(calls.c.source, calls.c.source_call_id))]
        i = [(r.agent, r.state, int(r.start_at.timestamp())) for r in conn.execute(
            sa.select(agent_intervals.c.agent, agent_intervals.c.state, agent_intervals.c.start_at))]
    return c, i  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="callops-crash-"))
    url = f"sqlite:///{folder / 'live.db'}"
    engine = make_engine(url)
    upgrade(engine)
    data = ("\n".join(queue_log_lines(args.calls, agents=60, seed=args.seed)) + "\n").encode()
    log = folder / "queue_log"
    log.write_bytes(b"")
    env = {**os.environ, "CALLOPS_DATABASE_URL": url}
    command = [CLI, "live", "follow", str(log), "--format", "asterisk-queue-log", "--tz", "UTC", "--poll", "0.05",
               "--batch-lines", "200"]
    written = 0
    piece = len(data) // (args.kills + 1)
    started = time.monotonic()
    for kill in range(args.kills):
        proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        target = min(len(data), written + piece)
        with log.open("ab") as out:
            while written < target:  # torn pieces: cut anywhere
                step = rng.randint(1, 4096)
                out.write(data[written:min(target, written + step)])
                out.flush()
                written = min(target, written + step)
                time.sleep(0.001)
        time.sleep(rng.uniform(0.5, 4.0))  # somewhere in start-up, catching up or idling
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        print(f"kill {kill + 1:2d}: {written:,} of {len(data):,} bytes written", flush=True)
    with log.open("ab") as out:
        out.write(data[written:])
    subprocess.run([*command, "--exit-when-idle", "2"], env=env, check=True, stderr=subprocess.DEVNULL)
    elapsed = time.monotonic() - started
    one = make_engine(f"sqlite:///{folder / 'one.db'}")
    upgrade(one)
    import_files(one, [log], fmt="asterisk-queue-log", tz="UTC")
    (fc, fi), (oc, oi) = keys(engine), keys(one)
    mapper = QueueLogEvents(f"asterisk:{log.resolve()}")
    expected_events = sum(len(mapper.line(line)) for line in data.decode().splitlines())
    with engine.connect() as conn:
        got_events = int(conn.execute(sa.select(sa.func.count()).select_from(live_events)).scalar_one())
    lost = len(set(oc) - set(fc)) + len(set(oi) - set(fi))
    duplicated = (len(fc) - len(set(fc))) + (len(fi) - len(set(fi))) + len(set(fc) - set(oc)) + len(set(fi) - set(oi))
    print(f"{args.kills} SIGKILLs over {elapsed:.0f} s: follower {len(fc):,} calls + {len(fi):,} intervals; "
          f"one-shot import {len(oc):,} calls + {len(oi):,} intervals")
    print(f"lost {lost}, duplicated {duplicated}; live events {got_events:,} (the file means {expected_events:,})")
    if lost or duplicated or got_events != expected_events:
        sys.exit(1)


if __name__ == "__main__":
    main()
