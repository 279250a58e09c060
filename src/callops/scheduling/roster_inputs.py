"""Roster inputs from CSV text: requirements per interval and agents with contracts.

Requirements: ``interval_start,required`` with an optional ``skill`` column, local times on the rules'
interval grid, no gaps, no overlaps, no negative numbers. Agents: ``agent,contract,skills`` with optional
``weekly_hours``, ``unavailable`` and ``prefer_off`` (``;``-separated dates) and ``team``. Every error
names the file, line (the header is line 1) and field. Input is bounded before it is read.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from callops.csv_rows import CheckedDictReader
from callops.errors import InvalidInput
from callops.scheduling.roster_model import ANY_SKILL, Requirement, RosterAgent
from callops.scheduling.work_rules import WorkSystem

__all__ = ["MAX_AGENTS", "MAX_REQUIREMENT_ROWS", "parse_agents", "parse_requirements"]

MAX_REQUIREMENT_ROWS = 200_000
MAX_AGENTS = 5_000


def _rows(text: str, file: str, required: tuple[str, ...], limit: int) -> tuple[list[str], list[dict[str, str]]]:
    reader = CheckedDictReader(text.lstrip("\ufeff"), file=file)
    header = [h.strip() for h in (reader.fieldnames or [])]
    for name in required:
        if name not in header:
            raise InvalidInput(f"missing column {name!r} (columns: {', '.join(header) or 'none'})", file=file, line=1)
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= limit:
            raise InvalidInput(f"more than {limit} rows", file=file)
        rows.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    return header, rows


def parse_requirements(text: str, *, tz: zoneinfo.ZoneInfo, interval_min: int, file: str = "requirements.csv",
                       first_day: dt.date | None = None, last_day: dt.date | None = None) -> list[Requirement]:
    """Requirements from CSV; the rows of each skill must tile their span on the interval grid."""
    _, rows = _rows(text, file, ("interval_start", "required"), MAX_REQUIREMENT_ROWS)
    if not rows:
        raise InvalidInput("no requirement rows", file=file)
    seen: dict[tuple[str, dt.datetime], int] = {}
    by_skill: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    out: list[Requirement] = []
    for n, row in enumerate(rows, start=2):
        raw = row.get("interval_start", "")
        try:
            start = dt.datetime.fromisoformat(raw)
        except ValueError as exc:
            raise InvalidInput(f"{raw!r} is not a date and time", file=file, line=n, field="interval_start") from exc
        start = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
        if (start.hour * 60 + start.minute) % interval_min or start.second or start.microsecond:
            raise InvalidInput(f"{raw!r} is not on the {interval_min}-minute grid", file=file, line=n,
                               field="interval_start")
        try:
            required = int(row.get("required", ""))
        except ValueError as exc:
            raise InvalidInput(f"{row.get('required')!r} is not a whole number", file=file, line=n,
                               field="required") from exc
        if required < 0:
            raise InvalidInput(f"{required} is negative", file=file, line=n, field="required")
        skill = row.get("skill") or ANY_SKILL
        if (skill, start) in seen:
            raise InvalidInput(f"interval {raw} overlaps line {seen[(skill, start)]} (same start)", file=file,
                               line=n, field="interval_start")
        seen[(skill, start)] = n
        if first_day is not None and start.date() < first_day or last_day is not None and start.date() > last_day:
            continue
        by_skill[skill].append((start, n))
        out.append(Requirement(start, required, skill))
    step = dt.timedelta(minutes=interval_min)
    for skill, starts in by_skill.items():
        ordered = sorted(starts)
        for (a, _), (b, line) in zip(ordered, ordered[1:], strict=False):
            if b - a != step:
                raise InvalidInput(f"gap: no row from {(a + step).isoformat()} to {b.isoformat()}"
                                   + ("" if skill == ANY_SKILL else f" for skill {skill}"),
                                   file=file, line=line, field="interval_start")
    if not out:
        raise InvalidInput("no requirement rows fall in the roster's days", file=file)
    return sorted(out, key=lambda r: (r.start_at, r.skill))


def _dates(raw: str, file: str, line: int, field: str) -> frozenset[dt.date]:
    days: set[dt.date] = set()
    for part in raw.split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            days.add(dt.date.fromisoformat(part))
        except ValueError as exc:
            raise InvalidInput(f"{part!r} is not a date (YYYY-MM-DD)", file=file, line=line, field=field) from exc
    return frozenset(days)


def parse_agents(text: str, *, file: str = "agents.csv") -> list[RosterAgent]:
    """Agents from CSV: contract is one of standard, comprehensive, flexible or part_time."""
    _, rows = _rows(text, file, ("agent", "contract"), MAX_AGENTS)
    if not rows:
        raise InvalidInput("no agent rows", file=file)
    out: list[RosterAgent] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        name = row.get("agent", "")
        if not name:
            raise InvalidInput("agent is empty", file=file, line=n, field="agent")
        if name in seen:
            raise InvalidInput(f"agent {name!r} is already on line {seen[name]}", file=file, line=n, field="agent")
        seen[name] = n
        contract = row.get("contract", "")
        try:
            system = WorkSystem(contract)
        except ValueError as exc:
            known = ", ".join(s.value for s in WorkSystem)
            raise InvalidInput(f"unknown contract {contract!r}; use one of {known}", file=file, line=n,
                               field="contract") from exc
        weekly: float | None = None
        if row.get("weekly_hours"):
            try:
                weekly = float(row["weekly_hours"])
            except ValueError as exc:
                raise InvalidInput(f"{row['weekly_hours']!r} is not a number", file=file, line=n,
                                   field="weekly_hours") from exc
            if not 0 < weekly <= 60:
                raise InvalidInput(f"{weekly:g} is not between 0 and 60", file=file, line=n, field="weekly_hours")
        skills = frozenset(s.strip() for s in row.get("skills", "").split(";") if s.strip())
        out.append(RosterAgent(
            agent=name, system=system, skills=skills, weekly_hours=weekly,
            unavailable=_dates(row.get("unavailable", ""), file, n, "unavailable"),
            prefer_off=_dates(row.get("prefer_off", ""), file, n, "prefer_off"),
            team=row.get("team") or None,
        ))
    return out
