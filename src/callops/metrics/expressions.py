"""A tiny expression language for measures: predicates over one call (or agent interval) row.

Measures are data, not SQL: the pure evaluator in :mod:`callops.metrics.evaluate` runs them on
Python rows, and the store adapter translates the same objects into SQLAlchemy Core, which compiles
for SQLite, PostgreSQL, DuckDB and any engine with a SQLAlchemy dialect (Trino, Spark).

Numeric columns read as 0 when NULL in comparisons and sums (a call with no queue wait waited 0 s);
:class:`IsNull` sees the NULL itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Param", "OneOf", "Compare", "IsNull", "NotNull", "IsTrue", "All", "AnyOf", "Predicate", "Always",
           "shared_conditions"]


@dataclass(frozen=True, slots=True)
class Param:
    """A value taken from the report options (e.g. ``sl_threshold_s``)."""

    name: str


@dataclass(frozen=True, slots=True)
class Always:
    """True for every row."""


@dataclass(frozen=True, slots=True)
class OneOf:
    """``column`` equals one of ``values``."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    """``column op value`` with NULL read as 0."""

    column: str
    op: Literal["<", "<=", ">", ">="]
    value: Param | float


@dataclass(frozen=True, slots=True)
class IsNull:
    column: str


@dataclass(frozen=True, slots=True)
class NotNull:
    column: str


@dataclass(frozen=True, slots=True)
class IsTrue:
    """A boolean column is true (NULL is not)."""

    column: str


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Predicate, ...]


Predicate = Always | OneOf | Compare | IsNull | NotNull | IsTrue | All | AnyOf


def _conjuncts(pred: Predicate) -> list[Predicate]:
    """``pred`` as the conditions that must all hold (nested ``All`` flattened)."""
    if isinstance(pred, All):
        return [c for part in pred.parts for c in _conjuncts(part)]
    return [] if isinstance(pred, Always) else [pred]


def shared_conditions(preds: list[Predicate]) -> tuple[Predicate, ...]:
    """The conditions every one of ``preds`` requires: a row failing one of them counts in none of them."""
    if not preds:
        return ()
    first, *rest = (_conjuncts(p) for p in preds)
    return tuple(dict.fromkeys(c for c in first if all(c in other for other in rest)))
