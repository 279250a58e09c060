"""Krippendorff's alpha on all STC-3 ratings (3,700 dialogues x 19 raters): callops vs pairwise definition.

Baseline: the straightforward pairwise-permutation computation (the acceptance check's reference),
run on the same data in the same process. Prints both times, the ratio, and that the values agree.
Run: .venv/bin/python benchmarks/bench_quality_agreement.py
"""

from __future__ import annotations

import collections
import csv
import itertools
import time
from pathlib import Path

from callops.quality import Rating, krippendorff_alpha, rating_table

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data" / "stc3-helpdesk-ratings" / "quality_ratings.csv"


def pairwise_alpha(by_unit: dict[str, list[int]]) -> float:
    values = [v for v in by_unit.values() if len(v) >= 2]
    n = sum(len(v) for v in values)
    d_o = sum(sum((a - b) ** 2 for a, b in itertools.permutations(v, 2)) / (len(v) - 1) for v in values) / n
    freq = collections.Counter(x for v in values for x in v)
    d_e = sum(freq[a] * freq[b] * (a - b) ** 2 for a in freq for b in freq) / (n * (n - 1))
    return 1 - d_o / d_e


def main() -> None:
    with DATA.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    ratings = [Rating(r["dialogue_id"], r["rater"], float(r["E"])) for r in rows]
    by_unit: dict[str, list[int]] = collections.defaultdict(list)
    for r in rows:
        by_unit[r["dialogue_id"]].append(int(r["E"]))

    start = time.perf_counter()
    ours = krippendorff_alpha(rating_table(ratings), "interval").alpha
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    ref = pairwise_alpha(by_unit)
    t_ref = time.perf_counter() - start

    assert ours is not None and abs(ours - ref) < 1e-9, (ours, ref)
    print(f"ratings: {len(ratings)}  alpha(interval) = {ours:.6f} (reference {ref:.6f})")
    print(f"callops (table + alpha): {t_ours * 1000:8.1f} ms")
    print(f"pairwise baseline:       {t_ref * 1000:8.1f} ms")
    print(f"speed-up: {t_ref / t_ours:.1f}x")


if __name__ == "__main__":
    main()
