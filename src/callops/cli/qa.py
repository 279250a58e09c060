"""``callops qa``: agreement statistics, rater bias, QA capacity, and verifiable sampling draws.

These commands read files and need no database; the domain lives in ``callops.quality``.
CALLS.csv (for draws) has the header ``call_id,agent,queue,started_at,duration_s,outcome`` with
``started_at`` an ISO date-time with its zone (docs/quality.md).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from callops.cell_text import restore_cell
from callops.cli._output import echo_json, echo_table
from callops.csv_rows import CheckedDictReader
from callops.errors import InvalidInput
from callops.quality import (
    AgreementReport,
    CallSummary,
    IccEstimate,
    Level,
    Rating,
    SamplingRule,
    ScoredEvaluation,
    agreement_by_item,
    agreement_report,
    draw_from_mapping,
    draw_sample,
    draw_to_mapping,
    eligible_calls,
    eligible_hash,
    manifest_line,
    plan_capacity,
    rater_bias,
    rating_table,
    rule_from_mapping,
    seed_commitment,
    verify_draw,
)
from callops.yaml_input import load_yaml

CALL_COLUMNS = ("call_id", "agent", "queue", "started_at", "duration_s", "outcome")


def register(group: click.Group) -> None:
    group.add_command(qa)


@click.group()
def qa() -> None:
    """Quality: agreement, rater bias, QA capacity, verifiable sampling draws."""


# --- reading files ---------------------------------------------------------------------------


def _rows(path: Path, needed: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number counting the header as 1, row) for each data row; refuses missing columns."""
    reader = CheckedDictReader(path.read_text(encoding="utf-8-sig"), file=str(path))
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            f"no column {missing[0]!r} (columns: {reader.fieldnames})", file=str(path), line=1
        )
    for row in reader:  # our CSV exports neutralise formula-like cells with an apostrophe: undo it
        yield reader.line_num, {k: restore_cell(v) if isinstance(v, str) else v for k, v in row.items()}


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number", file=str(path), line=line, field=column) from None
    if not math.isfinite(value):
        raise InvalidInput(f"{text!r} is not a finite number", file=str(path), line=line, field=column)
    return value


def _read_ratings(
    path: Path, unit: str, rater: str, score: str, item: str | None, level: Level
) -> dict[str, list[Rating]]:
    """Ratings per item ("" without --item). Nominal labels that are not numbers are coded 0, 1, ..."""
    raw: list[tuple[int, str, str, str, str]] = []
    for line, row in _rows(path, tuple(c for c in (unit, rater, score, item) if c)):
        value = (row[score] or "").strip()
        if value:
            raw.append((line, row[unit], row[rater], value, row[item] if item else ""))
    labels = sorted({r[3] for r in raw})
    codes: dict[str, float] = {}
    if level is Level.NOMINAL and not all(_is_number(v) for v in labels):
        codes = {label: float(i) for i, label in enumerate(labels)}
    out: dict[str, list[Rating]] = {}
    for line, u, r, value, it in raw:
        number = codes[value] if codes else _number(value, path, line, score)
        out.setdefault(it, []).append(Rating(u, r, number))
    if not out:
        raise InvalidInput("no ratings", file=str(path))
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _when(text: str, path: Path, line: int, column: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not an ISO date-time", file=str(path), line=line, field=column
        ) from None
    if value.tzinfo is None:
        raise InvalidInput(f"{text!r} has no time zone", file=str(path), line=line, field=column)
    return value.astimezone(dt.UTC)


def _read_calls(path: Path) -> list[CallSummary]:
    calls = []
    for line, row in _rows(path, CALL_COLUMNS):
        for column in CALL_COLUMNS:
            if not (row[column] or "").strip():
                raise InvalidInput("empty", file=str(path), line=line, field=column)
        calls.append(
            CallSummary(
                call_id=row["call_id"].strip(),
                agent=row["agent"].strip(),
                queue=row["queue"].strip(),
                started_at=_when(row["started_at"].strip(), path, line, "started_at"),
                duration_s=_number(row["duration_s"], path, line, "duration_s"),
                outcome=row["outcome"].strip(),
            )
        )
    return calls


def _read_rule(path: Path) -> SamplingRule:
    data = load_yaml(path.read_text(encoding="utf-8"), file=str(path))
    if not isinstance(data, dict):
        raise InvalidInput("a rule is a YAML mapping", file=str(path))
    return rule_from_mapping(data, source=str(path))


def _option_time(text: str | None, option: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO date-time", field=option) from None
    if value.tzinfo is None:
        raise InvalidInput(f"{text!r} has no time zone", field=option)
    return value.astimezone(dt.UTC)


# --- agreement and bias ----------------------------------------------------------------------


def _finite(value: Any) -> Any:
    """JSON has no NaN: undefined statistics are printed as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _icc_json(est: IccEstimate) -> dict[str, object]:
    return {"value": est.value, "ci95": [est.ci_low, est.ci_high]}


def _report_json(report: AgreementReport) -> dict[str, Any]:
    icc = None
    if report.icc is not None:
        i = report.icc
        icc = {
            "units_used": i.targets,
            "raters": i.raters,
            "icc1": _icc_json(i.icc1),
            "icc_a1": _icc_json(i.icc_a1),
            "icc_c1": _icc_json(i.icc_c1),
            "icc1k": _icc_json(i.icc1k),
            "icc_ak": _icc_json(i.icc_ak),
            "icc_ck": _icc_json(i.icc_ck),
        }
    return {
        "level": report.alpha.level.value,
        "krippendorff_alpha": report.krippendorff_alpha,
        "units": report.units,
        "units_total": report.units_total,
        "raters": report.raters,
        "ratings": report.ratings,
        "pairable_values": report.alpha.pairable_values,
        "observed_disagreement": report.alpha.observed_disagreement,
        "expected_disagreement": report.alpha.expected_disagreement,
        "percent_agreement": report.percent_agreement,
        "icc": icc,
        "fleiss_kappa": report.fleiss_kappa,
        "cohen_kappa": report.cohen_kappa,
        "gwet_ac1": report.gwet_ac1,
    }


@qa.command("agreement")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", required=True, help="Column naming the rated unit (a call).")
@click.option("--rater", required=True, help="Column naming the rater.")
@click.option("--score", required=True, help="Column with the value; empty cells are missing ratings.")
@click.option("--level", type=click.Choice([lv.value for lv in Level]), required=True)
@click.option("--item", help="Column naming the scorecard item: statistics per item and pooled overall.")
@click.option("--json", "as_json", is_flag=True)
def agreement(
    file: Path, unit: str, rater: str, score: str, level: str, item: str | None, as_json: bool
) -> None:
    """Agreement of raters in FILE: alpha, ICC, kappa, AC1.

    FILE is a CSV with one rating a row; units rated by fewer than two raters are ignored.
    """
    lvl = Level(level)
    by_item = _read_ratings(file, unit, rater, score, item, lvl)
    if item:
        per_item, overall = agreement_by_item(by_item, lvl)
        out = _report_json(overall)
        out["items"] = {name: _report_json(rep) for name, rep in sorted(per_item.items())}
    else:
        out = _report_json(agreement_report(rating_table(by_item[""]), lvl))
    out = _finite(out)
    if as_json:
        echo_json(out)
        return
    shown = {k: v for k, v in out.items() if k not in ("icc", "items")}
    for key, value in shown.items():
        click.echo(f"{key:22} {value:.4f}" if isinstance(value, float) else f"{key:22} {value}")
    if out["icc"]:
        for name in ("icc1", "icc_a1", "icc_c1", "icc1k", "icc_ak", "icc_ck"):
            est = out["icc"][name]
            click.echo(f"{name:22} {est['value']:.4f}  [{est['ci95'][0]:.4f}, {est['ci95'][1]:.4f}]")


@qa.command("bias")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agent", "agent_col", required=True, help="Column naming the evaluated agent.")
@click.option("--rater", "rater_col", required=True, help="Column naming the QA who scored.")
@click.option("--score", "score_col", required=True, help="Column with the evaluation score.")
@click.option("--alpha", default=0.01, show_default=True, help="Adjusted p (q) below which to flag.")
@click.option(
    "--min-effect-sd", default=0.5, show_default=True, help="Smallest effect to flag, in residual SDs."
)
@click.option("--json", "as_json", is_flag=True)
def bias(
    file: Path,
    agent_col: str,
    rater_col: str,
    score_col: str,
    alpha: float,
    min_effect_sd: float,
    as_json: bool,
) -> None:
    """Flag harsh raters and rater-agent grudges in FILE.

    FILE is a CSV with one evaluation a row. Flags are for a person to review, not penalties.
    """
    rows = [
        ScoredEvaluation(row[agent_col], row[rater_col], _number(row[score_col], file, line, score_col))
        for line, row in _rows(file, (agent_col, rater_col, score_col))
    ]
    report = rater_bias(rows, alpha=alpha, min_effect_sd=min_effect_sd)
    raters = [
        {
            "rater": r.rater,
            "effect": r.effect,
            "ci95": [r.ci_low, r.ci_high],
            "p_adjusted": r.p_adjusted,
            "effect_sd": r.effect_sd,
            "evaluations": r.evaluations,
            "flagged": r.flagged,
        }
        for r in report.raters
    ]
    pairs = [
        {
            "rater": p.rater,
            "agent": p.agent,
            "effect": p.effect,
            "ci95": [p.ci_low, p.ci_high],
            "q_value": p.q_value,
            "effect_sd": p.effect_sd,
            "evaluations": p.evaluations,
        }
        for p in report.pairs
        if p.flagged
    ]
    if as_json:
        echo_json(
            _finite(
                {
                    "residual_sd": report.residual_sd,
                    "interaction_f": report.interaction_f,
                    "interaction_p": report.interaction_p,
                    "raters": raters,
                    "flagged_pairs": pairs,
                }
            )
        )
        return
    echo_table([{k: v for k, v in r.items() if k != "ci95"} for r in raters])
    click.echo(f"rater x agent interaction: F = {report.interaction_f}, p = {report.interaction_p}")
    for p in pairs:
        click.echo(
            f"review: {p['rater']} toward {p['agent']}: {p['effect']:+.2f} points (q = {p['q_value']:.2g})"
        )


# --- capacity --------------------------------------------------------------------------------


@qa.command("capacity")
@click.option(
    "--calls-per-day", type=float, required=True, help="Recordings the sampling plan selects a day."
)
@click.option(
    "--qa-daily", type=float, default=50, show_default=True, help="Recordings one QA reviews a day."
)
@click.option("--qas", type=int, help="Size of the QA team, to see what it covers.")
@click.option("--json", "as_json", is_flag=True)
def capacity(calls_per_day: float, qa_daily: float, qas: int | None, as_json: bool) -> None:
    """QAs a sampling plan needs; what a team covers."""
    plan = plan_capacity(calls_per_day, qa_daily=qa_daily, qas=qas)
    out = {
        "calls_per_day": plan.reviews_per_day,
        "qa_daily": plan.qa_daily,
        "qas_needed": plan.qas_needed,
        "qas_needed_at_60_to_45_a_day": list(plan.qas_needed_range),
        "qas": plan.qas,
        "coverable_per_day": plan.coverable_per_day,
        "coverage": plan.coverage,
        "shortfall_per_day": plan.shortfall_per_day,
    }
    if as_json:
        echo_json(out)
        return
    for key, value in out.items():
        if value is not None:
            click.echo(f"{key:30} {value}")


# --- draws -----------------------------------------------------------------------------------


@qa.command("commit")
@click.option("--seed", required=True, help="The secret seed (at least 16 characters).")
def commit(seed: str) -> None:
    """Print SHA-256(SEED) to publish before the period.

    Keep the seed itself secret until the draw.
    """
    click.echo(seed_commitment(seed))


@qa.command("freeze")
@click.option(
    "--rule", "rule_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--calls", "calls_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--manifest", is_flag=True, help="Print the manifest itself (its SHA-256 is the hash).")
@click.option("--json", "as_json", is_flag=True)
def freeze(rule_path: Path, calls_path: Path, manifest: bool, as_json: bool) -> None:
    """Print the eligible calls' count and SHA-256.

    Publish them at the end of the period, before the public randomness is drawn.
    """
    eligible = eligible_calls(_read_rule(rule_path), _read_calls(calls_path))
    digest = eligible_hash(eligible)
    if manifest:
        for line in sorted(manifest_line(c) for c in eligible):
            click.echo(line)
    elif as_json:
        echo_json({"eligible_count": len(eligible), "eligible_hash": digest})
    else:
        click.echo(f"{len(eligible)} eligible calls, SHA-256 {digest}")


@qa.command("draw")
@click.option(
    "--rule", "rule_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--calls", "calls_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--seed", required=True, help="The secret seed whose SHA-256 was published before the period.")
@click.option(
    "--public-random", required=True, help="Public randomness that arrived after the freeze (dice)."
)
@click.option("--evaluators", default="", help="Comma-separated QA ids to assign at random.")
@click.option("--frozen-at", help="When the eligible calls were frozen (default: the period end).")
@click.option("--public-random-at", help="When the public randomness arrived (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the draw record (save it for verify-draw).")
def draw(
    rule_path: Path,
    calls_path: Path,
    seed: str,
    public_random: str,
    evaluators: str,
    frozen_at: str | None,
    public_random_at: str | None,
    as_json: bool,
) -> None:
    """Draw a published rule's sample and assign evaluators.

    Prints the draw record; with --json, the record to keep for verify-draw.
    """
    rule = _read_rule(rule_path)
    frozen = _option_time(frozen_at, "--frozen-at") or rule.period_end
    arrived = _option_time(public_random_at, "--public-random-at") or dt.datetime.now(dt.UTC)
    record = draw_sample(
        rule,
        _read_calls(calls_path),
        seed=seed,
        public_random=public_random,
        frozen_at=frozen,
        public_random_at=arrived,
        evaluators=[e.strip() for e in evaluators.split(",") if e.strip()],
    )
    if as_json:
        echo_json(draw_to_mapping(record))
        return
    click.echo(f"commitment {record.seed_commitment}")
    click.echo(f"eligible   {record.eligible_count} calls, SHA-256 {record.eligible_hash}")
    echo_table(
        [
            {
                "call_id": s.call_id,
                "agent": s.agent,
                "group": s.group,
                "stratum": s.stratum,
                "counter": s.counter,
                "evaluator": s.evaluator,
            }
            for s in record.selections
        ]
    )


@qa.command("verify-draw")
@click.argument("draw_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--calls", "calls_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--seed", help="The revealed seed (default: the one in the record).")
def verify_draw_command(draw_path: Path, calls_path: Path, seed: str | None) -> None:
    """Re-run a draw record from its public inputs.

    DRAW_PATH is a record from `qa draw --json`. Exit 0 and "matches", or exit 1 naming what differs.
    """
    try:
        data = json.loads(draw_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not JSON: {exc}", file=str(draw_path)) from exc
    if not isinstance(data, dict):
        raise InvalidInput("a draw record is a JSON object", file=str(draw_path))
    result = verify_draw(draw_from_mapping(data, source=str(draw_path)), _read_calls(calls_path), seed=seed)
    if result.matches:
        click.echo("matches")
        return
    click.echo("differs:")
    for d in result.discrepancies:
        click.echo(f"  {d.kind}: {d.detail}")
    click.get_current_context().exit(1)
