"""Navigation entries: routes modules extend the header and the home page with ``NAV``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from callops.permissions import Permission, allowed
from callops.records import Role

__all__ = ["NavItem", "visible_items"]


@dataclass(frozen=True, slots=True)
class NavItem:
    """One header link (and home-page card): translation keys, a path and the right it needs."""

    label_key: str
    path: str
    permission: Permission | None = None
    order: int = 100
    description_key: str | None = None  # the home-page card's sentence; None: header only

    def visible_to(self, role: Role) -> bool:
        return self.permission is None or allowed(role, self.permission)


def visible_items(items: Iterable[NavItem], role: Role) -> list[NavItem]:
    """The entries ``role`` may open, in display order."""
    return sorted((i for i in items if i.visible_to(role)), key=lambda i: (i.order, i.path))
