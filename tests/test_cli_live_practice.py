"""Tests for ``callops live practice`` and the shared ``live`` group."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli, live_practice
from callops.cli._live_group import live_group
from callops.cli.live_practice import event_json
from callops.live.events import LiveEventKind
from callops.store.live_events import events_after

BANK = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "bank.yaml"


def test_practice_prints_live_events_as_json_lines() -> None:
    """Thirty simulated seconds at x60: JSON lines of known kinds at the given start, a summary on stderr."""
    result = CliRunner().invoke(cli, ["live", "practice", "--scenario", str(BANK), "--speed", "60", "--until", "30s",
                                      "--seed", "3", "--start", "2026-01-05T09:00+08:00", "--jsonl", "--no-log"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {LiveEventKind(e["kind"]) for e in lines} >= {LiveEventKind.AGENT_STATE, LiveEventKind.CALL_OFFERED}
    assert lines[0]["at"] == "2026-01-05T01:00:00+00:00" and lines[0]["source"].startswith("sim:practice:bank:")
    assert all(e["at"] <= "2026-01-05T01:00:30+00:00" for e in lines)
    assert f"{len(lines)} events over 30 simulated seconds" in result.stderr


def test_practice_feeds_the_event_log_the_wallboard_reads(engine: sa.Engine, db_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """By default the practice floor appends its events to the event log: the same events it prints, in order."""
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    args = ["live", "practice", "--scenario", str(BANK), "--speed", "60", "--until", "20s", "--seed", "5",
            "--start", "2026-01-05T09:00+08:00"]
    printed = CliRunner().invoke(cli, [*args, "--jsonl", "--no-log"])
    logged = CliRunner().invoke(cli, args)
    assert printed.exit_code == 0 and logged.exit_code == 0, logged.output
    assert logged.stdout == ""
    with engine.connect() as conn:
        stored = [event_json(e) for _id, e in events_after(conn, 0)]
    assert stored == [_to_ms(json.loads(line)) for line in printed.stdout.splitlines()] and stored


def _to_ms(event: dict[str, object]) -> dict[str, object]:
    """The event as the log keeps it: times to the millisecond."""
    at = dt.datetime.fromisoformat(str(event["at"]))
    return {**event, "at": at.replace(microsecond=at.microsecond // 1000 * 1000).isoformat()}


def test_practice_refuses_a_bad_speed_or_start() -> None:
    """A speed over 60 and a start without a zone are usage errors naming the option."""
    runner = CliRunner()
    fast = runner.invoke(cli, ["live", "practice", "--scenario", str(BANK), "--speed", "100"])
    assert fast.exit_code == 2 and "--speed" in fast.output
    naive = runner.invoke(cli, ["live", "practice", "--scenario", str(BANK), "--start", "2026-01-05T09:00"])
    assert naive.exit_code == 2 and "--start" in naive.output
    missing = runner.invoke(cli, ["live", "practice", "--scenario", "no-such.yaml"])
    assert missing.exit_code == 1 and "no-such.yaml" in missing.output


def test_live_group_is_shared_whatever_the_order() -> None:
    """Another module's live command and practice end up in one live group, added first or second."""
    @click.command("follow")
    def follow() -> None:
        """Stands for another live command."""

    def other(root: click.Group) -> None:
        live_group(root).add_command(follow)

    for order in ("other first", "practice first"):
        root = click.Group("root")
        steps = [other, live_practice.register]
        for step in steps if order == "other first" else steps[::-1]:
            step(root)
        group = root.commands["live"]
        assert isinstance(group, click.Group) and set(group.commands) == {"follow", "practice"}, order


def test_a_second_root_gets_its_own_live_group() -> None:
    """Registering onto another root leaves callops's own live group as it was."""
    root = click.Group("root")
    live_group(root).add_command(click.Command("other"))
    live = cli.commands["live"]
    assert isinstance(live, click.Group) and "other" not in live.commands and "practice" in live.commands
