"""``callops simulate``: run a scenario (YAML file) or a single queue from flags, with replications and CIs."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import click

from callops.cli._output import echo_json, echo_table
from callops.cli.erlang import _Interval
from callops.errors import InvalidInput
from callops.services.scenario_runs import single_queue_definition, yaml_definition
from callops.simulation import (
    METRICS,
    OUTBOUND_COUNTS,
    OUTBOUND_METRICS,
    OUTCOME_COUNTS,
    QUEUE_METRICS,
    Estimate,
    IntervalCheck,
    Result,
    Scenario,
    parse_scenario,
    run_scenario,
    single_queue,
)


def register(group: click.Group) -> None:
    group.add_command(simulate)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", file=path) from exc


def _load(path: str) -> Scenario:
    return parse_scenario(_read(path), file=path)


def _save(name: str, scenario: Scenario, definition: dict[str, Any], result: Result, seed: int) -> int:
    """Store one replication as scenario ``name`` (``callops.services.scenario_runs.save_run``); its calls."""
    from callops.cli._context import engine
    from callops.services.scenario_runs import save_run

    with engine().begin() as conn:
        saved = save_run(conn, name, scenario=scenario, definition=definition, result=result, seed=seed,
                         now=dt.datetime.now(dt.UTC))
    return saved.calls


@click.command()
@click.argument("scenario", required=False)
@click.option("--compare", "compare_path", help="A second scenario YAML to run side by side.")
@click.option("--calls", type=click.FloatRange(min=0), help="Single queue: calls offered per interval.")
@click.option("--interval", "interval_s", type=_Interval(), default="30m", show_default=True)
@click.option("--aht", "aht_s", type=click.FloatRange(min=0, min_open=True), help="Single queue: AHT, seconds.")
@click.option("--patience", "patience_s", type=click.FloatRange(min=0, min_open=True),
              help="Single queue: mean patience, seconds (none: no abandonment).")
@click.option("--agents", type=click.IntRange(min=1), help="Single queue: agents logged in.")
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), default=24.0, show_default=True)
@click.option("--sl-time", "sl_time_s", type=click.FloatRange(min=0), default=20.0, show_default=True)
@click.option("--replications", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--plan", "plan_ref",
              help="Simulate the stored staffing plan NAME or NAME@VERSION: its calls, AHT and agents per interval.")
@click.option("--by-interval", is_flag=True, help="With --plan: print every interval, plan against simulation.")
@click.option("--save", "save_name", help="Store one replication's calls and agent intervals as scenario NAME.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def simulate(
    scenario: str | None, compare_path: str | None, calls: float | None, interval_s: float, aht_s: float | None,
    patience_s: float | None, agents: int | None, hours: float, sl_time_s: float, replications: int,
    seed: int, plan_ref: str | None, by_interval: bool, save_name: str | None, as_json: bool,
) -> None:
    """Simulate SCENARIO.yaml, one queue given by --calls/--aht/--agents, or a staffing plan (--plan), and print
    metrics with 95 % CIs."""
    if plan_ref is not None:
        if scenario is not None or compare_path is not None or calls is not None:
            raise click.UsageError("--plan runs alone: no SCENARIO.yaml, --compare or --calls with it")
        _simulate_plan(plan_ref, patience_s, replications, seed, by_interval, save_name, as_json)
        return
    if by_interval:
        raise click.UsageError("--by-interval goes with --plan")
    if scenario is None:
        if calls is None or aht_s is None or agents is None:
            raise click.UsageError("give SCENARIO.yaml, or --calls, --aht and --agents")
        scenarios = [single_queue(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents, hours=hours,
                                  patience_s=patience_s, sl_time_s=sl_time_s)]
        definition = single_queue_definition(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents,
                                             hours=hours, patience_s=patience_s, sl_time_s=sl_time_s)
    else:
        text = _read(scenario)
        scenarios = [parse_scenario(text, file=scenario)]
        definition = yaml_definition(text)
    if compare_path is not None:
        scenarios.append(_load(compare_path))
    results = [run_scenario(s, replications, seed) for s in scenarios]
    if save_name is not None:
        stored = _save(save_name, scenarios[0], definition, results[0], seed)
        if not as_json:
            click.echo(f"saved scenario {save_name}: {stored} calls", err=True)
    if as_json:
        echo_json(results[0].as_dict() if len(results) == 1 else [r.as_dict() for r in results])
        return
    echo_table(_rows(results))


def _rows(results: list[Result]) -> list[dict[str, object]]:
    """One row per metric, then, for scenarios with several queues, one per queue and metric."""
    rows: list[dict[str, object]] = []
    for metric in METRICS:
        row: dict[str, object] = {"metric": metric}
        for r in results:
            row[r.scenario] = _cell(r.metrics[metric])
        rows.append(row)
    for name in OUTCOME_COUNTS:  # counts, the mean per replication
        rows.append({"metric": f"{name} (per replication)",
                     **{r.scenario: f"{r.outcomes.get(name, 0.0):.1f}" for r in results}})
    queues = list(dict.fromkeys(q for r in results if len(r.queues) > 1 for q in r.queues))
    for queue in queues:
        for metric in ("offered", *QUEUE_METRICS):
            row = {"metric": f"{queue}: {metric}"}
            for r in results:
                q = r.queues.get(queue) if len(r.queues) > 1 else None
                if q is None:
                    row[r.scenario] = "-"
                else:
                    row[r.scenario] = f"{q.offered_mean:.1f}" if metric == "offered" else _cell(q.metrics[metric])
            rows.append(row)
    if any(r.outbound is not None for r in results):  # an outbound campaign: its measures, its counts
        rows.extend(_outbound_rows(results))
    return rows


def _outbound_rows(results: list[Result]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"metric": "outbound: pacing", **{r.scenario: r.outbound.pacing if r.outbound else "-" for r in results}}]
    for metric in OUTBOUND_METRICS:
        rows.append({"metric": f"outbound: {metric}",
                     **{r.scenario: _cell(r.outbound.metrics[metric]) if r.outbound else "-" for r in results}})
    rows.append({"metric": "outbound: max_window_abandon_rate",
                 **{r.scenario: f"{r.outbound.max_window_abandon_rate:.4f}" if r.outbound else "-" for r in results}})
    for name in OUTBOUND_COUNTS:
        rows.append({"metric": f"outbound: {name} (per replication)",
                     **{r.scenario: f"{r.outbound.counts[name]:.1f}" if r.outbound else "-" for r in results}})
    return rows


def _cell(e: Estimate) -> str:
    return f"{e.mean:.4f} [{e.ci95[0]:.4f}, {e.ci95[1]:.4f}]"


def _simulate_plan(ref: str, patience_s: float | None, replications: int, seed: int, by_interval: bool,
                   save_name: str | None, as_json: bool) -> None:
    from callops.cli import _context
    from callops.services.plan_check import check_plan, plan_check_json
    from callops.services.workforce import load_plan_ref

    with _context.engine().connect() as conn:
        plan = load_plan_ref(conn, ref)
    check = check_plan(plan, replications=replications, seed=seed, patience_s=patience_s)
    zone = zoneinfo.ZoneInfo(_context.settings().site_tz)
    if save_name is not None:
        stored = _save(save_name, check.scenario, {"plan": ref, "patience_s": patience_s}, check.result, seed)
        if not as_json:
            click.echo(f"saved scenario {save_name}: {stored} calls", err=True)
    if as_json:
        echo_json(plan_check_json(check, tz=zone))
        return
    click.echo(f"plan {plan.name}@{plan.version}: {len(check.intervals)} intervals, {replications} replications, "
               f"seed {seed}")
    echo_table(_rows([check.result]))
    click.echo(f"intervals below the {plan.targets.service_level:.0%} service-level target in simulation: "
               f"{check.intervals_short} of {check.intervals_with_calls} with calls, {check.intervals_clearly_short} "
               f"clearly (the whole 95 % interval below)")
    if by_interval:
        echo_table([_check_row(c, zone) for c in check.intervals])


def _check_row(c: IntervalCheck, zone: zoneinfo.ZoneInfo) -> dict[str, object]:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    return {"start": c.start_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), "calls": f"{c.calls:.1f}",
            "agents": c.agents, "SL plan": pct(c.service_level_plan), "SL sim": pct(c.service_level_sim),
            "SL sim 95%": "-" if c.service_level_ci95 is None
            else f"[{c.service_level_ci95[0]:.1%}, {c.service_level_ci95[1]:.1%}]",
            "ASA plan s": f"{c.asa_s_plan:.1f}",
            "ASA sim s": "-" if c.asa_s_sim is None else f"{c.asa_s_sim:.1f}",
            "abandon plan": pct(c.p_abandon_plan), "abandon sim": pct(c.p_abandon_sim),
            "short": "clearly" if c.clearly_short else "yes" if c.short else ""}
