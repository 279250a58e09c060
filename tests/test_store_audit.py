"""The QA audit log is append-only in the database itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from callops.store.schema import qa_audit


def test_audit_rows_cannot_be_changed_or_deleted(engine: sa.Engine) -> None:
    """UPDATE and DELETE on qa_audit fail on SQLite and PostgreSQL; INSERT works."""
    with engine.begin() as conn:
        conn.execute(qa_audit.insert().values(at=0, actor="qa1", action="score", subject="evaluation:1",
                                              details={"score": 90}))
    for statement in (qa_audit.update().values(actor="someone else"), qa_audit.delete()):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        assert conn.execute(sa.select(qa_audit.c.actor)).scalars().all() == ["qa1"]
