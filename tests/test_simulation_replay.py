"""Real-month replay: fit January 1999 of the Anonymous Bank data (Technion, Guedj & Mandelbaum), replay it
and compare simulated with actual service level, ASA and abandon rate per hour."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from callops.simulation import actual_by_hour, fit_day, simulate


def _seconds(text: str) -> int:
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def load_month(path: Path) -> dict[str, np.ndarray]:
    """Calls offered to the queue (served, or hung up after queueing): day, hour, answered, wait, service."""
    rows: list[tuple[int, int, bool, float, float, str]] = []
    with gzip.open(path, "rt", encoding="latin-1") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 17:
                continue
            outcome, q_time, q_start = c[12], int(c[11]), c[9]
            answered = outcome == "AGENT"
            if not answered and not (outcome == "HANG" and q_time > 0):
                continue
            start = _seconds(q_start) if q_start != "0:00:00" else _seconds(c[7])
            rows.append((int(c[5]), start // 3600 % 24, answered, float(q_time), float(c[15]), c[16]))
    day, hour, answered, wait, service, server = zip(*rows, strict=True)
    return {"day": np.array(day), "hour": np.array(hour), "answered": np.array(answered),
            "wait_s": np.array(wait), "service_s": np.array(service), "server": np.array(server)}


def replay_table(shared_data: Path, replications: int = 5) -> list[dict[str, float]]:
    """Per hour of day: actual against simulated (mean of replications) SL, ASA, abandon rate."""
    month = load_month(shared_data / "anonymous-bank-1999" / "calls_1999-01.txt.gz")
    scenario = fit_day(**month)
    actual = actual_by_hour(hour=month["hour"], answered=month["answered"], wait_s=month["wait_s"])
    runs = [simulate(scenario, s) for s in np.random.SeedSequence(1999).spawn(replications)]
    per = {k: np.sum([r.by_interval[k] for r in runs], axis=0) for k in runs[0].by_interval}
    offered = np.maximum(per["offered"], 1)
    rows = []
    for h in range(24):
        if actual.offered[h] < 30:
            continue
        rows.append({"hour": h, "offered_per_day": actual.offered[h] / len(np.unique(month["day"])),
                     "agents": scenario.groups[0].counts[h],
                     "sl_actual": actual.service_level[h], "sl_sim": per["answered_within"][h] / offered[h],
                     "asa_actual": actual.asa_s[h], "asa_sim": per["wait_s"][h] / max(per["answered"][h], 1),
                     "abandon_actual": actual.p_abandon[h], "abandon_sim": per["abandoned"][h] / offered[h]})
    return rows


def test_replay_tracks_the_real_month(shared_data: Path) -> None:
    """Counting every server seen in an hour as a full agent is optimistic: the replay's service level is at
    least the real one in every busy hour, and its abandon rate rises and falls with the real one."""
    from scipy.stats import spearmanr

    rows = replay_table(shared_data, replications=3)
    busy = [r for r in rows if 8 <= r["hour"] <= 20]
    assert len(busy) == 13
    assert all(r["sl_sim"] >= r["sl_actual"] for r in busy)
    rho = spearmanr([r["abandon_actual"] for r in busy], [r["abandon_sim"] for r in busy]).statistic
    assert rho > 0.5, rho


@pytest.mark.parametrize("hour", [-1, 24])
def test_fit_refuses_bad_hours(hour: int) -> None:
    """Hours outside 0-23 are refused."""
    from callops.errors import InvalidInput

    with pytest.raises(InvalidInput):
        fit_day(day=np.array([1]), hour=np.array([hour]), answered=np.array([True]), wait_s=np.array([0.0]),
                service_s=np.array([60.0]), server=np.array(["A"]))
