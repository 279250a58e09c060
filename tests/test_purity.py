"""The pure domain code imports no web framework, database, CLI, service or edge package — nor anything that does.

Every import is followed: absolute and relative ones, ``from package import module``, and transitively
through other callops modules, so a pure module cannot reach an edge through a module in between. A listed
package or module that does not exist fails (a guard over nothing would pass vacuously).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "callops"
PURE_PACKAGES = ["queueing", "forecast", "scheduling", "routing", "simulation", "quality", "metrics", "live",
                 "dialer", "people", "desk"]
PURE_MODULES = ["records", "errors", "permissions", "dates", "login_throttle", "config", "deadline"]
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "duckdb", "click", "alembic", "psycopg", "uvicorn", "pydantic",
             "jinja2", "openpyxl", "callops.store", "callops.web", "callops.ingest", "callops.cli",
             "callops.services", "callops.demo")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(name: str) -> bool:
    return (SRC / Path(*name.split(".")) / "__init__.py").is_file()


def _path(name: str) -> Path | None:
    base = SRC / Path(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports_of(path: Path) -> list[str]:
    me = _module_name(path)
    return _imports_in(path.read_text(encoding="utf-8"), me if path.name == "__init__.py" else me.rpartition(".")[0])


def _imports_in(source: str, package: str) -> list[str]:
    """Every module ``source`` (a module of ``package``) imports, as absolute names (``from a import b`` also
    names ``a.b`` when that is a module)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.append(base)
            names.extend(f"{base}.{a.name}" for a in node.names if _path(f"{base}.{a.name}") is not None)
    return names


@cache
def _reach(name: str) -> frozenset[tuple[str, str]]:
    """(importer, imported) for every import reachable from module ``name`` through callops modules."""
    seen: set[str] = set()
    edges: set[tuple[str, str]] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        path = _path(current)
        if path is None:
            continue
        for imported in _imports_of(path):
            edges.add((current, imported))
            if imported.startswith("callops.") or imported == "callops":
                todo.append(imported)
                parent = imported.rpartition(".")[0]
                while parent.startswith("callops."):  # importing a.b.c runs a/__init__ and a/b/__init__ first
                    todo.append(parent)
                    parent = parent.rpartition(".")[0]
    return frozenset(edges)


def _pure_modules() -> list[str]:
    out = []
    for package in PURE_PACKAGES:
        assert _is_package(f"callops.{package}"), f"callops.{package} is listed as pure but does not exist"
        out += [_module_name(p) for p in sorted((ROOT / package).rglob("*.py"))]
    for module in PURE_MODULES:
        assert _path(f"callops.{module}") is not None, f"callops.{module} is listed as pure but does not exist"
        out.append(f"callops.{module}")
    return out


@pytest.mark.parametrize("module", _pure_modules())
def test_pure_code_reaches_no_edge(module: str) -> None:
    """A pure module never imports, directly or through other callops modules, an edge or its libraries."""
    for importer, imported in sorted(_reach(module)):
        assert not (imported + ".").startswith(tuple(f + "." for f in FORBIDDEN)), \
            f"{module} reaches {imported} (imported by {importer})"


def test_the_guard_sees_what_it_guards() -> None:
    """The import reader resolves relative imports and `from package import module`, so none slips by."""
    path = ROOT / "metrics" / "request.py"
    names = _imports_of(path)
    assert "callops.metrics.grains" in names and "callops.errors" in names
    init = _imports_of(ROOT / "live" / "__init__.py")
    assert "callops.live.events" in init
    assert ("callops.metrics.request", "callops.dates") in _reach("callops.metrics")
    relative = _imports_in("from ..store import schema\nfrom . import erlang_b\nimport pydantic\n", "callops.queueing")
    assert relative == ["callops.store", "callops.store.schema", "callops.queueing", "callops.queueing.erlang_b",
                        "pydantic"]
