"""The desk's catalogue use cases: the category tree (``manage_directory``), knowledge scripts (edited with
``edit_scripts``, searched by anyone who works tickets), post-call surveys (CSAT: imported, or entered on the
agent screen). Every change of a category or script is written to the audit log in the same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.desk import Category
from callops.desk.categories import DEFAULT_NODES, CategoryNode, CategoryTree, NewCategory, check_label
from callops.desk.csat import SurveyChannel, SurveyRow, check_score
from callops.desk.scripts import ReadingTime, check_script, reading_time
from callops.errors import InvalidInput, PermissionDenied
from callops.permissions import Permission, allowed
from callops.store.audit_log import write_entry
from callops.store.desk_catalog import (
    MAX_SEARCH,
    CsatImport,
    Script,
    find_call,
    get_script,
    import_surveys,
    insert_category,
    insert_script,
    load_categories,
    record_survey,
    search_scripts,
    update_category,
    update_script,
)
from callops.store.users import User

__all__ = ["category_tree", "resolve_category", "add_category", "relabel_category", "retire_category",
           "ScriptView", "find_scripts", "save_script", "retire_script", "import_csat", "enter_survey",
           "MAX_QUERY"]

MAX_QUERY = 100  # characters of a script search
MAX_WORDS = 5


def _require(user: User, permission: Permission) -> None:
    if not allowed(user.role, permission):
        raise PermissionDenied(f"the {user.role.value} role lacks the right {permission.value}")


def category_tree(conn: sa.Connection) -> CategoryTree:
    """The site's tree: the stored nodes, and the six defaults wherever none is stored under their key (a
    database emptied by hand still offers them; the first change stores them, see :func:`_store_defaults`)."""
    stored = load_categories(conn)
    keys = {n.key for n in stored}
    return CategoryTree([*stored, *(d for d in DEFAULT_NODES if d.key not in keys)])


def _store_defaults(conn: sa.Connection, *, now: dt.datetime) -> None:
    """Store the defaults not stored yet, so that a change may refer to them (a child's parent, a rename)."""
    keys = {n.key for n in load_categories(conn)}
    for node in DEFAULT_NODES:
        if node.key not in keys:
            insert_category(conn, node, now=now)


def resolve_category(conn: sa.Connection, text: str, *, field: str = "category") -> tuple[Category, str]:
    """The kind and node key an agent files a contact or ticket under: a live node of the tree."""
    node = category_tree(conn).choose(text or "other", field=field)
    return node.kind, node.key


def _audit(conn: sa.Connection, user: User, *, now: dt.datetime, node: CategoryNode | None,
           before: CategoryNode | None, action: str) -> None:
    def state(n: CategoryNode | None) -> dict[str, object] | None:
        return None if n is None else {"parent": n.parent, "kind": n.kind.value, "label_en": n.label_en,
                                       "label_zh": n.label_zh, "retired": n.retired}
    either = node or before
    key = either.key if either is not None else ""
    write_entry(conn, at=now, actor=user.username, entity="desk_category", key=key, action=action,
                before=state(before), after=state(node))


def add_category(conn: sa.Connection, user: User, new: NewCategory, *, now: dt.datetime) -> CategoryNode:
    """A new node (top level with a kind, or under a live top-level node), audited."""
    _require(user, Permission.MANAGE_DIRECTORY)
    _store_defaults(conn, now=now)
    node = category_tree(conn).check_new(new)
    insert_category(conn, node, now=now)
    _audit(conn, user, now=now, node=node, before=None, action="desk_category.added")
    return node


def relabel_category(conn: sa.Connection, user: User, key: str, *, label_en: str, label_zh: str,
                     now: dt.datetime) -> CategoryNode:
    """New labels for ``key`` (its key, kind and history stay), audited."""
    _require(user, Permission.MANAGE_DIRECTORY)
    _store_defaults(conn, now=now)
    before = category_tree(conn).get(key, field="key")
    en, zh = check_label(label_en, field="label_en"), check_label(label_zh, field="label_zh")
    node = CategoryNode(before.key, before.parent, before.kind, en, zh, before.sort, before.retired)
    if node != before:
        update_category(conn, before.key, {"label_en": en, "label_zh": zh})
        _audit(conn, user, now=now, node=node, before=before, action="desk_category.renamed")
    return node


def retire_category(conn: sa.Connection, user: User, key: str, *, retired: bool, now: dt.datetime) -> CategoryNode:
    """Retire ``key`` (no longer offered; tickets keep it) or bring it back, audited. At least one top-level
    category stays live; a second-level one comes back only under a live parent."""
    _require(user, Permission.MANAGE_DIRECTORY)
    _store_defaults(conn, now=now)
    tree = category_tree(conn)
    before = tree.get(key, field="key")
    if retired and before.parent is None:
        live_tops = [n for n in tree.nodes.values() if n.parent is None and not n.retired and n.key != before.key]
        if not live_tops:
            raise InvalidInput("at least one top-level category must stay", field="key")
    if not retired and before.parent is not None and tree.get(before.parent).retired:
        raise InvalidInput(f"its parent {before.parent!r} is retired: bring that back first", field="key")
    node = CategoryNode(before.key, before.parent, before.kind, before.label_en, before.label_zh, before.sort,
                        retired)
    if node != before:
        update_category(conn, before.key, {"retired_at": now if retired else None})
        _audit(conn, user, now=now, node=node, before=before,
               action="desk_category.retired" if retired else "desk_category.restored")
    return node


@dataclass(frozen=True, slots=True)
class ScriptView:
    script: Script
    reading: ReadingTime


def _may_read_scripts(user: User) -> None:
    if not (allowed(user.role, Permission.WORK_TICKETS) or allowed(user.role, Permission.EDIT_SCRIPTS)):
        raise PermissionDenied(f"the {user.role.value} role lacks the right {Permission.WORK_TICKETS.value}")


def find_scripts(conn: sa.Connection, user: User, *, query: str = "", category: str | None = None,
                 include_retired: bool = False, limit: int = MAX_SEARCH) -> list[ScriptView]:
    """Scripts containing every word of ``query`` (at most 5 words, 100 characters), of ``category`` and its
    second-level categories when given, with their length and reading time; at most ``limit`` (1-20)."""
    _may_read_scripts(user)
    if len(query) > MAX_QUERY:
        raise InvalidInput(f"at most {MAX_QUERY} characters", field="q")
    words = query.split()
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"at most {MAX_WORDS} words", field="q")
    if not 1 <= limit <= MAX_SEARCH:
        raise InvalidInput(f"limit must be 1-{MAX_SEARCH}", field="limit")
    keys: list[str] | None = None
    if category:
        tree = category_tree(conn)
        node = tree.get(category, field="category")
        keys = [node.key, *(n.key for n in tree.nodes.values() if n.parent == node.key)]
    rows = search_scripts(conn, words=words, categories=keys,
                          include_retired=include_retired and allowed(user.role, Permission.EDIT_SCRIPTS),
                          limit=limit)
    return [ScriptView(s, reading_time(s.body, s.language)) for s in rows]


def save_script(conn: sa.Connection, user: User, *, script_id: int | None, category: str, title: str, body: str,
                language: str, now: dt.datetime) -> int:
    """Add a script (``script_id`` None) or replace one's category, title, body and language; audited."""
    _require(user, Permission.EDIT_SCRIPTS)
    _store_defaults(conn, now=now)
    node = category_tree(conn).choose(category, field="category")
    title, body, language = check_script(title, body, language)
    after = {"category": node.key, "title": title, "body": body, "language": language}
    if script_id is None:
        script_id = insert_script(conn, category_key=node.key, title=title, body=body, language=language, now=now,
                                  by=user.username)
        before = None
    else:
        old = get_script(conn, script_id)
        before = {"category": old.category_key, "title": old.title, "body": old.body, "language": old.language}
        update_script(conn, script_id, {"category_key": node.key, "title": title, "body": body,
                                        "language": language, "updated_at": now, "updated_by": user.username})
    write_entry(conn, at=now, actor=user.username, entity="desk_script", key=str(script_id),
                action="desk_script.added" if before is None else "desk_script.edited", before=before, after=after)
    return script_id


def retire_script(conn: sa.Connection, user: User, script_id: int, *, retired: bool, now: dt.datetime) -> None:
    """Retire a script (no longer found by agents) or bring it back; audited."""
    _require(user, Permission.EDIT_SCRIPTS)
    old = get_script(conn, script_id)
    if old.retired == retired:
        return
    update_script(conn, script_id, {"retired_at": now if retired else None, "updated_at": now,
                                    "updated_by": user.username})
    write_entry(conn, at=now, actor=user.username, entity="desk_script", key=str(script_id),
                action="desk_script.retired" if retired else "desk_script.restored",
                before={"retired": old.retired}, after={"retired": retired})


def import_csat(conn: sa.Connection, rows: list[SurveyRow], *, file: str) -> CsatImport:
    """Post-call surveys from a checked file, all or nothing; a repeated import adds nothing."""
    return import_surveys(conn, rows, file=file)


def enter_survey(conn: sa.Connection, user: User, *, call: str, score: str, channel: str, now: dt.datetime,
                 at: dt.datetime | None = None) -> bool:
    """A survey result typed on the agent screen for one of the user's calls (any call with view_all_calls);
    it replaces the call's earlier survey (True then)."""
    _require(user, Permission.WORK_TICKETS)
    value = check_score(score)
    try:
        kind = SurveyChannel(channel.strip().lower())
    except ValueError:
        raise InvalidInput(f"{channel!r} is not ivr or sms", field="channel") from None
    row = find_call(conn, call.strip())
    if not allowed(user.role, Permission.VIEW_ALL_CALLS) and row.agent != user.agent_id:
        raise PermissionDenied(f"call {call!r} was not taken by this user's agent")
    when = at or now
    if when > now:
        raise InvalidInput("a survey cannot be in the future", field="at")
    return record_survey(conn, row, score=value, channel=kind, at=when, by=user.username)
