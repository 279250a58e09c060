"""``/docs``: the OpenAPI reference, rendered by the Swagger UI shipped in ``static/vendor``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from callops.web.deps import StateDep

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, state: StateDep) -> HTMLResponse:
    return state.templates.TemplateResponse(request, "docs.html", {})
