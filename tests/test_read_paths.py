"""How web and CLI read data (docs/architecture.md, "one way"): a route module or a command module imports at
most one ``callops.store`` module, its read model; more goes behind a service. The modules still over the rule
are listed by name (the backlog the doc names); a new module over it fails here."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "callops"
EDGES = [*sorted((SRC / "web" / "routes").glob("*.py")), *sorted((SRC / "cli").glob("*.py"))]

# still reading several store modules for one page or command: the next ones to move behind a service (none
# left since issue 18's last moves; a module over the rule goes behind a service rather than onto this list)
BACKLOG: set[str] = set()
# wire the database itself (engine, migrations, rebuilding aggregates): not a read path
WIRING = {"cli/_context.py", "cli/db.py"}


def store_modules(path: Path) -> set[str]:
    """The ``callops.store`` modules ``path`` imports anywhere in it (``from callops.store import x`` counts
    ``callops.store.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("callops.store")}
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            if node.module == "callops":
                found |= {f"callops.{a.name}" for a in node.names if a.name == "store"}
            elif node.module == "callops.store":  # a submodule, or a name of the package itself
                found |= {f"callops.store.{a.name}" if (SRC / "store" / f"{a.name}.py").exists() else "callops.store"
                          for a in node.names}
            elif node.module.startswith("callops.store."):
                found.add(node.module)
    return found


def test_edges_read_through_one_store_module_at_most() -> None:
    """Every route and command module outside the backlog imports at most one store module."""
    assert len(EDGES) > 60  # the globs found the edges: the rule cannot pass on nothing
    over = {str(p.relative_to(SRC)): sorted(store_modules(p)) for p in EDGES}
    offenders = {name: mods for name, mods in over.items() if len(mods) > 1 and name not in BACKLOG | WIRING}
    assert not offenders, offenders


def test_the_backlog_names_only_modules_still_over_the_rule() -> None:
    """A module moved behind a service leaves the backlog, so the list cannot hide a module that complies."""
    counts = {str(p.relative_to(SRC)): len(store_modules(p)) for p in EDGES}
    assert {name for name in BACKLOG if counts.get(name, 0) <= 1} == set()


def test_the_scan_counts_every_spelling(tmp_path: Path) -> None:
    """Plain, from-package, nested and function-level imports of the store all count."""
    sample = tmp_path / "sample.py"
    sample.write_text("import callops.store.plans\nfrom callops.store import users, upgrade\n"
                      "from callops import store\ndef f() -> None:\n    from callops.store.rosters import load_roster\n"
                      "from callops.services.qa_access import is_qa\n", encoding="utf-8")
    assert store_modules(sample) == {"callops.store.plans", "callops.store.users", "callops.store",
                                     "callops.store.rosters"}
