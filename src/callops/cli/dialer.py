"""``callops dialer simulate``: outbound pacing side by side (progressive, VICIdial-style adaptive, callops)."""

from __future__ import annotations

import click

from callops.cli._output import echo_json, echo_table
from callops.dialer import PACINGS, OutboundSetup, simulate_pacing
from callops.dialer.outbound_sim import MAX_AGENTS, MAX_HOURS
from callops.dialer.pacing_runs import MAX_REPLICATIONS
from callops.errors import InvalidInput

_SHARE = click.FloatRange(min=0, max=1)
MAX_AGENT_HOURS_X_REPS = 200_000


def register(group: click.Group) -> None:
    group.add_command(dialer)


@click.group()
def dialer() -> None:
    """Outbound dialing: pacing simulations."""


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
