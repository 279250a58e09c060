"""`callops plan build|show|list|forecasts|compare` on SQLite and PostgreSQL: versions, JSON, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from callops.cli import cli
from workforce_site import TZ, load_history

HISTORY = ["--queue", "PS", "--history-from", "2026-02-02", "--history-to", "2026-03-01", "--horizon", "7d",
           "--model", "seasonal_naive"]


@pytest.fixture
def env(engine: sa.Engine, db_url: str) -> dict[str, str]:
    load_history(engine)
    return {"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": TZ}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner(env=env).invoke(cli, ["plan", *args], catch_exceptions=False)


def run_json(env: dict[str, str], *args: str) -> Any:
    result = run(env, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_build_from_history_then_from_saved_forecast(env: dict[str, str]) -> None:
    """Built from history, then again from its saved forecast with Erlang A: versions 1 and 2 of one name."""
    first = run_json(env, "build", "--name", "march", *HISTORY, "--sl", "0.8", "--sl-time", "20",
                     "--shrinkage", "0.3")
    assert first["version"] == 1 and first["queue"] == "PS"
    rows = first["intervals"]
    assert rows[0]["interval_start"].endswith("+08:00")
    eleven = [r for r in rows if "T11:" in r["interval_start"]]
    assert eleven and all(r["calls"] == 6 and r["aht_s"] == pytest.approx(150) for r in eleven)
    assert first["totals"]["agent_hours"] == sum(r["scheduled"] for r in rows) / 2
    second = run_json(env, "build", "--name", "march", "--forecast", "march@1", "--patience", "120",
                      "--distressing-share", "0.2", "--recovery", "120")
    assert second["version"] == 2 and second["targets"]["patience_s"] == 120
    assert second["forecast_id"] == first["forecast_id"]
    assert {"recovery_agents", "p_abandon"} <= set(second["intervals"][0])


def test_show_list_and_compare(env: dict[str, str]) -> None:
    """show prints intervals; list and forecasts list versions; compare gives deltas of agent-hours and peak."""
    run_json(env, "build", "--name", "march", *HISTORY, "--shrinkage", "0.6")
    run_json(env, "build", "--name", "march", "--forecast", "march", "--shrinkage", "0.1")
    shown = run(env, "show", "march", "--version", "1")
    assert shown.exit_code == 0 and "interval_start" in shown.output and "+08:00" in shown.output
    assert [(p["name"], p["version"]) for p in run_json(env, "list")] == [("march", 2), ("march", 1)]
    assert [(f["name"], f["version"]) for f in run_json(env, "forecasts")] == [("march", 1)]
    cmp = run_json(env, "compare", "march@1", "march@2")
    assert cmp["a"]["version"] == 1 and cmp["b"]["version"] == 2
    hours_a, hours_b = cmp["a"]["totals"]["agent_hours"], cmp["b"]["totals"]["agent_hours"]
    assert cmp["agent_hours_delta"] == pytest.approx(hours_b - hours_a)
    assert cmp["agent_hours_delta"] < 0 and cmp["changed_intervals"] > 0
    assert sum(r["delta"] for r in cmp["intervals"]) / 2 == pytest.approx(cmp["agent_hours_delta"])
    text = run(env, "compare", "march@1", "march@2")
    assert text.exit_code == 0 and "intervals differ" in text.output


@pytest.mark.parametrize(("args", "message"), [
    (["build", "--name", "x"], "give either --forecast"),
    (["build", "--name", "x", "--forecast", "nope"], "no saved forecast 'nope'"),
    (["build", "--name", "x", *HISTORY, "--max-abandon", "0.05"], "'--max-abandon': max_abandon needs patience_s"),
    (["build", "--name", "x", *HISTORY, "--recovery", "60"], "'--recovery': give both distressing_share"),
    (["show", "nope"], "no staffing plan 'nope'"),
    (["compare", "a@x", "b"], "is not NAME or NAME@VERSION"),
])
def test_errors_name_the_problem(env: dict[str, str], args: list[str], message: str) -> None:
    """Missing sources, unknown names, inconsistent options and bad references exit non-zero with a message."""
    result = CliRunner(env=env).invoke(cli, ["plan", *args])
    assert result.exit_code != 0 and message in result.output
