"""Import the same files both ways (columnar and line by line) into fresh copies of a migrated SQLite database
(the ``template`` fixture of conftest.py) and compare every
stored row, count, notice and rejection: the oracle of the columnar import's tests."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from callops.ingest import import_files
from callops.store.engine import make_engine
from callops.store.schema import agent_intervals, calls

__all__ = ["assert_same", "both_ways", "stored_rows"]


def stored_rows(engine: sa.Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every stored call and interval, all columns but the row and import ids, in key order (sorted here:
    PostgreSQL's collation orders text its own way)."""
    def rows(table: sa.Table, key: tuple[int, ...]) -> list[tuple[Any, ...]]:
        cols = [c for c in table.c if c.name not in {"id", "import_id"}]
        with engine.connect() as conn:
            found = [tuple(r) for r in conn.execute(sa.select(*cols))]
        return sorted(found, key=lambda r: tuple(r[i] for i in key))
    return rows(calls, (0, 1)), rows(agent_intervals, (0, 2, 3, 4))


def both_ways(template: Path, folder: Path, paths: list[Path], fmt: str, tz: str = "UTC",
          **options: Any) -> Iterator[tuple[bool, dict[str, Any], Any, list[list[str]]]]:
    """Import ``paths`` through each path into its own fresh database: (columnar, report, stored, rejects)."""
    for columnar in (True, False):
        db = folder / f"{columnar}.db"
        shutil.copyfile(template, db)
        eng = make_engine(f"sqlite:///{db}")
        rejects = folder / f"{columnar}.rejects.csv"
        report = import_files(eng, paths, fmt=fmt, tz=tz, skip_invalid=True, rejects_path=rejects,
                              columnar=columnar, **options)
        rows = list(csv.reader(rejects.read_text(encoding="utf-8-sig").splitlines())) if rejects.exists() else []
        yield columnar, report.as_dict() | {"rejects_file": None}, stored_rows(eng), rows
        eng.dispose()


def assert_same(template: Path, folder: Path, paths: list[Path], fmt: str, tz: str = "UTC",
                 **options: Any) -> dict[str, Any]:
    both = both_ways(template, folder, paths, fmt, tz, **options)
    (_, new, new_rows, new_rejects), (_, old, old_rows, old_rejects) = both
    assert new == old
    assert list(new["skip_reasons"].items()) == list(old["skip_reasons"].items())  # the same order too
    assert new_rows == old_rows
    assert new_rejects == old_rejects
    return new
