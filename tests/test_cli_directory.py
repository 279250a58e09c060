"""`callops sites`, `callops queues add` with targets and site, `callops agents add`: saved, listed and audited
with the CLI actor; a bad zone or percentage exits 1 naming the field."""

from __future__ import annotations

import json

import sqlalchemy as sa
from click.testing import CliRunner, Result

from callops.cli import cli
from callops.store.audit_log import list_entries


def _run(db_url: str, *args: str) -> Result:
    return CliRunner(env={"CALLOPS_DATABASE_URL": db_url}).invoke(cli, list(args))


def test_sites_queues_and_agents_from_the_cli(db_url: str, engine: sa.Engine) -> None:
    assert _run(db_url, "sites", "add", "tlv", "--tz", "Asia/Jerusalem", "--holidays", "IL").exit_code == 0
    bad_zone = _run(db_url, "sites", "add", "mars", "--tz", "Mars/Olympus")
    assert bad_zone.exit_code == 1 and "field tz" in bad_zone.output
    assert _run(db_url, "queues", "add", "billing", "--sl-target", "85", "--site", "tlv").exit_code == 0
    assert _run(db_url, "queues", "add", "billing", "--sl-threshold", "30").exit_code == 0  # the target is kept
    bad_pct = _run(db_url, "queues", "add", "billing", "--abandon-target", "120")
    assert bad_pct.exit_code == 1 and "abandon_target_pct" in bad_pct.output
    unknown_site = _run(db_url, "queues", "add", "sales", "--site", "nowhere")
    assert unknown_site.exit_code == 1 and "field site" in unknown_site.output
    queues = json.loads(_run(db_url, "queues", "list", "--json").output)
    assert queues == [{"name": "billing", "description": None, "sl_threshold_s": 30, "sl_target_pct": 85.0,
                       "abandon_target_pct": 5.0, "site": "tlv"}]
    assert json.loads(_run(db_url, "sites", "list", "--json").output) == [
        {"name": "tlv", "tz": "Asia/Jerusalem", "holidays": "IL"}]
    bad_skill = _run(db_url, "agents", "add", "A1", "--skill", "billing:11")
    assert bad_skill.exit_code == 1 and "field skills" in bad_skill.output
    assert _run(db_url, "agents", "add", "A1", "--skill", "billing:5").exit_code == 0
    with engine.connect() as conn:
        entries = list(reversed(list_entries(conn)))
    assert [(e.entity, e.action) for e in entries] == [
        ("site", "site.created"), ("queue", "queue.created"), ("queue", "queue.changed"), ("agent", "agent.created")]
    assert all(e.actor.startswith("cli") for e in entries)
    assert entries[2].changes() == [("sl_threshold_s", 20, 30)]
