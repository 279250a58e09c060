"""The best-call library, QA duty and site settings in the store."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import Conflict, NotFound
from callops.records import Call, Direction, Outcome
from callops.store.qa_library import (
    LibraryEntry,
    get_setting,
    grant_duty,
    library,
    nominate,
    on_duty,
    pick,
    set_setting,
    vote,
)
from callops.store.records import insert_calls
from callops.store.schema import calls

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _call_ids(conn: sa.Connection) -> list[int]:
    at = NOW - dt.timedelta(days=1)
    insert_calls(conn, [Call(source="t", source_call_id=f"c{i}", direction=Direction.INBOUND,
                             outcome=Outcome.ANSWERED, queue_entered_at=at, answered_at=at, agent="A1", talk_s=60.0)
                        for i in range(2)])
    return [int(i) for i in conn.execute(sa.select(calls.c.id).order_by(calls.c.id)).scalars()]


def test_library_never_names_nominators(engine: sa.Engine) -> None:
    """Entries carry reasons, votes and the pick, and no field holds who nominated."""
    assert "nominator" not in {f.name for f in dataclasses.fields(LibraryEntry)}
    with engine.begin() as conn:
        first, second = _call_ids(conn)
        nominate(conn, first, nominator="amy", reason="calm", at=NOW)
        nominate(conn, first, nominator="bob", reason="clear", at=NOW)
        nominate(conn, second, nominator="amy", reason="warm", at=NOW)
        with pytest.raises(Conflict):
            nominate(conn, first, nominator="amy", reason="again", at=NOW)
        vote(conn, second, voter="bob", at=NOW)
        with pytest.raises(Conflict):
            vote(conn, second, voter="bob", at=NOW)
        pick(conn, first, by="boss", at=NOW)
        entries = library(conn)
        assert [(e.call_pk, e.nominations, e.votes, e.picked) for e in entries] == [(first, 2, 0, True),
                                                                                   (second, 1, 1, False)]
        assert entries[0].reasons == ("calm", "clear")
        assert [e.call_pk for e in library(conn, picked_only=True)] == [first]
        with pytest.raises(NotFound):
            vote(conn, 999_999, voter="bob", at=NOW)


def test_duty_holds_only_within_its_period(engine: sa.Engine) -> None:
    """A user granted QA duty is on duty from its start up to (not including) its end."""
    with engine.begin() as conn:
        grant_duty(conn, "amy", start_at=NOW, end_at=NOW + dt.timedelta(days=7), granted_by="boss")
        assert on_duty(conn, NOW) == {"amy"}
        assert on_duty(conn, NOW - dt.timedelta(seconds=1)) == set()
        assert on_duty(conn, NOW + dt.timedelta(days=7)) == set()


def test_settings_insert_then_update(engine: sa.Engine) -> None:
    """A setting reads its default until set, then the latest value."""
    with engine.begin() as conn:
        assert get_setting(conn, "qa.agents_see_others", False) is False
        set_setting(conn, "qa.agents_see_others", True)
        set_setting(conn, "qa.agents_see_others", False)
        assert get_setting(conn, "qa.agents_see_others") is False
