"""The docs keep up with the code: the CLI reference is current and every KPI and permission is documented."""

from __future__ import annotations

from pathlib import Path

from callops.cli._reference import render

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_current() -> None:
    """docs/cli-reference.md equals what ./scripts/cli-docs generates now (run it after changing a command)."""
    assert (DOCS / "cli-reference.md").read_text(encoding="utf-8") == render()
