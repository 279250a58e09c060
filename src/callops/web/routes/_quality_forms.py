"""What the QA pages' forms share: the redirect after a post, a refused form's status, errors placed beside
an evaluation form's items, length limits, and how a page offers a call's recording."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.responses import RedirectResponse, Response

from callops.errors import CallopsError, InvalidInput
from callops.quality import Scorecard
from callops.services.qa_recordings import recording_kind
from callops.web.form_input import TOO_LONG, field_errors
from callops.web.i18n import Translator
from callops.web.routes._quality_shared import answer_fields

__all__ = ["see_other", "refused_status", "answer_errors", "check_lengths", "recording_offer"]


def see_other(path: str) -> Response:
    """The answer to a form accepted: read ``path`` next (303)."""
    return RedirectResponse(path, status_code=303)


def refused_status(exc: Exception) -> int:
    """A refused form's status: 409 for a conflict (the state moved on), 400 for a bad value."""
    return exc.http_status if isinstance(exc, CallopsError) else 400


def answer_errors(exc: Exception, t: Translator, form: Scorecard, *, only: set[str] | None = None,
                  extra: tuple[str, ...] = ()) -> dict[str, str]:
    """``field_errors`` for an evaluation form: a scoring error naming an item goes beside that item's value."""
    if isinstance(exc, InvalidInput) and exc.field in {i.item_id for i in form.items}:
        exc = InvalidInput(exc.reason, field=f"v_{exc.field}")
    return field_errors(exc, t, (*answer_fields(form, only=only), *extra))


def check_lengths(values: dict[str, str], limits: dict[str, int]) -> None:
    """``InvalidInput`` naming the first field longer than its limit (characters)."""
    for field, most in limits.items():
        if len(values.get(field, "")) > most:
            raise InvalidInput(TOO_LONG, field=field)


def recording_offer(conn: sa.Connection, ref: str | None) -> dict[str, str] | None:
    """How the page offers the recording: an <audio> player, a link, or the reference as text."""
    kind = recording_kind(conn, ref)
    return None if kind is None or ref is None else {"kind": kind, "ref": ref}
