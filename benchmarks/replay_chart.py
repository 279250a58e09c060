"""Real-month replay of the Anonymous Bank data (Technion, Guedj & Mandelbaum), January 1999: the docs' tables and
chart (docs/simulation.md, section "Real-month replay").

For each split of the Sunday-Thursday days (in-sample; fit days 1-15 and replay 16-31; the reverse) and each
capacity estimate (servers, calibrated, scaled): mean absolute error per busy hour 8-20 of the simulated service
level, ASA and abandon rate against the actual. Then the per-hour table of the out-of-sample split, and the chart
docs/img/replay-anonymous-bank-1999-01.svg (plain SVG, no plotting library).

Run: .venv/bin/python benchmarks/replay_chart.py [--replications 40]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the month reader and the replay are the ones the replay test uses

from anonymous_bank_month import BUSY_HOURS, SPLITS, Replay, load_month, replay  # noqa: E402
from callops.simulation import mean_absolute_errors  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "anonymous-bank-1999" / "calls_1999-01.txt.gz"
CHART = REPO / "docs" / "img" / "replay-anonymous-bank-1999-01.svg"
CAPACITIES = ("servers", "calibrated", "scaled")
COLOURS = {"actual": "#111111", "servers": "#9e9e9e", "calibrated": "#1f77b4", "scaled": "#ff7f0e"}
MIN_CALLS_PER_DAY = 5.0


def error_table(month: dict[str, np.ndarray], replications: int) -> tuple[str, dict[str, Replay]]:
    """Markdown: MAE per split and capacity; also the out-of-sample replays by capacity."""
    lines = ["| split | capacity | SL MAE | ASA MAE s | abandon MAE |", "|---|---|---|---|---|"]
    kept: dict[str, Replay] = {}
    for split in SPLITS:
        for capacity in CAPACITIES:
            if split == "in-sample" and capacity == "scaled":
                continue  # the same days replayed: scaled equals calibrated
            result = replay(month, split, capacity, replications=replications)
            if split == "out-of-sample":
                kept[capacity] = result
            e = mean_absolute_errors(result.actual, result.simulated, BUSY_HOURS)
            lines.append(f"| {split} | {capacity} | {e['service_level']:.3f} | {e['asa_s']:.1f} | "
                         f"{e['p_abandon']:.3f} |")
    return "\n".join(lines), kept


def shown_hours(result: Replay) -> list[int]:
    return [h for h in range(24) if result.actual.offered[h] / result.days >= MIN_CALLS_PER_DAY]


def hour_table(runs: dict[str, Replay]) -> str:
    """Markdown: per hour, actual against each capacity estimate."""
    srv, cal, scl = (runs[c] for c in CAPACITIES)
    actual = cal.actual
    lines = ["| hour | offered/day | agents srv/cal/scl | SL actual | SL srv | SL cal | SL scl | ASA actual s | "
             "ASA srv | ASA cal | ASA scl | abandon actual | abandon srv | abandon cal | abandon scl |",
             "|" + "---|" * 15]
    for h in shown_hours(cal):
        lines.append(
            f"| {h} | {actual.offered[h] / cal.days:.1f} | {srv.agents[h]}/{cal.agents[h]}/{scl.agents[h]} | "
            + " | ".join(f"{v:.3f}" for v in (actual.service_level[h], *(r.simulated.service_level[h]
                                                                         for r in (srv, cal, scl)))) + " | "
            + " | ".join(f"{v:.1f}" for v in (actual.asa_s[h], *(r.simulated.asa_s[h] for r in (srv, cal, scl))))
            + " | "
            + " | ".join(f"{v:.3f}" for v in (actual.p_abandon[h], *(r.simulated.p_abandon[h]
                                                                     for r in (srv, cal, scl)))) + " |")
    return "\n".join(lines)


def panel(x0: float, title: str, hours: list[int], series: dict[str, np.ndarray], top: float) -> list[str]:
    """One line chart at horizontal offset ``x0``: hours across, 0-``top`` up, a line per series."""
    left, width, y_top, height = x0 + 50, 360.0, 50.0, 240.0

    def px(h: float) -> float:
        return left + (h - hours[0]) / (hours[-1] - hours[0]) * width

    def py(v: float) -> float:
        return y_top + height - v / top * height

    out = [f'<text x="{left + width / 2}" y="30" text-anchor="middle" font-weight="bold">{title}</text>']
    for i in range(6):
        v = top * i / 5
        out.append(f'<line x1="{left}" y1="{py(v):.1f}" x2="{left + width}" y2="{py(v):.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>')
    for h in hours:
        out.append(f'<text x="{px(h):.1f}" y="{y_top + height + 16}" text-anchor="middle">{h}</text>')
    out.append(f'<text x="{left + width / 2}" y="{y_top + height + 34}" text-anchor="middle">hour of day</text>')
    out.append(f'<rect x="{left}" y="{y_top}" width="{width}" height="{height}" fill="none" stroke="#444"/>')
    for name, values in series.items():
        points = " ".join(f"{px(h):.1f},{py(float(values[h])):.1f}" for h in hours)
        dash = ' stroke-dasharray="5,3"' if name == "servers" else ""
        thick = 3 if name == "actual" else 2
        out.append(f'<polyline points="{points}" fill="none" stroke="{COLOURS[name]}" stroke-width="{thick}"{dash}/>')
    return out


def chart(runs: dict[str, Replay]) -> str:
    """SVG: service level and abandon rate per hour, actual against the three capacity estimates."""
    cal = runs["calibrated"]
    hours = shown_hours(cal)
    sl = {"actual": cal.actual.service_level} | {c: runs[c].simulated.service_level for c in CAPACITIES}
    ab = {"actual": cal.actual.p_abandon} | {c: runs[c].simulated.p_abandon for c in CAPACITIES}
    ab_top = float(np.ceil(max(float(v[hours].max()) for v in ab.values()) * 20) / 20)
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="900" height="380" viewBox="0 0 900 380" '
             'font-family="sans-serif" font-size="12">', '<rect width="900" height="380" fill="white"/>']
    parts += panel(0, "Service level (answered within 20 s / offered)", hours, sl, 1.0)
    parts += panel(450, "Abandon rate", hours, ab, ab_top)
    labels = {"actual": "actual (days 16-31)", "servers": "servers", "calibrated": "calibrated (default)",
              "scaled": "scaled"}
    for i, (name, label) in enumerate(labels.items()):
        x = 100 + i * 190
        dash = ' stroke-dasharray="5,3"' if name == "servers" else ""
        parts.append(f'<line x1="{x}" y1="352" x2="{x + 28}" y2="352" stroke="{COLOURS[name]}" '
                     f'stroke-width="{3 if name == "actual" else 2}"{dash}/>')
        parts.append(f'<text x="{x + 34}" y="356">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=40)
    args = parser.parse_args()
    month = load_month(DATA)
    errors, runs = error_table(month, args.replications)
    print(f"Mean absolute error per busy hour 8-20, {args.replications} replications, master seed 1999:\n")
    print(errors)
    print(f"\nOut-of-sample per hour (fit Sunday-Thursday days 1-15, replay and compare days 16-31), "
          f"hours with at least {MIN_CALLS_PER_DAY:g} calls a day:\n")
    print(hour_table(runs))
    CHART.parent.mkdir(parents=True, exist_ok=True)
    CHART.write_text(chart(runs), encoding="utf-8")
    print(f"\nchart: {CHART.relative_to(REPO)}")


if __name__ == "__main__":
    main()
