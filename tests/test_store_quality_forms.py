"""Stored scorecards: versions per name, a lossless JSON form, the starter form on demand, answers as JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import sqlalchemy as sa

from callops.errors import Conflict, NotFound
from callops.quality import Answer, starter_scorecard
from callops.store.qa_forms import (
    answers_from_json,
    answers_to_json,
    ensure_starter_scorecard,
    latest_scorecard,
    list_scorecards,
    save_scorecard,
    scorecard_from_json,
    scorecard_to_json,
    scorecard_version,
    scorecard_versions,
)

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def test_scorecard_json_round_trip() -> None:
    """A form read back from its JSON equals the form written, deduction catalogue included."""
    form = starter_scorecard()
    assert scorecard_from_json(form.form_id, form.version, scorecard_to_json(form)) == form


def test_answers_json_round_trip_keeps_yes_no_as_booleans() -> None:
    """Yes/no stays a boolean, numbers stay numbers, time marks and comments survive."""
    answers = {"greeting": Answer(True), "arguing": Answer(2.0, "twice", (12.5, 65.0))}
    assert answers_from_json(answers_to_json(answers)) == answers


def test_saving_again_makes_the_next_version(engine: sa.Engine) -> None:
    """Saving a form under the same name stores version 2 beside version 1."""
    with engine.begin() as conn:
        first = ensure_starter_scorecard(conn, now=NOW)
        again = ensure_starter_scorecard(conn, now=NOW)
        assert again.scorecard_id == first.scorecard_id and first.form.version == 1
        second = save_scorecard(conn, replace(first.form, title="v2 title"), by="boss", now=NOW)
        assert second.form.version == 2 and latest_scorecard(conn, first.form.form_id).form.title == "v2 title"
        assert [s.form.version for s in list_scorecards(conn)] == [1, 2]


def test_versions_are_listed_and_read_back_one_by_one(engine: sa.Engine) -> None:
    """scorecard_versions lists one form's versions oldest first; scorecard_version reads one; others are 404."""
    with engine.begin() as conn:
        first = ensure_starter_scorecard(conn, now=NOW)
        save_scorecard(conn, replace(first.form, form_id="other"), by="boss", now=NOW)
        save_scorecard(conn, replace(first.form, pass_score=85), by="boss", now=NOW + dt.timedelta(hours=1))
        versions = scorecard_versions(conn, first.form.form_id)
        assert [(s.form.version, s.form.pass_score, s.created_by) for s in versions] == [(1, 80, None), (2, 85, "boss")]
        assert scorecard_version(conn, first.form.form_id, 1).form == first.form
        with pytest.raises(NotFound):
            scorecard_version(conn, first.form.form_id, 3)


def test_saving_after_a_version_that_is_no_longer_the_newest_is_a_conflict(engine: sa.Engine) -> None:
    """Two editors opened at version 1: the first saves version 2, the second is refused and nothing is stored."""
    with engine.begin() as conn:
        first = ensure_starter_scorecard(conn, now=NOW)
        save_scorecard(conn, replace(first.form, pass_score=85), by="lead-a", now=NOW, after_version=1)
        with pytest.raises(Conflict, match="version 2"):
            save_scorecard(conn, replace(first.form, pass_score=70), by="lead-b", now=NOW, after_version=1)
        assert [s.form.pass_score for s in scorecard_versions(conn, first.form.form_id)] == [80, 85]
