"""`callops contacts check`: the JSON contract, the default China policy, consent/DNC files, bad rows."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from callops.cli import cli
from contact_history import HISTORY


def run(tmp_path: Path, *args: str, history: str = HISTORY) -> Result:
    path = tmp_path / "history.csv"
    path.write_text(history, encoding="utf-8")
    return CliRunner().invoke(cli, ["contacts", "check", "--history", str(path), *args], catch_exceptions=False)


def test_json_contract_and_default_policy(tmp_path: Path) -> None:
    """Each member gets {member, allowed, rule, next_allowed_at}; rules are named as in the contract."""
    result = run(tmp_path, "--at", "2026-03-02T15:01:00+08:00", "--json")
    assert result.exit_code == 0, result.output
    out = {d["member"]: d for d in json.loads(result.output)}
    assert all(set(d) == {"member", "allowed", "rule", "next_allowed_at"} for d in out.values())
    assert out["m1"]["rule"] == "calls_per_24h" and out["m1"]["next_allowed_at"] == "2026-03-03T09:00:00+08:00"
    assert out["m2"]["rule"] == "refusal_cap" and out["m2"]["next_allowed_at"] is None
    assert out["m3"]["rule"] == "quiet_after_abandon"
    assert out["m5"] == {"member": "m5", "allowed": True, "rule": None,
                         "next_allowed_at": "2026-03-02T15:01:00+08:00"}
    night = {d["member"]: d for d in json.loads(run(tmp_path, "--at", "2026-03-02T21:30:00+08:00", "--json").output)}
    assert night["m5"]["rule"] == "calling_window" and night["m5"]["next_allowed_at"] == "2026-03-03T08:00:00+08:00"


def test_consent_dnc_and_policy_files(tmp_path: Path) -> None:
    """A consent withdrawal and a DNC number block; a policy file changes the caps."""
    (tmp_path / "consent.csv").write_text(
        "member,channel,purpose,status,at,source\nm5,call,*,withdrawn,2026-03-02T08:00:00+08:00,hotline\n",
        encoding="utf-8")
    (tmp_path / "dnc.txt").write_text("phone\n010 8888 6666\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("caps:\n - {channel: call, limit: 10, window: 24h}\nrefusal_cap: 5\n",
                                     encoding="utf-8")
    result = run(tmp_path, "--at", "2026-03-02T15:01:00+08:00", "--json", "--consent", str(tmp_path / "consent.csv"),
                 "--dnc", str(tmp_path / "dnc.txt"), "--policy", str(tmp_path / "p.yaml"))
    out = {d["member"]: d for d in json.loads(result.output)}
    assert out["m5"]["rule"] == "consent" and out["m6"]["rule"] == "dnc"
    assert out["m1"]["allowed"] is True and out["m2"]["allowed"] is True


def test_bad_rows_name_line_and_field(tmp_path: Path) -> None:
    """A malformed number, outcome, time without offset or unknown column: exit 1 naming line and field."""
    cases = {
        HISTORY + "m7,12345,call,2026-03-02T09:00:00+08:00,no_answer,c1\n": "line 14, field phone",
        HISTORY + "m7,13800138007,call,2026-03-02T09:00:00+08:00,hung_up,c1\n": "line 14, field outcome",
        HISTORY + "m7,13800138007,call,2026-03-02T09:00:00,no_answer,c1\n": "line 14, field at",
        HISTORY.replace("campaign\n", "campaign,extra\n", 1): "unknown column",
    }
    for text, message in cases.items():
        result = run(tmp_path, "--at", "2026-03-02T15:01:00+08:00", "--json", history=text)
        assert result.exit_code == 1 and message in result.output, result.output
    result = run(tmp_path, "--at", "2026-03-02T15:01", "--json")
    assert result.exit_code == 1 and "--at" in result.output
