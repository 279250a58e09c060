"""``callops campaign journeys save|list|show``: each campaign's journey stored in the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import yaml

from callops.cli._context import engine
from callops.cli._outbound_input import read_text
from callops.cli._output import echo_json, echo_table
from callops.errors import InvalidInput, NotFound
from callops.services.campaign_journeys import StoredJourney, list_journeys, save_stored_journey, stored_journey
from callops.yaml_input import load_yaml

__all__ = ["register"]

EXTENDS = "campaign"  # loaded right after callops.cli.campaign, whose group this module adds to


def register(group: click.Group) -> None:
    campaign = group.commands.get("campaign")
    if not isinstance(campaign, click.Group):
        raise RuntimeError("the campaign command group must be registered before campaign_journeys")
    campaign.add_command(journeys)


@click.group("journeys")
def journeys() -> None:
    """Each campaign's member journey (its touches after a first purchase), stored in the database; `campaign
    journey --campaign NAME` plans with it."""


def _row(stored: StoredJourney) -> dict[str, Any]:
    return {"campaign": stored.campaign, "name": stored.journey.name, "touches": len(stored.journey.touches),
            "saved_at": stored.saved_at.isoformat(), "saved_by": stored.saved_by}


@journeys.command("save")
@click.argument("name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "saved_by", default="cli", show_default=True, help="Who saves it (kept with the journey).")
def save(name: str, path: Path, saved_by: str) -> None:
    """Store the journey YAML at PATH ({name, campaign, touches: [{after, channel, purpose}]}) for campaign NAME,
    replacing the one stored; a bad field is refused naming it (touches[1].after)."""
    data = load_yaml(read_text(path), file=str(path))
    if not isinstance(data, dict):
        raise InvalidInput("the journey must be a mapping of settings", file=str(path))
    with engine().begin() as conn:
        try:
            stored = save_stored_journey(conn, name, data, saved_by=saved_by,
                                         now=dt.datetime.now(dt.UTC))
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, file=str(path), field=exc.field) from None
    click.echo(f"saved the journey of {stored.campaign}: {len(stored.journey.touches)} touches")


@journeys.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_command(as_json: bool) -> None:
    """The campaigns with a stored journey."""
    with engine().connect() as conn:
        rows = [_row(s) for s in list_journeys(conn)]
    echo_json(rows) if as_json else echo_table(rows, ["campaign", "name", "touches", "saved_at", "saved_by"])


@journeys.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="{campaign, saved_at, saved_by, settings}.")
def show(name: str, as_json: bool) -> None:
    """Campaign NAME's stored journey as YAML (what `journeys save` reads)."""
    with engine().connect() as conn:
        stored = stored_journey(conn, name)
    if stored is None:
        raise NotFound(f"campaign {name!r} has no stored journey (save one with campaign journeys save)")
    if as_json:
        echo_json({"campaign": stored.campaign, "saved_at": stored.saved_at.isoformat(), "saved_by": stored.saved_by,
                   "settings": stored.settings})
    else:
        click.echo(yaml.safe_dump(stored.settings, allow_unicode=True, sort_keys=False), nl=False)
