"""The general audit log: every administrative change, who made it and when, the entity before and after.

    write_entry(conn, at=now, actor="admin", entity="queue", key="billing", action="queue.saved",
                before={"sl_target_pct": 80.0}, after={"sl_target_pct": 85.0})
    list_entries(conn, entity="queue", actor="admin", since=..., until=..., limit=100)

The table is append-only: the database refuses UPDATE and DELETE (migration 0016). No password or hash is
ever written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.store.schema import audit_log

__all__ = ["ENTITIES", "AuditEntry", "count_entries", "list_entries", "write_entry"]

ENTITIES = ("user", "team", "agent", "queue", "site", "plan", "contact_policy", "desk_category", "desk_script")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    entity: str
    key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field that differs, in field order."""
        old, new = self.before or {}, self.after or {}
        fields = list(dict.fromkeys([*old, *new]))
        return [(f, old.get(f), new.get(f)) for f in fields if old.get(f) != new.get(f)]


def write_entry(conn: sa.Connection, *, at: dt.datetime, actor: str, entity: str, key: str, action: str,
                before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    conn.execute(audit_log.insert().values(at=at, actor=actor[:80], entity=entity, entity_key=key[:120],
                                           action=action, before=before, after=after))


def _where(*, entity: str | None, key: str | None, actor: str | None, since: dt.datetime | None,
           until: dt.datetime | None) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if entity:
        where.append(audit_log.c.entity == entity)
    if key:
        where.append(audit_log.c.entity_key == key)
    if actor:
        where.append(audit_log.c.actor == actor)
    if since is not None:
        where.append(audit_log.c.at >= since)
    if until is not None:
        where.append(audit_log.c.at < until)
    return where


def list_entries(conn: sa.Connection, *, entity: str | None = None, key: str | None = None,
                 actor: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None,
                 limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """Entries matching every filter given, newest first, at most ``limit`` from ``offset``."""
    query = (sa.select(audit_log).where(*_where(entity=entity, key=key, actor=actor, since=since, until=until))
             .order_by(audit_log.c.id.desc()).limit(limit).offset(offset))
    return [AuditEntry(id=int(r.id), at=r.at, actor=r.actor, entity=r.entity, key=r.entity_key, action=r.action,
                       before=r.before, after=r.after) for r in conn.execute(query)]


def count_entries(conn: sa.Connection, *, entity: str | None = None, key: str | None = None,
                  actor: str | None = None, since: dt.datetime | None = None,
                  until: dt.datetime | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(audit_log).where(
        *_where(entity=entity, key=key, actor=actor, since=since, until=until))
    return int(conn.execute(query).scalar_one())
