"""``callops campaign dial``: progressive dialing of a stored campaign through the switch adapter."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click

from callops.cli._context import engine
from callops.cli._live_group import stop_on_signals
from callops.cli._outbound_input import read_text
from callops.dialer import PolicyError, china_default, load_policy
from callops.errors import InvalidInput
from callops.store.campaigns import get_campaign

__all__ = ["register"]

EXTENDS = "campaign"  # loaded right after callops.cli.campaign, whose group this module adds to


def register(group: click.Group) -> None:
    campaign = group.commands.get("campaign")
    if not isinstance(campaign, click.Group):
        raise RuntimeError("the campaign command group must be registered before campaign_dial")
    campaign.add_command(dial)


def _agents(text: str) -> list[str]:
    agents = [a.strip() for a in text.split(",") if a.strip()]
    if not agents or len(agents) > 1000 or len(set(agents)) != len(agents):
        raise InvalidInput("a comma-separated list of 1..1000 different agent ids", field="--agents")
    return agents


@click.command("dial")
@click.argument("name")
@click.option("--agents", "agents_text", required=True, help="Comma-separated agent ids dialing for the campaign.")
@click.option(
    "--mode",
    type=click.Choice(["progressive", "preview", "predictive"]),
    default=None,
    help="Default: the campaign's own mode (campaign create --mode). progressive: one call per idle agent; "
    "preview: the agent sees the contact on their page (/live/agent) "
    "and accepts (dial) or skips; predictive: callops' pacer within the campaign's abandon cap.",
)
@click.option(
    "--switch",
    "switch_url",
    default="sim://",
    show_default=True,
    envvar="CALLOPS_SWITCH",
    help="ami://USER:SECRET@HOST:PORT (Asterisk Originate), esl://:PASSWORD@HOST:PORT (FreeSWITCH "
    "bgapi originate) or sim:// (the simulator, no telephony).",
)
@click.option(
    "--destination",
    default="PJSIP/{phone}@trunk",
    show_default=True,
    help="The channel (AMI) or dial string (ESL) that calls a contact; {phone} is E.164 without '+'.",
)
@click.option(
    "--agent-context", default="agents", show_default=True, help="Dialplan context of the agents' extensions."
)
@click.option(
    "--agent-exten",
    default="{agent}",
    show_default=True,
    help="The extension that reaches an agent; {agent} is the agent id.",
)
@click.option(
    "--ring-time",
    "ring_s",
    type=click.FloatRange(15, 120),
    default=30.0,
    show_default=True,
    help="Seconds each call rings before it counts as no answer (at least 15).",
)
@click.option(
    "--hold-exten",
    default="callops-hold",
    show_default=True,
    help="predictive: where an answered call waits for an agent (in --hold-context).",
)
@click.option("--hold-context", default="callops", show_default=True, help="predictive: the hold extension's context.")
@click.option(
    "--message",
    "message_sound",
    default="callops-abandon",
    show_default=True,
    help="predictive: the recorded message a call no agent took within 2 s hears (FreeSWITCH plays it; on Asterisk "
    "the originate sets it as ${CALLOPS_MESSAGE} for the message extension's dialplan).",
)
@click.option(
    "--message-exten",
    default="callops-message",
    show_default=True,
    help="predictive, Asterisk: the extension (in --hold-context) that plays ${CALLOPS_MESSAGE} and hangs up.",
)
@click.option(
    "--preview-timeout",
    "preview_timeout_s",
    type=click.FloatRange(5, 3600),
    default=None,
    help="preview: dial the contact anyway when the agent has neither accepted nor skipped after this many "
    "seconds (default: wait for the agent).",
)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Contact policy YAML (default: the China default).",
)
@click.option("--max-calls", type=click.IntRange(1, 1_000_000), default=None, help="Stop after this many dials.")
@click.option(
    "--exit-after",
    "exit_after_s",
    type=click.FloatRange(0.1, 86_400),
    default=None,
    help="Stop after this many seconds (default: when no contact is left and no call rings).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per dial, then a summary object.")
def dial(
    name: str,
    agents_text: str,
    mode: str | None,
    switch_url: str,
    destination: str,
    agent_context: str,
    agent_exten: str,
    ring_s: float,
    hold_exten: str,
    hold_context: str,
    message_sound: str,
    message_exten: str,
    preview_timeout_s: float | None,
    policy_path: Path | None,
    max_calls: int | None,
    exit_after_s: float | None,
    as_json: bool,
) -> None:
    """Dial campaign NAME for the agents ready in the live log, each contact allowed by the contact policy and the
    retry rules at the moment it is dialed, ringing at least 15 s. No answer, busy, failures and abandons are
    recorded as attempts; a connected call's disposition is the agent's to record (campaign attempts). Preview: a
    skipped contact is not dialed and not counted as a contact. Predictive: an answered call no agent takes within
    2 s hears the message and is recorded as abandoned (the 72 h quiet period applies)."""
    from callops.services.campaign_dial import DialSettings, run_progressive
    from callops.services.dial_predictive import run_predictive
    from callops.services.dial_preview import run_preview
    from callops.services.switch_runner import SwitchRunner, switch_from_url

    try:
        policy = load_policy(read_text(policy_path)) if policy_path else china_default()
    except PolicyError as exc:
        raise InvalidInput(exc.reason, file=str(policy_path), field=exc.field) from None
    settings = DialSettings(
        campaign=name,
        agents=_agents(agents_text),
        policy=policy,
        destination=destination,
        agent_context=agent_context,
        agent_exten=agent_exten,
        ring_s=ring_s,
        max_calls=max_calls,
        hold_context=hold_context,
        hold_exten=hold_exten,
        message_context=hold_context,
        message_exten=message_exten,
        message_sound=message_sound,
        preview_timeout_s=preview_timeout_s,
    )
    if mode is None:
        with engine().connect() as conn:
            mode = get_campaign(conn, name).mode
    transport = switch_from_url(switch_url)
    stop = stop_on_signals()
    if exit_after_s is not None:
        timer = threading.Timer(exit_after_s, stop.set)
        timer.daemon = True
        timer.start()

    def report(row: dict[str, object]) -> None:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(
                f"{row['at']} {row['agent'] or '-'} -> {row['member']} ({row['phone']}): {row['outcome']}"
                + ("" if row["outcome"] == "connected" else f" {row['detail']}"),
                err=False,
            )

    click.echo(
        f"dialing {name} ({mode}) on {transport.name} for {len(settings.agents)} agents; stop with Ctrl-C", err=True
    )
    runner = SwitchRunner(transport)
    try:
        dialer = {"progressive": run_progressive, "preview": run_preview, "predictive": run_predictive}[mode]
        run = dialer(engine(), runner, settings, stop=stop.is_set, report=report)
    finally:
        runner.close()
    summary = {
        "dials": run.dials,
        "outcomes": dict(sorted(run.outcomes.items())),
        "connected_per_agent": dict(sorted(run.connected.items())),
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(
            f"{run.dials} dials: "
            + (", ".join(f"{k} {v}" for k, v in sorted(run.outcomes.items())) or "no contact allowed now")
        )
    if run.stopped_by is not None:
        raise InvalidInput(f"the PBX refused the log-in ({run.stopped_by}); nothing more was dialed", field="--switch")
