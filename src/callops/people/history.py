"""History rows into employment stints, refusing what cannot be true; errors name the line and field.

Per person, rows are taken in order of their first day. A row without an exit date ends where the
next row starts (a promotion or team move); a row whose exit date is the next row's first day is
contiguous with it; a gap means the person left and was hired again, so the row before the gap
needs an exit reason. Refused: an exit on or before the hire date, overlapping rows, an exit
reason without an exit date, an exit date without a reason on a person's last row or before a
gap, a team not in ``known_teams`` (teams are created with ``callops teams add``, never by an
import, so a typo cannot invent a team).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import groupby

from callops.errors import InvalidInput
from callops.people.hr_csv import HistoryRow
from callops.people.records import Spell, Stint

__all__ = ["build_stints"]


def build_stints(rows: Sequence[HistoryRow], *, known_teams: Collection[str], file: str,
                 column: dict[str, str] | None = None) -> dict[str, list[Stint]]:
    """Each person's stints, oldest first; the first impossible row raises InvalidInput."""
    col = column or {}

    def fail(row: HistoryRow, field: str, reason: str) -> InvalidInput:
        return InvalidInput(reason, file=file, line=row.line, field=col.get(field, field))

    for row in rows:
        if row.team is not None and row.team not in known_teams:
            known = ", ".join(sorted(known_teams)) or "none yet"
            raise fail(row, "team", f"unknown team {row.team!r} (known: {known}); add it with `callops teams add`")
        if row.end_on is not None and row.end_on <= row.start_on:
            raise fail(row, "exit_date", f"exit date {row.end_on} is not after the hire date {row.start_on}")
        if row.exit_reason is not None and row.end_on is None:
            raise fail(row, "exit_reason", "an exit reason needs an exit date")
    out: dict[str, list[Stint]] = {}
    ordered = sorted(rows, key=lambda r: (r.person, r.start_on, r.line))
    for person, group in groupby(ordered, key=lambda r: r.person):
        mine = list(group)
        stints: list[Stint] = []
        spells: list[Spell] = []
        for i, row in enumerate(mine):
            nxt = mine[i + 1] if i + 1 < len(mine) else None
            if nxt is not None and nxt.start_on == row.start_on:
                raise fail(nxt, "hire_date", f"{person} has two rows starting {row.start_on} (line {row.line})")
            if nxt is not None and row.end_on is not None and row.end_on > nxt.start_on:
                raise fail(nxt, "hire_date", f"{person}'s row from {nxt.start_on} overlaps line {row.line} "
                                             f"({row.start_on} to {row.end_on})")
            gap = nxt is not None and row.end_on is not None and row.end_on < nxt.start_on
            end = row.end_on if (nxt is None or gap) else nxt.start_on
            if nxt is not None and not gap and row.exit_reason is not None:
                raise fail(row, "exit_reason", f"{person} continues on line {nxt.line} the same day; "
                                               "an exit reason belongs to the last row of a stint")
            spells.append(Spell(start_on=row.start_on, end_on=end, team=row.team, position=row.position,
                                contract=row.contract))
            if nxt is None or gap:
                if end is not None and row.exit_reason is None:
                    raise fail(row, "exit_reason", f"{person} leaves on {end}: the exit needs a reason")
                stints.append(Stint(person=person, spells=tuple(spells), exit_reason=row.exit_reason,
                                    destination=row.destination))
                spells = []
        out[person] = stints
    return out
