"""``callops qa``: agreement on real ratings, capacity, bias, and draws that verify or are rejected."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import itertools
import json
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from callops.cli import cli

RULE_YAML = """\
rule_id: w48-daily-2
description: two random calls per agent per day, longer than 60 s, from 11:00 Shanghai time
filed_at: 2026-11-21T17:00:00+08:00
period: {start: 2026-11-23T00:00:00+08:00, end: 2026-11-25T00:00:00+08:00}
timezone: Asia/Shanghai
per: agent_day
select: {pick: random, n: 2}
filters: {longer_than_s: 60, after: "11:00"}
"""


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _stc3_subsample(shared_data: Path, out: Path) -> dict[str, float]:
    """The acceptance check's subsample (300 dialogues, ~10 % ratings dropped) and its reference alphas."""
    with (shared_data / "stc3-helpdesk-ratings" / "quality_ratings.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rnd = random.Random(7)
    units = sorted({r["dialogue_id"] for r in rows})
    pick = set(rnd.sample(units, 300))
    sub = [r for r in rows if r["dialogue_id"] in pick and rnd.random() > 0.1]
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["call", "evaluator", "score"])
        for r in sub:
            writer.writerow([r["dialogue_id"], "qa" + r["rater"], r["E"]])
    by_unit: dict[str, list[int]] = collections.defaultdict(list)
    for r in sub:
        by_unit[r["dialogue_id"]].append(int(r["E"]))
    values = [v for v in by_unit.values() if len(v) >= 2]
    n = sum(len(v) for v in values)
    ref = {}
    for metric in ("interval", "nominal"):

        def dist(a: int, b: int, metric: str = metric) -> float:
            return float((a - b) ** 2) if metric == "interval" else float(a != b)

        d_o = sum(sum(dist(a, b) for a, b in itertools.permutations(v, 2)) / (len(v) - 1) for v in values) / n
        freq = collections.Counter(x for v in values for x in v)
        d_e = sum(freq[a] * freq[b] * dist(a, b) for a in freq for b in freq) / (n * (n - 1))
        ref[metric] = 1 - d_o / d_e
    return ref


@pytest.mark.parametrize("level", ["interval", "nominal"])
def test_agreement_matches_the_acceptance_reference(shared_data: Path, tmp_path: Path, level: str) -> None:
    """On the STC-3 subsample alpha matches the pairwise reference to 1e-6, with counts and ICC reported."""
    ref = _stc3_subsample(shared_data, tmp_path / "sub.csv")
    code, out = _run(
        "qa",
        "agreement",
        str(tmp_path / "sub.csv"),
        "--unit",
        "call",
        "--rater",
        "evaluator",
        "--score",
        "score",
        "--level",
        level,
        "--json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert abs(data["krippendorff_alpha"] - ref[level]) < 1e-6
    assert data["units"] == 300 and data["raters"] == 19 and data["ratings"] > 5000
    assert data["icc"] is not None and data["icc"]["raters"] == 19
    assert data["gwet_ac1"] is None and 0 < data["percent_agreement"] < 1


def test_agreement_per_item_with_labels(tmp_path: Path) -> None:
    """--item gives per-item reports and a pooled one; pass/fail labels are coded and get AC1."""
    path = tmp_path / "cal.csv"
    lines = ["call,qa,item,verdict"]
    for call in range(10):
        for qa in ("x", "y", "z"):
            lines.append(f"c{call},{qa},greeting,{'fail' if call == 0 and qa == 'z' else 'pass'}")
            lines.append(f"c{call},{qa},empathy,{'pass' if (call + len(qa)) % 2 else 'fail'}")
    path.write_text("\n".join(lines) + "\n")
    code, out = _run(
        "qa",
        "agreement",
        str(path),
        "--unit",
        "call",
        "--rater",
        "qa",
        "--score",
        "verdict",
        "--item",
        "item",
        "--level",
        "nominal",
        "--json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert set(data["items"]) == {"greeting", "empathy"}
    assert data["items"]["greeting"]["gwet_ac1"] > 0.9
    assert data["units"] == 20


def test_agreement_bad_value_names_line_and_field(tmp_path: Path) -> None:
    """A non-numeric interval score fails with the file, line and column."""
    path = tmp_path / "bad.csv"
    path.write_text("call,qa,score\nc1,x,3\nc1,y,three\n")
    code, out = _run(
        "qa",
        "agreement",
        str(path),
        "--unit",
        "call",
        "--rater",
        "qa",
        "--score",
        "score",
        "--level",
        "interval",
    )
    assert code == 1 and "line 3" in out and "score" in out


def test_capacity(tmp_path: Path) -> None:
    """420 recordings a day at 50 per QA needs 9 QAs; a team of 6 covers 300 of them."""
    code, out = _run("qa", "capacity", "--calls-per-day", "420", "--qa-daily", "50", "--qas", "6", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["qas_needed"] == 9 and data["coverable_per_day"] == 300 and data["shortfall_per_day"] == 120


def test_bias_flags_the_planted_harsh_rater(tmp_path: Path) -> None:
    """A CSV with one rater 9 points harsher gets exactly that rater flagged."""
    rng = np.random.default_rng(3)
    path = tmp_path / "scores.csv"
    lines = ["agent,qa,score"]
    for agent, qa, _ in itertools.product(range(6), range(4), range(6)):
        lines.append(f"a{agent},q{qa},{80 + agent - (9 if qa == 2 else 0) + rng.normal(0, 4):.2f}")
    path.write_text("\n".join(lines) + "\n")
    code, out = _run(
        "qa", "bias", str(path), "--agent", "agent", "--rater", "qa", "--score", "score", "--json"
    )
    assert code == 0, out
    flagged = [r["rater"] for r in json.loads(out)["raters"] if r["flagged"]]
    assert flagged == ["q2"]


def _calls_csv(path: Path, drop: str | None = None) -> None:
    cst = dt.timezone(dt.timedelta(hours=8))
    lines = ["call_id,agent,queue,started_at,duration_s,outcome"]
    for agent, day, k in itertools.product(("ag1", "ag2"), (23, 24), range(9)):
        call_id = f"{day}{agent}{k}"
        if call_id != drop:
            start = dt.datetime(2026, 11, day, 9 + k, 5, tzinfo=cst).isoformat()
            lines.append(f"{call_id},{agent},billing,{start},{45 + 20 * k},answered")
    path.write_text("\n".join(lines) + "\n")


def test_draw_then_verify_and_reject_tampering(tmp_path: Path) -> None:
    """A draw verifies from its public inputs; changed selection, call list or seed fail."""
    (tmp_path / "rule.yaml").write_text(RULE_YAML)
    _calls_csv(tmp_path / "calls.csv")
    seed = "lead-and-qa-secret-2026-w48"
    code, commitment = _run("qa", "commit", "--seed", seed)
    code, out = _run(
        "qa",
        "draw",
        "--rule",
        str(tmp_path / "rule.yaml"),
        "--calls",
        str(tmp_path / "calls.csv"),
        "--seed",
        seed,
        "--public-random",
        "4 2 6 6 1 3 5 5 2 1",
        "--evaluators",
        "qa1,qa2,qa3",
        "--public-random-at",
        "2026-11-25T09:00:00+08:00",
        "--json",
    )
    assert code == 0, out
    record = json.loads(out)
    assert record["seed_commitment"] == commitment.strip()
    assert len(record["selections"]) == 8 and all(s["evaluator"] for s in record["selections"])
    draw = tmp_path / "draw.json"
    draw.write_text(out)
    code, out = _run("qa", "verify-draw", str(draw), "--calls", str(tmp_path / "calls.csv"))
    assert (code, out.strip()) == (0, "matches")

    forged = json.loads(draw.read_text())
    chosen = {s["call_id"] for s in forged["selections"]}
    first = forged["selections"][0]
    same_group = [f"{first['group'][-2:]}{first['agent']}{k}" for k in range(3, 9)]
    first["call_id"] = next(c for c in same_group if c not in chosen)
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    code, out = _run(
        "qa", "verify-draw", str(tmp_path / "forged.json"), "--calls", str(tmp_path / "calls.csv")
    )
    assert code == 1 and "selection" in out

    _calls_csv(tmp_path / "fewer.csv", drop="23ag15")
    code, out = _run("qa", "verify-draw", str(draw), "--calls", str(tmp_path / "fewer.csv"))
    assert code == 1 and "eligible" in out

    code, out = _run(
        "qa",
        "verify-draw",
        str(draw),
        "--calls",
        str(tmp_path / "calls.csv"),
        "--seed",
        "somebody-elses-seed-1234",
    )
    assert code == 1 and "commitment" in out


def test_freeze_prints_the_eligible_hash(tmp_path: Path) -> None:
    """qa freeze publishes the same eligible count and hash the draw records."""
    (tmp_path / "rule.yaml").write_text(RULE_YAML)
    _calls_csv(tmp_path / "calls.csv")
    code, out = _run(
        "qa",
        "freeze",
        "--rule",
        str(tmp_path / "rule.yaml"),
        "--calls",
        str(tmp_path / "calls.csv"),
        "--json",
    )
    assert code == 0
    frozen = json.loads(out)
    # 11:00 local onwards (k >= 2) and longer than 60 s (k >= 1): k = 2..8 -> 7 calls x 2 agents x 2 days
    assert frozen["eligible_count"] == 28 and len(frozen["eligible_hash"]) == 64


def test_draw_errors_name_the_problem(tmp_path: Path) -> None:
    """A call without a time zone and a late-filed rule are refused with a clear message."""
    (tmp_path / "rule.yaml").write_text(RULE_YAML)
    (tmp_path / "calls.csv").write_text(
        "call_id,agent,queue,started_at,duration_s,outcome\nc1,ag1,billing,2026-11-23T12:00:00,90,answered\n"
    )
    code, out = _run(
        "qa",
        "draw",
        "--rule",
        str(tmp_path / "rule.yaml"),
        "--calls",
        str(tmp_path / "calls.csv"),
        "--seed",
        "x" * 20,
        "--public-random",
        "12345",
    )
    assert code == 1 and "line 2" in out and "started_at" in out
    (tmp_path / "late.yaml").write_text(RULE_YAML.replace("2026-11-21T17", "2026-11-22T17"))
    _calls_csv(tmp_path / "calls.csv")
    code, out = _run(
        "qa",
        "draw",
        "--rule",
        str(tmp_path / "late.yaml"),
        "--calls",
        str(tmp_path / "calls.csv"),
        "--seed",
        "x" * 20,
        "--public-random",
        "12345",
    )
    assert code == 1 and "filing deadline" in out


def test_docs_draw_example_is_current(tmp_path: Path) -> None:
    """The draw example in docs/quality.md, run on its own example files, prints what the page shows."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "quality.md").read_text(encoding="utf-8")
    setup = page[page.index("## Example files") :]
    setup = setup[setup.index("```bash") + len("```bash") : setup.rindex("```")]
    subprocess.run(["bash", "-c", setup], cwd=tmp_path, check=True, capture_output=True)
    args = [
        "--calls",
        str(tmp_path / "calls.csv"),
        "--seed",
        "h7Qm-2026w48-lead-vault",
        "--public-random",
        "3 6 1 4 2 5 5 1 6 2 / 4 4 2 6 1 3 5 2 3 1",
        "--public-random-at",
        "2026-11-25T09:30:00+08:00",
        "--evaluators",
        "qa1,qa2,qa3",
    ]
    for rule in ("rule.yaml", "random.yaml"):
        code, out = _run("qa", "draw", "--rule", str(tmp_path / rule), *args)
        assert code == 0, out
        assert out.strip() in page or all(line in page for line in out.splitlines()), out
    code, out = _run(
        "qa",
        "freeze",
        "--rule",
        str(tmp_path / "rule.yaml"),
        "--calls",
        str(tmp_path / "calls.csv"),
        "--manifest",
    )
    assert out in page
