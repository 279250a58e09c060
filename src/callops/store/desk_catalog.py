"""The desk's catalogue: the category tree, knowledge scripts and their search, post-call surveys (CSAT) and
the agent's saved contact forms (after-call work). Writes stay in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from callops.desk import Category
from callops.desk.categories import CategoryNode
from callops.desk.csat import SurveyChannel, SurveyRow
from callops.desk.search_terms import index_terms, query_terms
from callops.errors import InvalidInput, NotFound
from callops.records import AgentInterval, AgentState
from callops.store.imports import finish_import, lock_for_writing, start_import
from callops.store.kpi_aggregates import TouchedBuckets
from callops.store.kpi_aggregates import refresh as refresh_aggregates
from callops.store.records import FORM_ACW_SOURCE, form_acw_overlapped, insert_intervals
from callops.store.schema import calls, csat_surveys, desk_categories, desk_contacts, desk_scripts, live_events
from callops.store.types import to_millis

__all__ = ["load_categories", "insert_category", "update_category", "Script", "get_script", "insert_script",
           "update_script", "search_scripts", "CsatImport", "import_surveys", "find_call", "record_survey",
           "call_ended_at", "record_form_acw", "insert_contact", "MAX_SEARCH"]

MAX_SEARCH = 20  # scripts one search returns
_CHUNK = 900


def load_categories(conn: sa.Connection) -> list[CategoryNode]:
    """Every node of the tree, retired ones too."""
    d = desk_categories.c
    return [CategoryNode(r.key, r.parent, Category(r.kind), r.label_en, r.label_zh, int(r.sort),
                         r.retired_at is not None)
            for r in conn.execute(sa.select(desk_categories).order_by(d.sort, d.key))]


def insert_category(conn: sa.Connection, node: CategoryNode, *, now: dt.datetime) -> None:
    conn.execute(desk_categories.insert().values(key=node.key, parent=node.parent, kind=node.kind.value,
                                                 label_en=node.label_en, label_zh=node.label_zh, sort=node.sort,
                                                 created_at=now, retired_at=None))


def update_category(conn: sa.Connection, key: str, values: dict[str, Any]) -> None:
    conn.execute(desk_categories.update().where(desk_categories.c.key == key).values(values))


@dataclass(frozen=True, slots=True)
class Script:
    id: int
    category_key: str
    title: str
    body: str
    language: str
    updated_at: dt.datetime
    updated_by: str
    retired: bool

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "category": self.category_key, "title": self.title, "body": self.body,
                "language": self.language, "updated_at": self.updated_at.isoformat(),
                "updated_by": self.updated_by, "retired": self.retired}


def _script(row: sa.Row[Any]) -> Script:
    m = row._mapping
    return Script(int(m["id"]), m["category_key"], m["title"], m["body"], m["language"], m["updated_at"],
                  m["updated_by"], m["retired_at"] is not None)


def get_script(conn: sa.Connection, script_id: int) -> Script:
    row = conn.execute(sa.select(desk_scripts).where(desk_scripts.c.id == script_id)).first()
    if row is None:
        raise NotFound(f"no script {script_id}")
    return _script(row)


def insert_script(conn: sa.Connection, *, category_key: str, title: str, body: str, language: str,
                  now: dt.datetime, by: str) -> int:
    result = conn.execute(desk_scripts.insert().returning(desk_scripts.c.id).values(
        category_key=category_key, title=title, body=body, language=language, updated_at=now, updated_by=by,
        retired_at=None, search_terms=index_terms(title, body)))
    return int(result.scalar_one())


def update_script(conn: sa.Connection, script_id: int, values: dict[str, Any]) -> None:
    """Change a script's columns; a new title or body renews its full-text terms."""
    if "title" in values or "body" in values:
        if "title" not in values or "body" not in values:
            old = get_script(conn, script_id)
            values = {"title": old.title, "body": old.body, **values}
        values = {**values, "search_terms": index_terms(values["title"], values["body"])}
    conn.execute(desk_scripts.update().where(desk_scripts.c.id == script_id).values(values))


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _has_terms(conn: sa.Connection, terms: Sequence[str]) -> sa.ColumnElement[bool]:
    """Scripts whose full-text terms include every one of ``terms``, through the index of migration 0025."""
    s = desk_scripts.c
    if conn.dialect.name == "postgresql":
        # the very expression of the GIN index (a literal separator, so that a prepared statement still uses it)
        as_array = sa.func.string_to_array(s.search_terms, sa.literal_column("' '"), type_=ARRAY(sa.Text))
        return as_array.contains(sa.cast(list(terms), ARRAY(sa.Text)))
    match = " ".join(f'"{t}"' for t in terms)  # a term is letters and digits only: no quote to escape
    return s.id.in_(sa.select(sa.literal_column("rowid")).select_from(sa.table("desk_scripts_fts"))
                    .where(sa.literal_column("desk_scripts_fts").op("MATCH")(match)))


def _caseless(word: str) -> bool:
    return word.lower() == word == word.upper()


def _contains(column: sa.ColumnElement[str], word: str) -> sa.ColumnElement[bool]:
    """``column`` contains ``word``: ILIKE, or LIKE for a word without letter case (Chinese, digits), which
    gives the same answer without lower-casing every text (on PostgreSQL six times cheaper)."""
    pattern = _like_pattern(word)
    return column.like(pattern, escape="\\") if _caseless(word) else column.ilike(pattern, escape="\\")


def _term_decides(word: str) -> bool:
    """Whether the index alone decides that a script contains ``word``: two letters or digits without case
    (两字 words like 账单) are their own single bigram, so a script holds the term exactly when it holds the word."""
    return len(word) == 2 and word.isalnum() and _caseless(word)


def search_scripts(conn: sa.Connection, *, words: Sequence[str], categories: Sequence[str] | None,
                   include_retired: bool = False, limit: int = MAX_SEARCH) -> list[Script]:
    """Scripts whose title or body contains every word (case-insensitive: ILIKE on PostgreSQL, LIKE on SQLite,
    which folds ASCII case only), in ``categories`` when given, at most ``limit``: those with more of the words
    in their title first, then the newest.

    The full-text index (character bigrams, ``callops.desk.search_terms``) picks the candidates when a word has
    two characters or more, and the ``LIKE`` check decides, so the answer is the one a scan gives."""
    s = desk_scripts.c
    query = sa.select(desk_scripts)
    terms = query_terms(words)
    if terms:
        query = query.where(_has_terms(conn, terms))
    in_title: sa.ColumnElement[Any] = sa.literal(0)
    for word in words:
        if not _term_decides(word):
            query = query.where(sa.or_(_contains(s.title, word), _contains(s.body, word)))
        in_title = in_title + sa.case((_contains(s.title, word), 1), else_=0)
    if categories is not None:
        query = query.where(s.category_key.in_(list(categories)) if categories else sa.false())
    if not include_retired:
        query = query.where(s.retired_at.is_(None))
    ranking = [in_title.desc()] if words else []
    query = query.order_by(*ranking, s.updated_at.desc(), s.id.desc()).limit(limit)
    return [_script(r) for r in conn.execute(query)]


@dataclass(frozen=True, slots=True)
class CsatImport:
    inserted: int
    duplicates: int


def _calls_by_key(conn: sa.Connection, rows: Sequence[SurveyRow]) -> dict[tuple[str | None, str], list[Any]]:
    """The real calls each row's (source, call id) names: a list, since one id may occur at several sources."""
    c = calls.c
    found: dict[tuple[str | None, str], list[Any]] = {}
    wanted = sorted({r.call for r in rows})
    for i in range(0, len(wanted), _CHUNK):
        query = sa.select(c.id, c.source, c.source_call_id, c.scenario, c.started_at, c.agent).where(
            c.source_call_id.in_(wanted[i:i + _CHUNK]), c.scenario.is_(None))
        for r in conn.execute(query):
            found.setdefault((r.source, r.source_call_id), []).append(r)
            found.setdefault((None, r.source_call_id), []).append(r)
    return found


def find_call(conn: sa.Connection, call: str, source: str | None = None) -> Any:
    """The one real call with id ``call`` (at ``source``); InvalidInput naming ``call`` when none or several."""
    row = SurveyRow(call, source, 1, SurveyChannel.IVR, dt.datetime.now(dt.UTC), 0)
    matches = _calls_by_key(conn, [row]).get((source, call), [])
    if not matches:
        raise InvalidInput(f"no call {call!r} in the call records" + (f" of source {source!r}" if source else ""),
                           field="call")
    if len(matches) > 1:
        raise InvalidInput(f"call id {call!r} occurs at {len(matches)} sources: add the source column",
                           field="call")
    return matches[0]


def _existing_surveys(conn: sa.Connection, call_ids: Sequence[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for i in range(0, len(call_ids), _CHUNK):
        query = sa.select(csat_surveys).where(csat_surveys.c.call_id.in_(call_ids[i:i + _CHUNK]))
        out.update({int(r.call_id): r for r in conn.execute(query)})
    return out


def _apply(conn: sa.Connection, rows: Sequence[tuple[Any, int]], touched: TouchedBuckets) -> None:
    """Set each call's csat (what the KPI layer reads) and note its pre-aggregate bucket."""
    for call, score in rows:
        conn.execute(calls.update().where(calls.c.id == call.id).values(csat=score))
        touched.add(call.scenario, to_millis(call.started_at))


def import_surveys(conn: sa.Connection, rows: Sequence[SurveyRow], *, file: str) -> CsatImport:
    """Store each row's survey and set its call's csat, all or nothing: a call that is not in the records, or
    that already has a different survey, stops the import naming the line. A survey stored before is counted
    as a duplicate (a repeated import adds nothing)."""
    lock_for_writing(conn)
    import_id = start_import(conn, "csat", [file])
    by_key = _calls_by_key(conn, rows)
    resolved: list[tuple[SurveyRow, Any]] = []
    for row in rows:
        matches = by_key.get((row.source, row.call), [])
        if len(matches) != 1:
            reason = (f"no call {row.call!r} in the call records" if not matches else
                      f"call id {row.call!r} occurs at {len(matches)} sources: add the source column")
            raise InvalidInput(reason, file=file, line=row.line, field="call")
        resolved.append((row, matches[0]))
    existing = _existing_surveys(conn, sorted({int(call.id) for _, call in resolved}))
    new: list[tuple[SurveyRow, Any]] = []
    for row, call in resolved:
        old = existing.get(int(call.id))
        if old is None:
            new.append((row, call))
        elif (int(old.score), old.channel, old.at) != (row.score, row.channel.value, row.at):
            raise InvalidInput(f"call {row.call!r} already has a survey (score {old.score} by {old.channel} at "
                               f"{old.at.isoformat()})", file=file, line=row.line, field="call")
    if new:
        conn.execute(csat_surveys.insert(), [
            {"call_id": int(call.id), "score": row.score, "channel": row.channel.value, "at": row.at,
             "entered_by": "import", "import_id": import_id} for row, call in new])
        touched = TouchedBuckets()
        _apply(conn, [(call, row.score) for row, call in new], touched)
        refresh_aggregates(conn, touched)
    finish_import(conn, import_id, inserted=len(new), duplicates=len(rows) - len(new), rejected=0, skipped=0)
    return CsatImport(len(new), len(rows) - len(new))


def record_survey(conn: sa.Connection, call: Any, *, score: int, channel: SurveyChannel, at: dt.datetime,
                  by: str) -> bool:
    """Store (or replace) the survey of ``call`` entered by hand and set the call's csat; True when replaced."""
    old = _existing_surveys(conn, [int(call.id)]).get(int(call.id))
    values = {"score": score, "channel": channel.value, "at": at, "entered_by": by[:80], "import_id": None}
    if old is None:
        conn.execute(csat_surveys.insert().values(call_id=int(call.id), **values))
    else:
        conn.execute(csat_surveys.update().where(csat_surveys.c.call_id == int(call.id)).values(values))
    touched = TouchedBuckets()
    _apply(conn, [(call, score)], touched)
    refresh_aggregates(conn, touched)
    return old is not None


def call_ended_at(conn: sa.Connection, call_id: str, *, since: dt.datetime, until: dt.datetime) -> dt.datetime | None:
    """When the live call ``call_id`` ended (its latest ``call_ended`` event in ``[since, until]``), or None."""
    e = live_events.c
    return conn.execute(
        sa.select(e.at).where(e.call_id == call_id, e.kind == "call_ended", e.at >= since, e.at <= until)
        .order_by(e.at.desc()).limit(1)).scalar_one_or_none()


def record_form_acw(conn: sa.Connection, agent: str, *, start_at: dt.datetime, end_at: dt.datetime) -> bool:
    """Write ``agent``'s after-call work from the call's end to the form's save as an agent state interval
    (source ``callops-desk``), unless something else already says what the agent did then: a live event of the
    agent after the call's end (a state set by the agent or the phone system, another call ringing) or an
    interval of another source overlapping it. True when written (a second form on the same call adds none)."""
    e = live_events.c
    later = conn.execute(sa.select(e.id).where(e.agent == agent, e.at >= start_at, e.at <= end_at,
                                               e.kind != "call_ended").limit(1)).first()
    if later is not None or form_acw_overlapped(conn, agent, start_at, end_at):
        return False
    written = insert_intervals(conn, [AgentInterval(source=FORM_ACW_SOURCE, agent=agent,
                                                    state=AgentState.AFTER_CALL_WORK, start_at=start_at,
                                                    end_at=end_at)])
    return written.inserted == 1


def insert_contact(conn: sa.Connection, values: dict[str, Any]) -> int:
    result = conn.execute(desk_contacts.insert().returning(desk_contacts.c.id).values(values))
    return int(result.scalar_one())
