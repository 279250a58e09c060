"""`callops erlang` and `callops staffing`: the acceptance numbers, JSON and table output, bad values."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from callops.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_json(*args: str) -> dict[str, float]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    out: dict[str, float] = json.loads(result.output)
    return out


def test_erlang_c_thirteen_agents() -> None:
    """`erlang` with 13 agents prints P(wait) 0.2852705 and service level 0.7955948 (within 1e-6)."""
    out = run_json(
        "erlang", "--calls", "100", "--interval", "30m", "--aht", "180", "--agents", "13", "--sl-time", "20"
    )
    assert set(out) == {"p_wait", "service_level", "asa_s", "occupancy"}
    assert abs(out["p_wait"] - 0.2852705) < 1e-6 and abs(out["service_level"] - 0.7955948) < 1e-6


def test_erlang_a_fourteen_agents() -> None:
    """`erlang --patience 300` with 14 agents: P(wait) 0.14526, abandon 0.013984, service level 0.916792."""
    out = run_json(
        "erlang",
        "--calls",
        "100",
        "--interval",
        "30m",
        "--aht",
        "180",
        "--patience",
        "300",
        "--agents",
        "14",
        "--sl-time",
        "20",
    )
    assert abs(out["p_wait"] - 0.14526) < 2e-5
    assert abs(out["p_abandon"] - 0.013984) < 2e-6
    assert abs(out["service_level"] - 0.916792) < 2e-6


def test_staffing_eighty_twenty() -> None:
    """`staffing --sl 0.8 --sl-time 20 --shrinkage 0.3` gives 14 agents and 20 scheduled, p_abandon 0."""
    out = run_json(
        "staffing",
        "--calls",
        "100",
        "--interval",
        "30m",
        "--aht",
        "180",
        "--sl",
        "0.8",
        "--sl-time",
        "20",
        "--shrinkage",
        "0.3",
    )
    assert (out["agents"], out["scheduled"], out["p_abandon"]) == (14, 20, 0.0)
    assert {"service_level", "asa_s", "p_wait", "occupancy"} <= set(out)


def test_staffing_reports_recovery_cost() -> None:
    """With distressing calls and recovery time the output adds the agents recovery costs."""
    out = run_json(
        "staffing",
        "--calls",
        "800",
        "--interval",
        "1h",
        "--aht",
        "300",
        "--sl",
        "0.8",
        "--distressing-share",
        "0.3",
        "--recovery",
        "120",
        "--patience",
        "240",
        "--max-abandon",
        "0.05",
    )
    assert out["effective_aht_s"] == 336
    assert out["recovery_agents"] == out["agents"] - out["agents_without_recovery"] > 0


def test_interval_lengths() -> None:
    """--interval 60m and 1h mean the same; 15m quarters the calls' span."""
    hour = run_json("erlang", "--calls", "200", "--interval", "1h", "--aht", "180", "--agents", "13")
    assert hour == run_json("erlang", "--calls", "200", "--interval", "60m", "--aht", "180", "--agents", "13")
    quarter = run_json("erlang", "--calls", "50", "--interval", "15m", "--aht", "180", "--agents", "13")
    assert quarter["occupancy"] == pytest.approx(10 / 13)


def test_table_output() -> None:
    """Without --json a titled table names the model and each metric."""
    result = run("erlang", "--calls", "100", "--aht", "180", "--agents", "13")
    assert result.exit_code == 0
    assert "erlang c: 13 agents, 10.00 Erlangs offered" in result.output and "service_level" in result.output


def test_understaffed_asa_is_null() -> None:
    """Too few agents for Erlang C give an ASA of null in JSON (no infinity)."""
    out = run_json("erlang", "--calls", "100", "--aht", "180", "--agents", "9")
    assert out["asa_s"] is None and out["service_level"] == 0.0


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["erlang", "--calls", "100", "--interval", "7x", "--aht", "180", "--agents", "3"], "--interval"),
        (["erlang", "--calls", "100", "--aht", "0", "--agents", "3"], "--aht"),
        (["erlang", "--calls", "-5", "--aht", "180", "--agents", "3"], "--calls"),
        (["staffing", "--calls", "100", "--aht", "180", "--sl", "1.5"], "--sl"),
        (
            ["staffing", "--calls", "100", "--aht", "180", "--sl", "0.8", "--max-abandon", "0.05"],
            "--max-abandon",
        ),
        (["staffing", "--calls", "100", "--aht", "180", "--sl", "0.8", "--shrinkage", "1"], "--shrinkage"),
        (["staffing", "--calls", "100", "--aht", "180", "--sl", "0.8", "--recovery", "90"], "--recovery"),
        (["staffing", "--calls", "100", "--aht", "180"], "--sl"),
    ],
)
def test_bad_values_name_the_option(args: list[str], option: str) -> None:
    """A bad value exits with status 2 and a message naming the option."""
    result = run(*args)
    assert result.exit_code == 2
    assert option in result.output
