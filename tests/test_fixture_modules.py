"""Test modules never import each other: what several of them share (fixtures, data, signing in) lives in a
helper module of tests/ (``web_sign_in``, ``kpi_hand_day``, ``people_site`` ...), so running one test file never
collects or depends on another's private helpers."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
    return found


def test_no_test_module_imports_another() -> None:
    """No file of tests/ imports a ``test_*`` module (directly or as ``tests.test_*``)."""
    test_modules = {p.stem for p in TESTS.rglob("test_*.py")}
    assert len(test_modules) > 100  # the glob found the suite: the check below cannot pass on nothing
    offenders = sorted(f"{path.relative_to(TESTS)} imports {module}" for path in TESTS.rglob("*.py")
                       for module in _imported_modules(path)
                       if module.removeprefix("tests.").split(".")[0] in test_modules)
    assert not offenders, offenders


def test_the_check_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    """The scan finds both spellings, so the rule above cannot pass vacuously."""
    sample = tmp_path / "sample.py"
    sample.write_text("from test_web_app import login\nimport tests.test_x\nfrom web_sign_in import login\n",
                      encoding="utf-8")
    assert _imported_modules(sample) == {"test_web_app", "tests.test_x", "web_sign_in"}
