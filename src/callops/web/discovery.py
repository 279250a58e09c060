"""Finds the route modules: every module of ``callops.web.routes`` exposing ``router``."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from fastapi import APIRouter

from callops.web.nav import NavItem

__all__ = ["RouteModule", "discover_routes"]


@dataclass(frozen=True, slots=True)
class RouteModule:
    name: str
    router: APIRouter
    nav: tuple[NavItem, ...]


def discover_routes(package: ModuleType) -> list[RouteModule]:
    """Import each public module of ``package``; those with an ``APIRouter`` named ``router`` count.

    A module whose ``router`` is not an ``APIRouter`` or whose ``NAV`` holds something other than
    ``NavItem`` is a programming error and raises ``TypeError`` at start-up, not at first request.
    """
    found: list[RouteModule] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is None:
            continue
        if not isinstance(router, APIRouter):
            raise TypeError(f"{module.__name__}.router is a {type(router).__name__}, not an APIRouter")
        nav = tuple(getattr(module, "NAV", ()))
        for item in nav:
            if not isinstance(item, NavItem):
                raise TypeError(f"{module.__name__}.NAV holds {item!r}, not a NavItem")
        found.append(RouteModule(name=info.name, router=router, nav=nav))
    return found
