"""Item 9: out-of-range input answers 4xx, never 500, on pages and API; ids are validated at the edge."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.errors import InvalidInput
from callops.quality.sampling_rules import rule_from_mapping
from callops.web.downloads import attachment
from security_site import api_login, bearer

EDGES = [
    "/api/calls?from=0001-01-01&to=9999-12-31",
    "/api/calls?from=9999-12-31",
    "/api/calls?tz=" + "x" * 5000,
    "/api/calls?cursor=%00%00garbage",
    "/api/calls?cursor=" + "9" * 400,
    "/api/calls?limit=99999999999999999999999",
    "/api/calls/99999999999999999999999",
    "/api/calls/-1",
    "/api/calls?agent=%00",
    "/api/calls?queue=" + "q" * 5000,
    "/calls?from=0001-01-01&to=9999-12-31",
    "/calls?tz=" + "x" * 5000,
    "/calls/99999999999999999999999",
    "/api/reports/agents?from=0001-01-01&to=0001-01-02",
    "/api/reports/agents?from=9999-12-30&to=9999-12-31",
    "/api/reports/agents?from=2026-01-01&to=2026-01-02&tz=" + "x" * 5000,
    "/api/reports/kpi?from=2026-01-01&to=2026-01-02&tz=" + "x" * 5000,
    "/api/reports/kpi?from=2026-01-01&to=2026-01-02&fcr_days=99999999999999999999",
    "/api/qa/rules/..%2F..%2Fx",
    "/api/qa/draws/%00/record.json",
    "/api/qa/evaluations/%00",
    "/api/workforce/forecast?history_from=0001-01-01&history_to=0001-01-03",
    "/api/workforce/forecast?history_from=9999-12-30&history_to=9999-12-31",
    "/agents?tz=" + "x" * 5000,
]


def test_out_of_range_input_is_a_4xx(client: TestClient) -> None:
    """Dates at 0001/9999, a 5,000-character zone, huge integers, garbage cursors, NUL bytes and traversal ids
    answer 4xx (or 200 with nothing), never 5xx, and keep the connection usable."""
    headers = bearer(api_login(client, "admin"))
    failures = []
    for path in EDGES:
        response = client.get(path, headers=headers)
        if response.status_code >= 500:
            failures.append(f"{path[:120]} -> {response.status_code} {response.text[:300]}")
    assert not failures, "\n".join(failures)
    assert client.get("/api/me", headers=headers).status_code == 200


def test_content_disposition_carries_non_ascii_names() -> None:
    """A download named 场景1 gets an ASCII fallback and the exact name as RFC 5987 filename*; quotes and
    separators never reach the header."""
    header = attachment('callops-kpi-场景1-"x"/..\\y.csv')["Content-Disposition"]
    assert header.isascii()
    assert "filename*=UTF-8''callops-kpi-%E5%9C%BA%E6%99%AF1-x..y.csv" in header
    assert 'filename="callops-kpi-__1-x..y.csv"' in header


@pytest.mark.parametrize("rule_id", ["../../x", "a/b", "x y", "", "a\x00b", "." * 3, "x" * 81])
def test_rule_ids_that_could_name_other_files_are_refused(rule_id: str) -> None:
    """A rule id becomes a file name (NAME-draw.json): separators, '..', spaces, NUL and overlong ids are refused
    naming the field; ids in any script (一月) are fine."""
    base = {"filed_at": "2026-01-01T00:00:00+08:00",
            "period": {"start": "2026-02-01T00:00:00+08:00", "end": "2026-03-01T00:00:00+08:00"},
            "timezone": "Asia/Shanghai", "per": "agent_week", "select": {"pick": "random", "n": 1}}
    with pytest.raises(InvalidInput) as refused:
        rule_from_mapping({"rule_id": rule_id, **base})
    assert refused.value.field in ("rule_id", None)
    assert rule_from_mapping({"rule_id": "一月", **base}).rule_id == "一月"


def test_qa_rules_export_never_writes_outside_out(db_url: str, tmp_path: Path) -> None:
    """`callops qa rules export ../../x --out DIR` is refused before anything is written outside DIR."""
    out = tmp_path / "out"
    result = CliRunner(env={"CALLOPS_DATABASE_URL": db_url}).invoke(
        cli, ["qa", "rules", "export", "../../x", "--out", str(out)])
    assert result.exit_code == 1
    assert not list(tmp_path.rglob("*-draw.json"))
