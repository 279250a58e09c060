"""The best-call library: anonymous nominations, one vote per person, the supervisor's picks.

    library_calls(conn, picked_only=False)               # [(LibraryEntry, Call)]: picked first, then by votes
    nominate_call(conn, user, call_pk, reason=..., now=now)  # (LibraryEntry, Call); NotFound: no such call
    vote_for_call(conn, user, call_pk, now=now)          # Conflict: voted already
    pick_call(conn, user, call_pk, now=now)              # decide_appeals only

Who nominated a call is never part of an answer. The pages and the API both go through here.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.permissions import Permission
from callops.records import Call
from callops.services.qa_access import require_any
from callops.store.qa_library import LibraryEntry, library, nominate, pick, vote
from callops.store.qa_reviews import load_call
from callops.store.users import User

__all__ = ["LibraryEntry", "library_calls", "nominate_call", "pick_call", "vote_for_call"]


def library_calls(conn: sa.Connection, *, picked_only: bool = False) -> list[tuple[LibraryEntry, Call]]:
    """The nominated calls with their stored call, picked first, then by votes."""
    return [(entry, load_call(conn, entry.call_pk)) for entry in library(conn, picked_only=picked_only)]


def nominate_call(conn: sa.Connection, user: User, call_pk: int, *, reason: str,
                  now: dt.datetime) -> tuple[LibraryEntry, Call]:
    """Nominate the call (``NotFound`` if there is none) with what makes it good (``reason``, not blank);
    ``Conflict`` when ``user`` nominated it already. Returns the call's library entry after the nomination."""
    call = load_call(conn, call_pk)
    if not reason.strip():
        raise InvalidInput("say what makes the call good", field="reason")
    nominate(conn, call_pk, nominator=user.username, reason=reason.strip(), at=now)
    entry = next(e for e in library(conn) if e.call_pk == call_pk)
    return entry, call


def vote_for_call(conn: sa.Connection, user: User, call_pk: int, *, now: dt.datetime) -> None:
    """One vote per person per nominated call (``NotFound`` for a call nobody nominated)."""
    vote(conn, call_pk, voter=user.username, at=now)


def pick_call(conn: sa.Connection, user: User, call_pk: int, *, now: dt.datetime) -> None:
    """The supervisor (decide_appeals) picks a nominated call for the library."""
    require_any(user, Permission.DECIDE_APPEALS)
    pick(conn, call_pk, by=user.username, at=now)
