"""`callops replay` on stored history: the demo month (Anonymous Bank, January 1999) fitted, simulated and
compared per hour, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.demo import DEMO_TZ
from callops.errors import InvalidInput
from callops.services.replay import replay_history
from callops.store.history import queued_calls

JAN: dict[str, Any] = {"start": dt.date(1999, 1, 1), "end": dt.date(1999, 1, 31), "tz": DEMO_TZ}
SUN_TO_THU = frozenset({7, 1, 2, 3, 4})


@pytest.fixture
def engine(demo_engine: sa.Engine) -> sa.Engine:
    """This module reads the demo month, built once per module and backend."""
    return demo_engine


@pytest.fixture
def demo(engine: sa.Engine) -> sa.Engine:
    return engine


def test_calibrated_replay_tracks_the_real_hours(demo: sa.Engine) -> None:
    """PS on the bank's full days: counting every server seen is far too optimistic (SL error > 0.3); calibrating
    the agents per hour to the share of calls that waited brings the SL error under 0.12 and ASA under 25 s."""
    with demo.connect() as conn:
        found = queued_calls(conn, queue="PS", weekdays=SUN_TO_THU, **JAN)
        calibrated = replay_history(conn, queue="PS", weekdays=SUN_TO_THU, replications=3, seed=2, **JAN)
        servers = replay_history(conn, queue="PS", weekdays=SUN_TO_THU, replications=3, seed=2, capacity="servers",
                                 **JAN)
    assert calibrated.days == 19 and calibrated.calls == len(found.day)
    assert {dt.date.fromordinal(d).isoweekday() for d in found.day} <= SUN_TO_THU
    assert [h.hour for h in calibrated.hours] == list(range(7, 24))
    assert calibrated.errors["service_level"] < 0.12 and calibrated.errors["asa_s"] < 25
    assert servers.errors["service_level"] > 0.3
    assert all(h.service_level_sim > h.service_level_actual for h in servers.hours if 8 <= h.hour <= 20)
    assert all(c.agents <= s.agents for c, s in zip(calibrated.hours, servers.hours, strict=True))


def test_cli_replay_json_and_errors(demo: sa.Engine, db_url: str) -> None:
    """The CLI prints the same comparison as JSON, repeatable by seed; an empty queue and bad weekdays are named."""
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": DEMO_TZ})
    args = ["replay", "--queue", "PS", "--from", "1999-01-03", "--to", "1999-01-14", "--weekdays", "7,1,2,3,4",
            "--replications", "2", "--seed", "3", "--json"]
    out = runner.invoke(cli, args, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    with demo.connect() as conn:
        found = queued_calls(conn, start=dt.date(1999, 1, 3), end=dt.date(1999, 1, 14), tz=DEMO_TZ, queue="PS",
                             weekdays=SUN_TO_THU)
    assert data["days"] == len(set(found.day)) and data["calls"] == len(found.day)
    assert data["capacity"] == "calibrated" and data["hours"]
    assert set(data["mean_absolute_error"]) == {"service_level", "asa_s", "p_abandon"}
    assert runner.invoke(cli, args).output == out.output
    empty = runner.invoke(cli, ["replay", "--queue", "NOPE", "--from", "1999-01-03", "--to", "1999-01-14"])
    assert empty.exit_code != 0 and "no calls entered queue NOPE" in empty.output
    bad = runner.invoke(cli, ["replay", "--from", "1999-01-03", "--to", "1999-01-14", "--weekdays", "8"])
    assert bad.exit_code != 0 and "weekdays" in bad.output


def test_range_must_run_forward(engine: sa.Engine) -> None:
    """A range that ends before it starts is refused."""
    with engine.connect() as conn, pytest.raises(InvalidInput, match="ends"):
        queued_calls(conn, start=dt.date(1999, 1, 5), end=dt.date(1999, 1, 4), tz=DEMO_TZ)
