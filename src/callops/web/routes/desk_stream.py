"""The caller card pushed to an open contact form (``GET /desk/contact/stream``, Server-Sent Events): when a
call rings or is answered at the signed-in agent, the card of its caller (number masked without
``view_pii``, the customer and their latest items) arrives as an ``event: card`` within about 0.2 s of the
event reaching the live log, without a reload. ``static/js/desk_card.js`` puts it in the page and points the
form (and the survey's call id) at that call. The stream holds no database connection between looks and ends
after ten minutes (EventSource reconnects)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from callops import permissions
from callops.permissions import Permission
from callops.services.desk_callbacks import caller_card
from callops.store.desk_pop import current_caller
from callops.web.deps import User, request_user
from callops.web.routes.desk import card_view
from callops.web.state import web_state
from callops.web.viewer import viewer_for

router = APIRouter(include_in_schema=False)

STREAM_LIFETIME_S = 600
_TICK_S = 0.2


def _user(request: Request) -> User | None:
    state = web_state(request)
    with state.engine.connect() as conn:
        return request_user(request, state, conn, state.clock())


@router.get("/desk/contact/stream")
async def card_stream(request: Request) -> Response:
    """Cards of the calls ringing or answered at this user's agent, one ``card`` event per new call (or state)."""
    user = await run_in_threadpool(_user, request)
    if user is None:
        return Response(status_code=401)
    if not permissions.allowed(user.role, Permission.WORK_TICKETS):
        return Response(status_code=403)
    state = web_state(request)
    viewer = viewer_for(request, user)
    template = state.templates.env.get_template("desk/_card.html")
    agent = user.agent_id

    def look(seen: tuple[str, str] | None) -> tuple[tuple[str, str] | None, str | None]:
        """The agent's current call, and the card's HTML when it differs from ``seen``."""
        if not agent:
            return None, None
        with state.engine.connect() as conn:
            now = state.clock()
            call = current_caller(conn, agent, now=now)
            key = (call.call_id, call.kind) if call is not None else None
            if key is None or key == seen:
                return key, None
            card = caller_card(conn, user, now=now)
            if card is None:
                return key, None
            html = template.render(card=card_view(user, card), t=viewer.t, fmt=viewer.fmt, locale=viewer.locale)
            return key, html

    async def messages() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        began = loop.time()
        seen, _ = await run_in_threadpool(look, None)  # the card already on the page
        yield ": connected\n\n"
        while loop.time() - began < STREAM_LIFETIME_S:
            if await request.is_disconnected():
                return
            key, html = await run_in_threadpool(look, seen)
            if html is not None and key is not None:
                seen = key
                body = {"call_id": key[0], "kind": key[1], "html": html}
                yield f"event: card\ndata: {json.dumps(body, ensure_ascii=False)}\n\n"
            await asyncio.sleep(_TICK_S)

    return StreamingResponse(messages(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
