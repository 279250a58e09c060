"""The simulator against itself at another git revision, side by side in one process.

Both versions of ``callops.simulation`` are loaded into one interpreter (the baseline from ``git archive REV``)
and the same workloads run alternately, old and new in turn, so a shared machine's load hits both alike. It
prints each side's best CPU time and the median of the per-round ratios (new / old); outputs are checked equal.

Workloads: the M/M/N+M day of bench_simulation.py (5 seeds), bank.yaml (10 seeds), and the first 12 hours
of bench_simulation.py's 1,000-agent centre.

Run: .venv/bin/python benchmarks/bench_simulation_ab.py REV [ROUNDS]   (e.g. f6d4bbf 16)
"""

from __future__ import annotations

import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _load(src: Path) -> tuple[ModuleType, ModuleType]:
    """Import callops.simulation and callops.routing from ``src``; earlier imports stay alive in their functions."""
    for name in [m for m in sys.modules if m == "callops" or m.startswith("callops.")]:
        del sys.modules[name]
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module("callops.simulation"), importlib.import_module("callops.routing")
    finally:
        sys.path.remove(str(src))


def _centre(sim: ModuleType, routing: ModuleType, hours: int = 12) -> Any:
    shape = np.sin(np.linspace(0, np.pi, 48)) ** 2 * 0.9 + 0.1
    queues, groups = [], []
    for i in range(5):
        arrivals = tuple(float(x) for x in shape / shape.sum() * 60_000)[:hours * 2]
        queues.append(sim.QueueBehaviour(
            config=routing.QueueConfig(f"q{i}", f"s{i}", overflow_after_s=60.0, overflow_to=f"q{(i + 1) % 5}"),
            arrivals_per_interval=arrivals, handle=sim.Distribution("lognormal", 180.0, 120.0),
            patience=sim.Distribution("exponential", 240.0)))
        counts = tuple(max(5, int(a * 180 / 1800 / 0.85)) for a in arrivals)
        groups.append(sim.AgentGroup(f"g{i}", {f"s{i}": 2, f"s{(i + 1) % 5}": 1}, counts))
    return sim.Scenario("center", 1800.0, hours * 2, tuple(queues), tuple(groups), warmup_s=0.0)


def _workloads(sim: ModuleType, routing: ModuleType) -> dict[str, tuple[Any, range]]:
    bank = (ROOT / "examples" / "scenarios" / "bank.yaml").read_text(encoding="utf-8")
    return {"M/M/N+M day x5": (sim.single_queue(calls=400, interval_s=1800, aht_s=180, agents=45, hours=24,
                                                 patience_s=180), range(1, 6)),
            "bank.yaml x10": (sim.parse_scenario(bank), range(1, 11)),
            "centre 12 h": (_centre(sim, routing), range(1, 2))}


def _run(sim: ModuleType, scenario: Any, seeds: range) -> tuple[float, list[tuple[int, int, int]]]:
    start = time.process_time()
    runs = [sim.simulate(scenario, np.random.SeedSequence(s)) for s in seeds]
    return time.process_time() - start, [(r.offered, r.answered, r.abandoned) for r in runs]


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: bench_simulation_ab.py REV [ROUNDS]")
    rev, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        old = _load(Path(tmp) / "src")
        new = _load(ROOT / "src")
        sides = {"old": (old[0], _workloads(*old)), "new": (new[0], _workloads(*new))}
        best: dict[tuple[str, str], float] = {}
        ratios: dict[str, list[float]] = {name: [] for name in sides["old"][1]}
        for r in range(rounds):
            for name in ratios:
                took: dict[str, float] = {}
                outputs = []
                for label in (("old", "new") if r % 2 == 0 else ("new", "old")):
                    sim, work = sides[label]
                    took[label], out = _run(sim, *work[name])
                    outputs.append(out)
                    best[label, name] = min(best.get((label, name), float("inf")), took[label])
                if outputs[0] != outputs[1]:
                    raise SystemExit(f"{name}: the two versions disagree: {outputs}")
                ratios[name].append(took["new"] / took["old"])
    print(f"simulation at {rev} (old) against the working tree (new), {rounds} alternating rounds, CPU seconds")
    for name, values in ratios.items():
        print(f"  {name:16s} old {best['old', name]:.3f} s  new {best['new', name]:.3f} s  "
              f"best-time ratio {best['new', name] / best['old', name]:.3f}  median round ratio "
              f"{statistics.median(values):.3f}")


if __name__ == "__main__":
    main()
