"""The desk's catalogue pages: the category tree (``/desk/categories``, ``manage_directory``: add, rename,
retire or restore a category — retired ones keep their tickets), knowledge scripts (``/desk/scripts``,
``edit_scripts``: add, edit, retire; each with its length and reading time at seed 000's pace), the script
search of the agent screen as JSON (``GET /api/desk/scripts?q=&category=``) and post-call survey entry
(``POST /desk/csat``). A refused form is shown again with what was typed and the error beside its field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callops.desk import Category
from callops.desk.categories import NewCategory
from callops.desk.scripts import LANGUAGES
from callops.errors import InvalidInput, NotFound, PermissionDenied
from callops.permissions import Permission, allowed
from callops.services.desk_catalog import (
    MAX_QUERY,
    add_category,
    category_tree,
    find_scripts,
    relabel_category,
    retire_category,
    retire_script,
    save_script,
)
from callops.store.users import User
from callops.web.deps import ConnDep, CurrentUser, NowDep, ViewerDep
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.viewer import Viewer

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/desk", tags=["desk"])

NAV = (NavItem("nav.desk_categories", "/desk/categories", permission=Permission.MANAGE_DIRECTORY, order=43,
               description_key="desk.categories_card"),
       NavItem("nav.desk_scripts", "/desk/scripts", permission=Permission.EDIT_SCRIPTS, order=44,
               description_key="desk.scripts_card"))

_Q = Annotated[str, Query(max_length=MAX_QUERY)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _require(user: User, permission: Permission) -> None:
    if not allowed(user.role, permission):
        raise PermissionDenied(f"the {user.role.value} role lacks the right {permission.value}")


def _categories_page(request: Request, conn: ConnDep, user: User, viewer: Viewer, *,
                     error: InvalidInput | NotFound | None = None, typed: dict[str, str] | None = None,
                     row: str | None = None) -> HTMLResponse:
    _require(user, Permission.MANAGE_DIRECTORY)
    tree = category_tree(conn)
    return render(request, viewer, "desk/categories.html", {
        "nodes": tree.ordered(include_retired=True), "tops": [n for n in tree.ordered() if n.parent is None],
        "kinds": list(Category), "error": error, "typed": typed or {}, "error_row": row},
        status_code=400 if error else 200)


@router.get("/desk/categories", response_class=HTMLResponse)
def categories_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    """The category tree: every node with its labels, kind and whether it is retired; a form to add one."""
    return _categories_page(request, conn, user, viewer)


@router.post("/desk/categories")
async def category_add(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                       now: NowDep) -> Response:
    form = await request.form()
    typed = {k: _text(form, k) for k in ("key", "parent", "kind", "label_en", "label_zh")}
    try:
        add_category(conn, user, NewCategory(key=typed["key"], label_en=typed["label_en"],
                                             label_zh=typed["label_zh"], parent=typed["parent"] or None,
                                             kind=typed["kind"] or None), now=now)
    except InvalidInput as exc:
        conn.rollback()
        return _categories_page(request, conn, user, viewer, error=exc, typed=typed, row="")
    return RedirectResponse("/desk/categories", status_code=303)


@router.post("/desk/categories/{key}")
async def category_rename(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                          now: NowDep) -> Response:
    form = await request.form()
    typed = {"label_en": _text(form, "label_en"), "label_zh": _text(form, "label_zh")}
    try:
        relabel_category(conn, user, key, label_en=typed["label_en"], label_zh=typed["label_zh"], now=now)
    except (InvalidInput, NotFound) as exc:
        conn.rollback()
        return _categories_page(request, conn, user, viewer, error=exc, typed=typed, row=key)
    return RedirectResponse("/desk/categories", status_code=303)


@router.post("/desk/categories/{key}/retire")
async def category_retire(request: Request, key: str, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                          now: NowDep) -> Response:
    form = await request.form()
    try:
        retire_category(conn, user, key, retired=_text(form, "retired") != "0", now=now)
    except InvalidInput as exc:
        conn.rollback()
        return _categories_page(request, conn, user, viewer, error=exc, row=key)
    return RedirectResponse("/desk/categories", status_code=303)


def _scripts_page(request: Request, conn: ConnDep, user: User, viewer: Viewer, *, q: str = "",
                  error: InvalidInput | NotFound | None = None, typed: dict[str, str] | None = None,
                  row: str | None = None) -> HTMLResponse:
    _require(user, Permission.EDIT_SCRIPTS)
    tree = category_tree(conn)
    found = find_scripts(conn, user, query=q, include_retired=True)
    return render(request, viewer, "desk/scripts.html", {
        "scripts": found, "nodes": tree.ordered(),
        "labels": {n.key: n.label(viewer.locale) for n in tree.nodes.values()},
        "languages": LANGUAGES, "q": q, "error": error, "typed": typed or {}, "error_row": row},
        status_code=400 if error else 200)


@router.get("/desk/scripts", response_class=HTMLResponse)
def scripts_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, q: _Q = "") -> HTMLResponse:
    """Knowledge scripts (the 20 newest matching ``q``, retired ones too) with their reading time; add or edit."""
    return _scripts_page(request, conn, user, viewer, q=q)


def _script_form(form: FormData) -> dict[str, str]:
    return {k: _text(form, k) for k in ("category", "title", "body", "language")}


@router.post("/desk/scripts")
async def script_add(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: NowDep) -> Response:
    typed = _script_form(await request.form())
    try:
        save_script(conn, user, script_id=None, now=now, **typed)
    except InvalidInput as exc:
        conn.rollback()
        return _scripts_page(request, conn, user, viewer, error=exc, typed=typed, row="")
    return RedirectResponse("/desk/scripts", status_code=303)


@router.post("/desk/scripts/{script_id}")
async def script_edit(request: Request, script_id: int, conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                      now: NowDep) -> Response:
    typed = _script_form(await request.form())
    try:
        save_script(conn, user, script_id=script_id, now=now, **typed)
    except InvalidInput as exc:
        conn.rollback()
        return _scripts_page(request, conn, user, viewer, error=exc, typed=typed, row=str(script_id))
    return RedirectResponse("/desk/scripts", status_code=303)


@router.post("/desk/scripts/{script_id}/retire")
async def script_retire(request: Request, script_id: int, conn: ConnDep, user: CurrentUser, now: NowDep) -> Response:
    form = await request.form()
    retire_script(conn, user, script_id, retired=_text(form, "retired") != "0", now=now)
    return RedirectResponse("/desk/scripts", status_code=303)


@api.get("/scripts")
def api_scripts(conn: ConnDep, user: CurrentUser, q: _Q = "",
                category: Annotated[str | None, Query(max_length=40)] = None,
                limit: Annotated[int, Query(ge=1, le=20)] = 10) -> list[dict[str, Any]]:
    """Scripts containing every word of ``q`` in ``category`` (and its sub-categories), newest first, each with
    its length (characters for zh-CN, words for English) and reading time at the allowed pace."""
    out = []
    for view in find_scripts(conn, user, query=q, category=category, limit=limit):
        r = view.reading
        out.append({**view.script.as_dict(), "length": r.length, "unit": r.unit,
                    "rate_per_min": [r.rate_low, r.rate_high],
                    "reading_s": [round(r.seconds_at_high, 1), round(r.seconds_at_low, 1)]})
    return out


router.include_router(api)
