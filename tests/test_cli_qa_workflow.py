"""`callops qa rules|evaluations|appeals` on a stored database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.quality import rule_from_mapping, seed_commitment
from callops.records import Call, Direction, Outcome, Role
from callops.store.qa_sampling import insert_rule
from callops.store.records import insert_calls
from callops.store.schema import users

DAY = dt.timedelta(days=1)


@pytest.fixture
def env(engine: sa.Engine, db_url: str) -> dict[str, str]:
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - 3 * DAY
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"username": n, "password_hash": "x", "role": r.value, "agent_id": a,
                                       "locale": "en", "active": True}
                                      for n, r, a in (("qa1", Role.QA, None), ("boss", Role.MANAGER, None),
                                                      ("amy", Role.AGENT, "A1"))])
        insert_calls(conn, [Call(source="t", source_call_id=f"c{i}", direction=Direction.INBOUND,
                                 outcome=Outcome.ANSWERED, queue="PS", agent=("A1", "A2")[i % 2],
                                 queue_entered_at=start + dt.timedelta(hours=i + 1),
                                 answered_at=start + dt.timedelta(hours=i + 1), talk_s=100.0) for i in range(6)])
        rule = rule_from_mapping({"rule_id": "past", "filed_at": (start - 2 * DAY).isoformat(), "timezone": "UTC",
                                  "per": "agent_period", "select": {"pick": "random", "n": 1},
                                  "period": {"start": start.isoformat(), "end": (start + DAY).isoformat()}})
        insert_rule(conn, rule, by="qa1", commitment=seed_commitment("q" * 32), secret_seed="q" * 32)
    return {"CALLOPS_DATABASE_URL": db_url}


def test_file_refuses_a_late_rule_and_accepts_an_early_one(env: dict[str, str], tmp_path: Path) -> None:
    """A rule whose period starts tomorrow morning is late; one a week ahead is filed with its commitment."""
    soon = (dt.datetime.now(dt.UTC) + DAY / 2).isoformat()
    later = (dt.datetime.now(dt.UTC) + 7 * DAY).isoformat()
    end = (dt.datetime.now(dt.UTC) + 14 * DAY).isoformat()
    path = tmp_path / "rule.yaml"
    path.write_text(f"rule_id: late\nper: agent_day\nselect: {{pick: nth, n: 2}}\nperiod: {{start: '{soon}', "
                    f"end: '{end}'}}\n", encoding="utf-8")
    late = CliRunner().invoke(cli, ["qa", "rules", "file", str(path), "--as", "qa1"], env=env)
    assert late.exit_code == 1 and "filing deadline" in late.output
    path.write_text(path.read_text(encoding="utf-8").replace(soon, later).replace("late", "early"), encoding="utf-8")
    ok = CliRunner().invoke(cli, ["qa", "rules", "file", str(path), "--as", "qa1"], env=env)
    assert ok.exit_code == 0 and "early filed; seed commitment" in ok.output
    denied = CliRunner().invoke(cli, ["qa", "rules", "file", str(path), "--as", "amy"], env=env)
    assert denied.exit_code == 1


def test_freeze_random_draw_export_verify(env: dict[str, str], tmp_path: Path) -> None:
    """Freeze, two matching dice entries, draw, export: `qa verify-draw` on the exported files says matches."""
    run = CliRunner()
    assert "6 eligible calls" in run.invoke(cli, ["qa", "rules", "freeze", "past", "--as", "qa1"], env=env).output
    assert run.invoke(cli, ["qa", "rules", "random", "past", "5 5 2", "--as", "qa1"], env=env).output == "waiting\n"
    assert run.invoke(cli, ["qa", "rules", "random", "past", "5 5 2", "--as", "boss"], env=env).output == "confirmed\n"
    drawn = run.invoke(cli, ["qa", "rules", "draw", "past", "--as", "qa1"], env=env)
    assert drawn.exit_code == 0 and drawn.output.count("qa1") == 2, drawn.output
    exported = run.invoke(cli, ["qa", "rules", "export", "past", "--out", str(tmp_path)], env=env)
    assert "the stored draw matches" in exported.output
    verified = run.invoke(cli, ["qa", "verify-draw", str(tmp_path / "past-draw.json"), "--calls",
                                str(tmp_path / "past-eligible.csv")])
    assert verified.exit_code == 0 and verified.output == "matches\n"
    listed = run.invoke(cli, ["qa", "rules", "list", "--json"], env=env)
    assert '"stage": "drawn"' in listed.output
    assert run.invoke(cli, ["qa", "evaluations", "--json"], env=env).output.strip() == "[]"
    assert run.invoke(cli, ["qa", "appeals", "--json"], env=env).output.strip() == "[]"
