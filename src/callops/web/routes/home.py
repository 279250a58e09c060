"""The home page: a card for every capability this user may open and a chart of daily calls."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from callops.store.call_volume import calls_per_day
from callops.web.access import visible_calls
from callops.web.deps import ConnDep, CurrentUser, StateDep, ViewerDep
from callops.web.nav import NavItem, visible_items
from callops.web.rendering import render

router = APIRouter(include_in_schema=False)

NAV = (NavItem("nav.home", "/", order=0),)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, conn: ConnDep, state: StateDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    daily = calls_per_day(conn, visible_calls(conn, user), tz=viewer.tz.key)
    chart = {
        "type": "bar",
        "data": {"labels": [viewer.fmt.day(day) for day, _ in daily],
                 "datasets": [{"label": viewer.t("home.chart_series"), "data": [n for _, n in daily]}]},
        "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}},
                    "maintainAspectRatio": False},
    }
    cards = [item for item in visible_items(state.nav, user.role) if item.description_key]
    return render(request, viewer, "home.html", {
        "chart": chart, "daily": daily, "total": sum(n for _, n in daily), "cards": cards,
        "first_day": daily[0][0] if daily else None, "last_day": daily[-1][0] if daily else None})
