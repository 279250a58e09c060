"""``callops live``: the live-floor group and its PBX feeds (``follow``, ``ami``, ``esl``).

Other modules add to the group with ``EXTENDS = "live"`` (``live_practice``), through ``_live_group``.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import click

from callops.cli import _context
from callops.cli._live_group import live_zone, stop_on_signals
from callops.errors import InvalidInput
from callops.feeds.bus import bus_for
from callops.feeds.queue_log_follower import QueueLogFollower
from callops.feeds.socket_feed import SocketFeed

FOLLOW_FORMATS = ("asterisk-queue-log",)


def register(group: click.Group) -> None:
    group.add_command(live)


@click.group("live")
def live() -> None:
    """The live floor: follow PBX feeds (queue_log, AMI, FreeSWITCH), route calls as the ACD, run the practice floor."""


@click.command("follow")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(FOLLOW_FORMATS), help="Format of the file.")
@click.option("--tz", default=None, help="Zone of local clock times in the file (default: the site's zone; "
                                          "queue_log epochs are UTC whatever it says).")
@click.option("--poll", "poll_s", default=0.2, show_default=True, type=click.FloatRange(0.01, 10.0),
              help="Seconds between looks at the file when it does not grow.")
@click.option("--batch-lines", default=2000, show_default=True, type=click.IntRange(1, 100_000),
              help="Lines per transaction at most while catching up.")
@click.option("--exit-when-idle", "idle_exit_s", default=None, type=click.FloatRange(0.1, 86_400.0),
              help="Stop after the file has not grown for this many seconds (scripts; default: run until stopped).")
def follow(file: Path, fmt: str, tz: str | None, poll_s: float, batch_lines: int, idle_exit_s: float | None) -> None:
    """Follow FILE as it grows: live events and, as each call ends, its record (as `callops import` writes it).

    Runs until stopped (Ctrl-C or SIGTERM); started again it resumes after the last line it wrote.
    """
    settings = _context.settings()
    zone = live_zone(tz, settings.site_tz)
    stop = stop_on_signals()
    bus = bus_for(settings.redis_url, settings.database_url)
    follower = QueueLogFollower(_context.engine(), file, tz=zone, bus=bus, poll_s=poll_s, batch_lines=batch_lines,
                                stop=stop, idle_exit_s=idle_exit_s,
                                on_problem=lambda message: click.echo(f"{file}: {message}", err=True))
    click.echo(f"following {file} ({fmt}); stop with Ctrl-C", err=True)
    try:
        position = follower.run()
    finally:
        bus.close()
    if position is not None:
        click.echo(f"stopped at byte {position.offset} (line {position.lines}): {position.calls} calls, "
                   f"{position.intervals} agent intervals, {position.events} live events written; "
                   f"{position.skipped} unknown events skipped, {position.rejected} lines rejected")


def _address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInput(f"{value!r} is not HOST:PORT", field="ADDRESS")
    return host, int(port)


def _run_feed(feed: SocketFeed) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, feed.stop.set)
        await feed.run()

    click.echo(f"following {feed.feed}; stop with Ctrl-C", err=True)
    asyncio.run(main())
    p = feed.position
    click.echo(f"stopped: {p.lines} events read, {p.calls} calls and {p.events} live events written, "
               f"{feed.reconnects} reconnects")


@click.command("ami")
@click.argument("address")
@click.option("--username", required=True, help="The AMI user (manager.conf) with read=agent at least.")
@click.option("--secret", required=True, envvar="CALLOPS_AMI_SECRET", show_envvar=True, help="Its secret.")
def ami(address: str, username: str, secret: str) -> None:
    """Follow Asterisk queue events over AMI at ADDRESS (HOST:PORT, usually :5038) until stopped."""
    from callops.feeds.ami import AmiFeed

    host, port = _address(address)
    bus = bus_for(_context.settings().redis_url, _context.settings().database_url)
    try:
        _run_feed(AmiFeed(_context.engine(), host, port, username=username, secret=secret, bus=bus))
    finally:
        bus.close()


@click.command("esl")
@click.argument("address")
@click.option("--password", required=True, envvar="CALLOPS_ESL_PASSWORD", show_envvar=True,
              help="The event socket password (event_socket.conf.xml).")
def esl(address: str, password: str) -> None:
    """Follow FreeSWITCH mod_callcenter events over the Event Socket at ADDRESS (HOST:PORT, usually :8021)."""
    from callops.feeds.event_socket import CallcenterFeed

    host, port = _address(address)
    bus = bus_for(_context.settings().redis_url, _context.settings().database_url)
    try:
        _run_feed(CallcenterFeed(_context.engine(), host, port, password=password, bus=bus))
    finally:
        bus.close()


for _command in (follow, ami, esl):
    live.add_command(_command)
