"""The practice floor as a load-test source: how fast the wall-clock driver can hand out live events, against the
rate a speed of 60 asks of it.

The 1,000-agent, 5-queue centre of bench_simulation.py (about 300,000 calls a day, so about 208 calls/s on
average at x60) runs through ``run_practice`` with the JSON-lines sink of ``callops live practice`` writing to a
null stream, on a clock that the driver's sleeps move forward (so it never waits): CPU time per event gives its
capacity; the events over the simulated span divided by the span / 60 give the rate x60 needs.

Run: .venv/bin/python benchmarks/bench_practice_floor.py [HOURS]   (default 6 simulated hours)
"""

from __future__ import annotations

import io
import sys
import time

from bench_simulation import center

from callops.cli.live_practice import jsonl_sink
from callops.simulation.realtime import run_practice


class _Null(io.TextIOBase):
    def write(self, s: str) -> int:
        return len(s)


def main() -> None:
    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 6.0
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    start = time.process_time()
    run = run_practice(center(), jsonl_sink(_Null()), speed=60, seed=2, until_s=hours * 3600,
                       clock=lambda: now[0], sleep=sleep)
    cpu = time.process_time() - start
    capacity = run.events / cpu
    needed = run.events / (hours * 3600 / 60)
    print(f"centre, first {hours:g} simulated hours: {run.events} live events in {cpu:.2f} s of CPU = "
          f"{capacity:.0f} events/s; x60 needs {needed:.0f} events/s on average: {capacity / needed:.0f}x headroom")


if __name__ == "__main__":
    main()
