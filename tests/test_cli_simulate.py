"""Tests for ``callops simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
FLAGS = ["simulate", "--calls", "100", "--interval", "30m", "--aht", "180", "--patience", "300", "--agents", "14",
         "--hours", "24", "--replications", "10", "--seed", "11", "--json"]


def test_flags_are_deterministic_and_match_erlang_a() -> None:
    """The same seed prints identical JSON, and Erlang A's values lie inside the CIs."""
    runner = CliRunner()
    first, second = runner.invoke(cli, FLAGS), runner.invoke(cli, FLAGS)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    data = json.loads(first.output)
    for metric, theory in {"p_wait": 0.14526, "p_abandon": 0.013984, "service_level": 0.916792}.items():
        lo, hi = data[metric]["ci95"]
        assert lo <= theory <= hi
    # no capacity, maximum wait, callbacks or IVR in this queue: reported, and zero
    assert [data[f"{k}_mean"] for k in ("timeout", "callback", "ivr_self_service", "ivr_hangup")] == [0.0] * 4


def test_scenario_file_compare() -> None:
    """Two scenario files run side by side; five more agents raise the service level."""
    result = CliRunner().invoke(cli, ["simulate", str(EXAMPLES / "bank.yaml"), "--compare",
                                       str(EXAMPLES / "bank-plus-5.yaml"), "--replications", "3", "--json"])
    assert result.exit_code == 0, result.output
    base, more = json.loads(result.output)
    assert more["service_level"]["mean"] > base["service_level"]["mean"]


def test_missing_flags_is_a_usage_error() -> None:
    """Without a file or the single-queue flags the command exits with a usage error."""
    result = CliRunner().invoke(cli, ["simulate", "--calls", "10"])
    assert result.exit_code == 2 and "--aht" in result.output


def test_save_stores_the_run_as_a_scenario(db_url: str, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """--save stores one replication's calls and agent intervals under the scenario name, apart from real data."""

    from callops.store.scenarios import get_scenario
    from callops.store.schema import agent_intervals, calls

    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["simulate", str(EXAMPLES / "bank.yaml"), "--replications", "2", "--seed", "4",
                                      "--save", "bank-run", "--json"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        saved = get_scenario(conn, "bank-run")
        n_calls = conn.execute(sa.select(sa.func.count()).select_from(calls)
                               .where(calls.c.scenario == "bank-run")).scalar_one()
        real = conn.execute(sa.select(sa.func.count()).select_from(calls)
                            .where(calls.c.scenario.is_(None))).scalar_one()
        n_intervals = conn.execute(sa.select(sa.func.count()).select_from(agent_intervals)
                                   .where(agent_intervals.c.scenario == "bank-run")).scalar_one()
    assert saved.replications == 2 and saved.seed == 4 and saved.definition["name"] == "bank"
    assert saved.summary["service_level"] == json.loads(result.output)["service_level"]
    assert n_calls > 1000 and n_intervals > 100 and real == 0


def test_scenarios_delete_removes_a_saved_run(db_url: str, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """`scenarios delete NAME` removes the run with its calls and agent intervals and says how many calls it held;
    an unknown name exits 1 naming it."""
    from callops.store.schema import agent_intervals, calls

    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    runner = CliRunner()
    saved = runner.invoke(cli, ["simulate", "--calls", "20", "--aht", "180", "--agents", "3", "--hours", "1",
                                "--replications", "2", "--save", "short"])
    assert saved.exit_code == 0, saved.output
    [row] = json.loads(runner.invoke(cli, ["scenarios", "list", "--json"]).output)
    assert row["calls"] > 10
    deleted = runner.invoke(cli, ["scenarios", "delete", "short"])
    assert deleted.exit_code == 0, deleted.output
    assert deleted.output == f"deleted scenario short: {row['calls']} calls\n"
    assert json.loads(runner.invoke(cli, ["scenarios", "list", "--json"]).output) == []
    with engine.connect() as conn:
        for table in (calls, agent_intervals):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
    unknown = runner.invoke(cli, ["scenarios", "delete", "short"])
    assert unknown.exit_code == 1 and "no scenario 'short'" in unknown.output
