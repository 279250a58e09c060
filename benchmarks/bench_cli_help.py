"""`callops --help` start-up: lazy command modules (today) against every module imported up front (the old way).

Each side runs in a fresh interpreter (5 runs, median), in one run, and the ratio is printed.

    .venv/bin/python benchmarks/bench_cli_help.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

LAZY = "from click.testing import CliRunner; from callops.cli import cli; CliRunner().invoke(cli, ['--help'])"
EAGER = ("from click.testing import CliRunner; from callops.cli import cli; cli.load_all(); "
         "CliRunner().invoke(cli, ['--help'])")


def _seconds(code: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    eager, lazy = _seconds(EAGER), _seconds(LAZY)
    print(f"every module imported up front: {eager:.2f} s (median of 5)")
    print(f"lazy command modules:           {lazy:.2f} s (median of 5)")
    print(f"ratio: {eager / lazy:.1f}x faster")


if __name__ == "__main__":
    main()
