"""docs/permissions.md states the permission matrix exactly; docs/web.md names every route module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callops.permissions import MATRIX, Permission
from callops.records import Role

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _matrix_rows() -> dict[str, list[str]]:
    text = (DOCS / "permissions.md").read_text(encoding="utf-8")
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(Role) and re.fullmatch(r"`[a-z_]+`", cells[0]) and set(cells[2:]) <= {"✓", "–"}:
            rows[cells[0].strip("`")] = cells[2:]
    return rows


def test_every_permission_is_documented() -> None:
    """Each Permission has a row in the matrix of docs/permissions.md, and no row names an unknown one."""
    rows = _matrix_rows()
    assert set(rows) == {p.value for p in Permission}


def test_matrix_header_lists_the_roles_in_order() -> None:
    """The matrix's columns are the roles, in the order of the Role enum."""
    text = (DOCS / "permissions.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| permission |"))
    assert re.findall(r"`([a-z_]+)`", header) == [r.value for r in Role]


@pytest.mark.parametrize("permission", list(Permission))
def test_documented_marks_match_the_code(permission: Permission) -> None:
    """A ✓ in the doc is exactly a role the code grants the permission to."""
    marks = _matrix_rows()[permission.value]
    granted = [role for role, mark in zip(Role, marks, strict=True) if mark == "✓"]
    assert set(granted) == {role for role in Role if permission in MATRIX[role]}


def test_web_doc_lists_every_route_module() -> None:
    """docs/web.md mentions each module of callops.web.routes, so a new page gets documented."""
    import callops.web.routes as routes

    text = (DOCS / "web.md").read_text(encoding="utf-8")
    modules = sorted(p.stem for p in Path(routes.__file__).parent.glob("*.py") if not p.stem.startswith("_"))
    missing = [m for m in modules if f"routes/{m}.py" not in text]
    assert not missing, f"docs/web.md does not mention {missing}"
