"""The pure domain packages import no web framework, database, CLI or edge package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "callops"
PURE = ["queueing", "forecast", "scheduling", "routing", "simulation", "dialer", "quality", "metrics", "live",
        "people"]
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "duckdb", "click", "alembic", "psycopg", "uvicorn",
             "callops.store", "callops.web", "callops.ingest", "callops.cli")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_edges(package: str) -> None:
    """A pure package's modules never import an edge (store, web, ingest, CLI) or their libraries."""
    folder = SRC / package
    for path in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
        for name in _imports(path):
            assert not name.startswith(FORBIDDEN), f"{path.relative_to(SRC)} imports {name}"
