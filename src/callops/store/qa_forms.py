"""Scorecards stored as versions (``qa_scorecards``), and the JSON forms of scorecards and answers.

Saving a form under a name again makes the next version; evaluations keep the row id of the version
they were scored on, so an old evaluation always shows its own form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput, NotFound
from callops.quality import Answer, ItemKind, Scorecard, ScorecardItem, Section, starter_scorecard
from callops.store.engine import new_id
from callops.store.schema import qa_scorecards

__all__ = ["StoredScorecard", "scorecard_to_json", "scorecard_from_json", "answers_to_json", "answers_from_json",
           "save_scorecard", "load_scorecard", "latest_scorecard", "list_scorecards", "scorecard_versions",
           "scorecard_version", "ensure_starter_scorecard"]


@dataclass(frozen=True, slots=True)
class StoredScorecard:
    scorecard_id: int
    form: Scorecard
    created_at: dt.datetime
    created_by: str | None


def scorecard_to_json(form: Scorecard) -> dict[str, Any]:
    """The form's definition (its name and version live in their own columns)."""
    return {
        "title": form.title, "total": form.total, "pass_score": form.pass_score, "applies_to": list(form.applies_to),
        "sections": [{"section_id": s.section_id, "title": s.title, "items": [
            {"item_id": i.item_id, "label": i.label, "kind": i.kind.value, "points": i.points, "cap": i.cap,
             "scale_max": i.scale_max, "description": i.description, "examples": list(i.examples)}
            for i in s.items]} for s in form.sections],
    }


def scorecard_from_json(form_id: str, version: int, data: Mapping[str, Any]) -> Scorecard:
    try:
        sections = tuple(
            Section(str(s["section_id"]), str(s["title"]), tuple(
                ScorecardItem(str(i["item_id"]), str(i["label"]), ItemKind(i["kind"]), points=float(i["points"]),
                              cap=None if i.get("cap") is None else float(i["cap"]),
                              scale_max=float(i.get("scale_max", 5.0)), description=str(i.get("description", "")),
                              examples=tuple(str(e) for e in i.get("examples", ())))
                for i in s["items"]))
            for s in data["sections"])
        return Scorecard(form_id, version, str(data["title"]), sections, total=float(data.get("total", 100.0)),
                         pass_score=float(data.get("pass_score", 80.0)),
                         applies_to=tuple(str(a) for a in data.get("applies_to", ())))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"malformed scorecard definition: {exc}", field="definition") from exc


def answers_to_json(answers: Mapping[str, Answer]) -> dict[str, Any]:
    return {item: {"value": a.value, "comment": a.comment, "time_marks_s": list(a.time_marks_s)}
            for item, a in sorted(answers.items())}


def answers_from_json(data: Mapping[str, Any]) -> dict[str, Answer]:
    out = {}
    for item, a in data.items():
        value = a["value"]
        out[str(item)] = Answer(value if isinstance(value, bool) else float(value), str(a.get("comment", "")),
                                tuple(float(t) for t in a.get("time_marks_s", ())))
    return out


def _stored(row: sa.Row[Any]) -> StoredScorecard:
    return StoredScorecard(int(row.id), scorecard_from_json(row.name, int(row.version), row.definition),
                           row.created_at, row.created_by)


def save_scorecard(conn: sa.Connection, form: Scorecard, *, by: str | None, now: dt.datetime,
                   queue: str | None = None, campaign: str | None = None,
                   after_version: int | None = None) -> StoredScorecard:
    """Store ``form`` as the next version of its form id (the version in ``form`` is replaced).

    ``after_version``: the newest version the editor saw (0 for none); another version saved since is a
    ``Conflict``, so one lead's edit never silently replaces another's.
    """
    latest = conn.execute(sa.select(sa.func.max(qa_scorecards.c.version))
                          .where(qa_scorecards.c.name == form.form_id)).scalar_one()
    if after_version is not None and (latest or 0) != after_version:
        raise Conflict(f"form {form.form_id} is at version {latest or 0} now, not {after_version}: "
                       "someone saved a version meanwhile; open the editor again")
    versioned = replace(form, version=(latest or 0) + 1)
    result = conn.execute(qa_scorecards.insert().values(
        name=form.form_id, version=versioned.version, queue=queue, campaign=campaign,
        definition=scorecard_to_json(versioned), created_at=now, created_by=by))
    return load_scorecard(conn, new_id(result))


def load_scorecard(conn: sa.Connection, scorecard_id: int) -> StoredScorecard:
    row = conn.execute(sa.select(qa_scorecards).where(qa_scorecards.c.id == scorecard_id)).first()
    if row is None:
        raise NotFound(f"no scorecard with id {scorecard_id}")
    return _stored(row)


def latest_scorecard(conn: sa.Connection, name: str) -> StoredScorecard:
    row = conn.execute(sa.select(qa_scorecards).where(qa_scorecards.c.name == name)
                       .order_by(qa_scorecards.c.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"no scorecard {name!r}")
    return _stored(row)


def list_scorecards(conn: sa.Connection) -> list[StoredScorecard]:
    """Every stored version, by name then version."""
    rows = conn.execute(sa.select(qa_scorecards).order_by(qa_scorecards.c.name, qa_scorecards.c.version))
    return [_stored(r) for r in rows]


def scorecard_versions(conn: sa.Connection, name: str) -> list[StoredScorecard]:
    """Every version of form ``name``, oldest first."""
    rows = conn.execute(sa.select(qa_scorecards).where(qa_scorecards.c.name == name)
                        .order_by(qa_scorecards.c.version))
    return [_stored(r) for r in rows]


def scorecard_version(conn: sa.Connection, name: str, version: int) -> StoredScorecard:
    row = conn.execute(sa.select(qa_scorecards).where(qa_scorecards.c.name == name,
                                                      qa_scorecards.c.version == version)).first()
    if row is None:
        raise NotFound(f"scorecard {name!r} has no version {version}")
    return _stored(row)


def ensure_starter_scorecard(conn: sa.Connection, *, now: dt.datetime) -> StoredScorecard:
    """The newest version of the starter form, storing version 1 first if there is none."""
    form = starter_scorecard()
    try:
        return latest_scorecard(conn, form.form_id)
    except NotFound:
        return save_scorecard(conn, form, by=None, now=now)
