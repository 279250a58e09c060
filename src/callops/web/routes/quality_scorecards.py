"""QA scorecard pages: the current form with its deduction catalogue and its versions, read-only, for everyone
signed in; the editor that saves the next version for QA leads (manage_qa).

The editor is a plain form posted with the CSRF field (``callops.web.scorecard_form`` reads it);
static/js/scorecard_editor.js only adds and removes rows. A refused form comes back as typed, with every
problem named, and nothing stored; a saved one is the next version, and evaluations keep theirs.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.errors import Conflict, InvalidInput
from callops.permissions import Permission, allowed
from callops.quality import ItemKind, starter_scorecard
from callops.services.qa_access import require_any
from callops.store.qa_forms import (
    StoredScorecard,
    ensure_starter_scorecard,
    save_scorecard,
    scorecard_version,
    scorecard_versions,
)
from callops.web.deps import ConnDep, CurrentUser, ViewerDep
from callops.web.reason_keys import say_reason
from callops.web.rendering import render
from callops.web.routes._quality_shared import ClockDep
from callops.web.scorecard_form import (
    DraftRejected,
    FieldProblem,
    ItemDraft,
    ScorecardDraft,
    SectionDraft,
    draft_from_form,
    draft_of,
    scorecard_from_draft,
)
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)


def _form_page(request: Request, viewer: Viewer, stored: StoredScorecard, current: StoredScorecard, *,
               may_edit: bool) -> HTMLResponse:
    return render(request, viewer, "quality/scorecard.html", {
        "stored": stored, "form": stored.form, "current_version": current.form.version, "kinds": ItemKind,
        "may_edit": may_edit})


@router.get("/qa/scorecard", response_class=HTMLResponse)
def scorecard_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                   now: ClockDep) -> HTMLResponse:
    """The current form with its deduction catalogue: what each item means, with examples (everyone)."""
    current = ensure_starter_scorecard(conn, now=now)
    return _form_page(request, viewer, current, current, may_edit=allowed(user.role, Permission.MANAGE_QA))


@router.get("/qa/scorecard/versions", response_class=HTMLResponse)
def versions_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                  now: ClockDep) -> HTMLResponse:
    """Every version of the form, newest first, with who saved it and when."""
    current = ensure_starter_scorecard(conn, now=now)
    versions = list(reversed(scorecard_versions(conn, current.form.form_id)))
    return render(request, viewer, "quality/scorecard_versions.html", {
        "versions": versions, "current_version": current.form.version,
        "may_edit": allowed(user.role, Permission.MANAGE_QA)})


@router.get("/qa/scorecard/versions/{version}", response_class=HTMLResponse)
def version_page(request: Request, version: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                 now: ClockDep) -> HTMLResponse:
    """One version, read-only, as evaluations scored on it saw it."""
    current = ensure_starter_scorecard(conn, now=now)
    stored = scorecard_version(conn, current.form.form_id, version)
    return _form_page(request, viewer, stored, current, may_edit=False)


def _editor(request: Request, viewer: Viewer, draft: ScorecardDraft, *, based_on: int,
            problems: tuple[FieldProblem, ...] = (), refused: InvalidInput | None = None,
            conflict: StoredScorecard | None = None, status_code: int = 200) -> HTMLResponse:
    """The editor for ``draft``, with an empty item row in each section and one empty section to fill; the
    ``<template>`` rows the script copies carry the placeholders __ITEM__ and __SECTION__."""
    new_section = draft.next_section()
    template_section = SectionDraft("__SECTION__")
    return render(request, viewer, "quality/scorecard_edit.html", {
        "draft": draft, "sections": [(s, s.next_item()) for s in draft.sections], "new_section": new_section,
        "new_section_item": new_section.next_item(), "kinds": [k.value for k in ItemKind],
        "template_item": ItemDraft("__ITEM__"), "template_section": template_section,
        "template_section_item": template_section.next_item(),
        "based_on": based_on, "problems": problems, "refused": refused, "conflict": conflict,
        "invalid": {p.field for p in problems},
        "refused_text": say_reason(refused.reason, viewer.t) if refused is not None else ""},
        status_code=status_code)


@router.get("/qa/scorecard/edit", response_class=HTMLResponse)
def editor_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep,
                start: Literal["current", "starter"] = "current") -> HTMLResponse:
    """The editor, filled from the current version or from the starter form (manage_qa)."""
    require_any(user, Permission.MANAGE_QA)
    current = ensure_starter_scorecard(conn, now=now)
    source = starter_scorecard() if start == "starter" else current.form
    return _editor(request, viewer, draft_of(source), based_on=current.form.version)


@router.post("/qa/scorecard/edit")
async def editor_save(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                      now: ClockDep) -> Response:
    """Save the posted form as the next version; a refused one is shown again as typed, nothing saved."""
    require_any(user, Permission.MANAGE_QA)
    data = await request.form()
    draft = draft_from_form({name: str(value) for name, value in data.items()})
    current = ensure_starter_scorecard(conn, now=now)
    try:
        based_on = int(str(data.get("based_on", ""))[:20])
    except ValueError:  # answered on the editor, as typed: saving again starts from the current version
        refused = InvalidInput("the editor's form lacks the version it started from", field="based_on")
        return _editor(request, viewer, draft, based_on=current.form.version, refused=refused, status_code=400)
    try:
        form = scorecard_from_draft(draft, current.form)
        stored = save_scorecard(conn, form, by=user.username, now=now, after_version=based_on)
    except DraftRejected as exc:
        conn.rollback()
        return _editor(request, viewer, draft, based_on=based_on, problems=exc.problems, status_code=400)
    except InvalidInput as exc:
        conn.rollback()
        return _editor(request, viewer, draft, based_on=based_on, refused=exc, status_code=400)
    except Conflict:
        conn.rollback()
        return _editor(request, viewer, draft, based_on=current.form.version, conflict=current, status_code=409)
    return RedirectResponse(f"/qa/scorecard/versions/{stored.form.version}", status_code=303)
