"""``callops live practice``: the practice floor, a scenario simulated on the wall clock as live events."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from callops.cli import _context
from callops.cli._live_group import live_group, stop_on_signals
from callops.errors import InvalidInput
from callops.feeds.bus import PgNotifyBus, RedisBus, bus_for, wake_bus
from callops.feeds.event_log_sink import EventLogSink
from callops.live.events import EventSink, LiveEvent
from callops.simulation import Scenario, parse_scenario
from callops.simulation.realtime import MAX_SPEED, run_practice

EXTENDS = "live"  # loaded right after cli/live.py, which adds the group


def register(group: click.Group) -> None:
    live_group(group).add_command(practice)


class _Duration(click.ParamType[float]):
    """A simulated duration such as 90s, 30m or 2h (a bare number is seconds), as seconds."""

    name = "duration"
    _pattern = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|min|h)?$")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        match = self._pattern.match(str(value).strip().lower())
        if not match or float(match.group(1)) <= 0:
            self.fail(f"{value!r} is not a duration like 90s, 30m or 2h", param, ctx)
        unit = match.group(2) or "s"
        return float(match.group(1)) * {"s": 1, "m": 60, "min": 60, "h": 3600}[unit]


def event_json(event: LiveEvent) -> dict[str, Any]:
    """One live event as a JSON object: every field, ``at`` in ISO 8601 UTC."""
    return {"kind": event.kind.value, "at": event.at.isoformat(), "source": event.source, "call_id": event.call_id,
            "queue": event.queue, "agent": event.agent, "caller": event.caller, "state": event.state,
            "reason": event.reason, "data": dict(event.data)}


def jsonl_sink(stream: Any) -> EventSink:
    """Write each event as one JSON line to ``stream``, flushed, so a reader sees it at once."""
    def write(event: LiveEvent) -> None:
        stream.write(json.dumps(event_json(event), ensure_ascii=False) + "\n")
        stream.flush()
    return write


def _fan_out(sinks: list[EventSink]) -> EventSink:
    """One sink handing each event to every sink in order (none: events are counted only)."""
    def hand(event: LiveEvent) -> None:
        for sink in sinks:
            sink(event)
    return hand


@click.command()
@click.option("--scenario", "scenario_path", required=True, type=click.Path(dir_okay=False),
              help="The scenario YAML (as for `callops simulate`).")
@click.option("--speed", type=click.FloatRange(min=1, max=MAX_SPEED), default=1.0, show_default=True,
              help="Simulated seconds per wall-clock second (1 to 60).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--until", "until_s", type=_Duration(),
              help="Stop after this much simulated time (90s, 30m, 2h); default: when the day's last call is over.")
@click.option("--start", "start_text",
              help="Simulated start, ISO 8601 with a zone (default: now); event times count from it.")
@click.option("--jsonl/--no-jsonl", default=False, show_default=True,
              help="Print each live event as a JSON line on stdout.")
@click.option("--log/--no-log", "to_log", default=True, show_default=True,
              help="Append each live event to the event log, so the wallboard (/live) shows the floor.")
@click.option("--router", type=click.Choice(["simulator", "live"]), default="simulator", show_default=True,
              help="simulator: the simulator routes the calls; live: the practice floor plays only the PBX and the "
                   "people, and `callops live route` (run it with --wrap-up manual) routes them.")
@click.option("--add-to-directory", is_flag=True,
              help="With --router live: add the scenario's queues and agents the directory lacks (the router "
                   "routes to the directory's agents).")
def practice(scenario_path: str, speed: float, seed: int, until_s: float | None, start_text: str | None,
             jsonl: bool, to_log: bool, router: str, add_to_directory: bool) -> None:
    """Run SCENARIO on the wall clock (the practice floor): its live events go to the event log (the
    wallboard shows them) and, with --jsonl, to stdout; a summary goes to stderr at the end (or on Ctrl-C).

    With --router live, `callops live route` decides who takes each call: the floor offers the calls, logs the
    agents in and out, and answers each call the router rings an agent for."""
    try:
        text = Path(scenario_path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", file=scenario_path) from exc
    scenario = parse_scenario(text, file=scenario_path)
    start_at = None
    if start_text is not None:
        try:
            start_at = dt.datetime.fromisoformat(start_text)
        except ValueError as exc:
            raise click.BadParameter(f"{start_text!r} is not an ISO 8601 time", param_hint="--start") from exc
        if start_at.tzinfo is None:
            raise click.BadParameter("give the time zone, e.g. 2026-01-05T09:00+08:00", param_hint="--start")
    if router == "live":
        if not to_log:
            raise click.BadParameter("the router reads the event log: --router live needs --log", param_hint="--no-log")
        _through_router(scenario, speed=speed, seed=seed, until_s=until_s, start_at=start_at, jsonl=jsonl,
                        add=add_to_directory)
        return
    if add_to_directory:
        raise click.BadParameter("only with --router live", param_hint="--add-to-directory")
    sinks: list[EventSink] = [jsonl_sink(sys.stdout)] if jsonl else []
    bus = bus_for(_context.settings().redis_url, _context.settings().database_url) if to_log else None
    if bus is not None:
        sinks.append(EventLogSink(_context.engine(), bus))
    try:
        run = run_practice(scenario, _fan_out(sinks), speed=speed, seed=seed, until_s=until_s, start_at=start_at)
    except KeyboardInterrupt:
        click.echo("practice floor stopped", err=True)
        return
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, stdout pointed at nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    finally:
        if bus is not None:
            bus.close()
    click.echo(f"practice floor: {run.events} events over {run.simulated_s:.0f} simulated seconds at x{speed:g}, "
               f"at worst {run.late_s:.3f} s late", err=True)


def _through_router(scenario: Scenario, *, speed: float, seed: int, until_s: float | None,
                    start_at: dt.datetime | None, jsonl: bool, add: bool) -> None:
    """The practice floor as the PBX and the people, routed by `callops live route` (another process)."""
    from callops.services.practice_floor import check_directory, run_practice_pbx

    settings = _context.settings()
    engine = _context.engine()
    with engine.begin() as conn:
        queues, agents = check_directory(conn, scenario, add=add)
    if queues or agents:
        click.echo(f"added {queues} queues and {agents} agents to the directory", err=True)
    bus = wake_bus(settings.redis_url, settings.database_url)
    if isinstance(bus, PgNotifyBus):
        bus.start()
    stop = stop_on_signals()
    click.echo(f"practice floor x{speed:g}: the PBX and the people of {scenario.name}; `callops live route` "
               f"routes (" + ("woken by " + ("Redis" if isinstance(bus, RedisBus) else "PostgreSQL NOTIFY")
                               if bus is not None else "polling the log") + ")", err=True)
    try:
        run = run_practice_pbx(engine, scenario, speed=speed, seed=seed, until_s=until_s, start_at=start_at, bus=bus,
                               also=jsonl_sink(sys.stdout) if jsonl else None, stop=stop.is_set)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    finally:
        if bus is not None:
            bus.close()
    c = run.counts
    click.echo(f"practice floor: {run.events} events over {run.simulated_s:.0f} simulated seconds at x{speed:g}; "
               f"{c.offered} calls offered, {c.rung} rung by the router, {c.answered} answered, {c.ended} ended, "
               f"{c.abandoned} abandoned, {c.timed_out} timed out, {c.open} still open; "
               f"{run.decisions_read} router events read", err=True)
    for what, count in sorted(c.not_acted_on.items()):
        click.echo(f"  {count} decisions {what}", err=True)
