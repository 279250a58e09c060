"""Route modules are found by themselves; broken ones stop the app at start-up."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import callops.web.routes as routes
from callops.permissions import Permission
from callops.records import Role
from callops.web.discovery import discover_routes
from callops.web.nav import NavItem, visible_items


@pytest.fixture
def package(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    name = f"webroutes_{tmp_path.name.replace('-', '_')}"
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    yield folder, name
    sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def _import(name: str) -> types.ModuleType:
    __import__(name)
    return sys.modules[name]


def test_the_shipped_modules_are_found() -> None:
    """calls, agents, home and the API modules are discovered with their navigation entries."""
    found = {m.name: m for m in discover_routes(routes)}
    assert {"auth", "home", "calls", "agents", "api_calls", "api_agents", "api_session", "docs"} <= set(found)
    assert [i.path for i in found["calls"].nav] == ["/calls"]


def test_a_new_module_adds_its_router_and_nav(package: tuple[Path, str]) -> None:
    """Dropping a module with router and NAV into the package is all it takes; '_' modules are skipped."""
    folder, name = package
    (folder / "reports.py").write_text(
        "from fastapi import APIRouter\nfrom callops.web import NavItem\nfrom callops.permissions import Permission\n"
        "router = APIRouter()\nNAV = (NavItem('nav.reports', '/reports', permission=Permission.VIEW_REPORTS),)\n")
    (folder / "_private.py").write_text("from fastapi import APIRouter\nrouter = APIRouter()\n")
    (folder / "helpers.py").write_text("VALUE = 1\n")
    found = discover_routes(_import(name))
    assert [m.name for m in found] == ["reports"] and found[0].nav[0].path == "/reports"


def test_a_wrong_router_is_an_error(package: tuple[Path, str]) -> None:
    """A module whose router is not an APIRouter raises TypeError naming the module."""
    folder, name = package
    (folder / "broken.py").write_text("router = 'not a router'\n")
    with pytest.raises(TypeError, match="broken.router"):
        discover_routes(_import(name))


def test_navigation_hides_what_the_role_may_not_open() -> None:
    """Entries needing a right the role lacks are left out; the rest come in order."""
    items = [NavItem("b", "/b", order=20), NavItem("a", "/a", order=10),
             NavItem("r", "/r", permission=Permission.VIEW_REPORTS, order=5)]
    assert [i.path for i in visible_items(items, Role.AGENT)] == ["/a", "/b"]
    assert [i.path for i in visible_items(items, Role.MANAGER)] == ["/r", "/a", "/b"]
