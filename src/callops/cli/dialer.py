"""``callops dialer simulate``: outbound pacing side by side (progressive, VICIdial-style adaptive, callops);
``callops dialer blended``: the same pacings for a campaign on the routing core, with inbound calls."""

from __future__ import annotations

import dataclasses

import click

from callops.cli._output import echo_json, echo_table
from callops.dialer import PACINGS, OutboundSetup, simulate_pacing
from callops.dialer.outbound_sim import MAX_AGENTS, MAX_HOURS
from callops.dialer.pacing_runs import MAX_REPLICATIONS
from callops.errors import InvalidInput

_SHARE = click.FloatRange(min=0, max=1)
MAX_AGENT_HOURS_X_REPS = 200_000
MAX_BLENDED_REPLICATIONS = 200
MAX_BLENDED_HOURS_X_REPS = 20_000  # simulated hours over all replications and pacings


def register(group: click.Group) -> None:
    group.add_command(dialer)


@click.group()
def dialer() -> None:
    """Outbound dialing: pacing simulations (outbound only, and blended with inbound)."""


@dialer.command("simulate")
@click.option("--agents", type=click.IntRange(1, MAX_AGENTS), required=True, help="Agents on the campaign.")
@click.option("--hours", type=click.FloatRange(0, MAX_HOURS, min_open=True), required=True,
              help="Length of the shift, hours.")
@click.option("--aht", "aht_s", type=click.FloatRange(0, 7200, min_open=True), required=True,
              help="Mean handle time (talk + wrap), seconds.")
@click.option("--connect-rate", type=click.FloatRange(0, 1, min_open=True), required=True,
              help="Share of dials a live person answers.")
@click.option("--machine-rate", type=_SHARE, default=0.0, show_default=True,
              help="Share of dials an answering machine answers.")
@click.option("--pacing", type=click.Choice(PACINGS), required=True,
              help="progressive (a line per idle agent), adaptive (VICIdial ADAPT_HARD_LIMIT) or callops.")
@click.option("--abandon-cap", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.03,
              show_default=True, help="Abandoned share of live answers allowed per rolling 24 h window.")
@click.option("--ring", "ring_s", type=click.FloatRange(15, 120), default=20.0, show_default=True,
              help="Ring time before an unanswered dial is released, seconds (at least 15).")
@click.option("--window-hours", type=click.FloatRange(1, 720), default=24.0, show_default=True,
              help="Length of the rolling abandon window, hours (24: Ofcom; 720: the US 30 days).")
@click.option("--replications", type=click.IntRange(1, MAX_REPLICATIONS), default=10, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def simulate(agents: int, hours: float, aht_s: float, connect_rate: float, machine_rate: float, pacing: str,
             abandon_cap: float, ring_s: float, window_hours: float, replications: int, seed: int,
             as_json: bool) -> None:
    """Simulate outbound shifts and print abandon rate, worst 24 h window, talk share and connects per hour.

    An abandon is a live answer not connected to an agent within 2 s. The worst window is over full rolling
    windows (--window-hours, 24 by default), or the whole run when it is shorter than the window.
    """
    if connect_rate + machine_rate > 1:
        raise InvalidInput("connect rate plus machine rate is more than 1", field="--machine-rate")
    if agents * hours * replications > MAX_AGENT_HOURS_X_REPS:
        raise InvalidInput(f"agents x hours x replications is more than {MAX_AGENT_HOURS_X_REPS}; run fewer",
                           field="--replications")
    setup = OutboundSetup(agents=agents, hours=hours, aht_s=aht_s, connect_rate=connect_rate,
                          machine_rate=machine_rate, ring_timeout_s=ring_s, window_s=window_hours * 3600.0)
    summary = simulate_pacing(setup, pacing=pacing, abandon_cap=abandon_cap, replications=replications, seed=seed)
    out = summary.as_dict()
    if as_json:
        echo_json(out)
        return
    echo_table([{
        "pacing": pacing,
        "abandon_rate": summary.abandon_rate.mean,
        "abandon_rate_max": summary.abandon_rate_max,
        "max_window_abandon_rate": summary.max_window_abandon_rate,
        "agent_talk_share": summary.agent_talk_share.mean,
        "connects_per_agent_hour": summary.connects_per_agent_hour.mean,
    }])


@dialer.command("blended")
@click.argument("scenario_file", metavar="SCENARIO.yaml")
@click.option("--pacing", "pacings", type=click.Choice(PACINGS), multiple=True,
              help="Pacing to run (repeat for several); default: all three, side by side.")
@click.option("--replications", type=click.IntRange(1, MAX_BLENDED_REPLICATIONS), default=10, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: one object per pacing.")
def blended(scenario_file: str, pacings: tuple[str, ...], replications: int, seed: int, as_json: bool) -> None:
    """Run a scenario with an outbound campaign (its `outbound:` mapping) under each pacing on the same seeds:
    inbound service level, ASA and abandonment beside the campaign's abandon rate (with the AMD false-positive
    estimate), its worst rolling window, the agents' talk share and connects per agent hour."""
    from pathlib import Path

    from callops.simulation import parse_scenario, run_scenario

    try:
        text = Path(scenario_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", file=scenario_file) from exc
    scenario = parse_scenario(text, file=scenario_file)
    campaign = scenario.outbound
    if campaign is None:
        raise InvalidInput("the scenario has no outbound campaign (an `outbound:` mapping)", file=scenario_file,
                           field="outbound")
    if scenario.interval_s * scenario.intervals / 3600.0 * replications * len(pacings or PACINGS) > \
            MAX_BLENDED_HOURS_X_REPS:
        raise InvalidInput(f"hours x replications x pacings is more than {MAX_BLENDED_HOURS_X_REPS}; run fewer",
                           field="--replications")
    results = []
    for pacing in pacings or PACINGS:
        variant = dataclasses.replace(scenario, outbound=campaign.with_pacing(pacing))
        results.append(run_scenario(variant, replications, seed))
    if as_json:
        echo_json([{"pacing": r.outbound.pacing if r.outbound else None, **r.as_dict()} for r in results])
        return
    rows = []
    for r in results:
        out = r.outbound
        assert out is not None  # every variant has the campaign
        rows.append({
            "pacing": out.pacing,
            "inbound SL": round(r.metrics["service_level"].mean, 4),
            "ASA s": round(r.metrics["asa_s"].mean, 2),
            "inbound abandon": round(r.metrics["p_abandon"].mean, 4),
            "outbound abandon": round(out.metrics["abandon_rate"].mean, 4),
            "max": round(out.abandon_rate_max, 4),
            f"worst {out.window_h:g} h window": round(out.max_window_abandon_rate, 4),
            "AMD false positives": round(out.counts["amd_false_positives"], 1),
            "talk share": round(out.metrics["agent_talk_share"].mean, 4),
            "outbound share": round(out.metrics["outbound_talk_share"].mean, 4),
            "connects/agent h": round(out.metrics["connects_per_agent_hour"].mean, 2),
        })
    echo_table(rows)
