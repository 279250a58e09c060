"""The QA home (my queue, the capacity it asks for, reminders, the latest rules) and the QA report page.

The QA pages are split by what they do: rules and draws (``quality_rules``), scoring and the agent's side
(``quality_evaluations``), the appeals panel (``quality_appeals``), the best-call library
(``quality_library``), QA duty and transparency (``quality_settings``), scorecards (``quality_scorecards``).
Their forms post back with the CSRF field and are answered with a redirect (303) to the page to read next.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from callops.errors import PermissionDenied
from callops.permissions import Permission, allowed
from callops.quality import plan_capacity
from callops.records import Role
from callops.services.qa_access import is_qa
from callops.services.qa_reports import qa_report
from callops.services.qa_sampling import rules
from callops.services.qa_work import my_queue, reminders
from callops.services.team_scope import team_scope
from callops.web.deps import ConnDep, CurrentUser, ViewerDep
from callops.web.nav import NavItem
from callops.web.rendering import render
from callops.web.routes._quality_shared import ClockDep

router = APIRouter(include_in_schema=False)

NAV = (
    NavItem("nav.qa", "/qa", order=50, description_key="qa.card"),
    NavItem("nav.qa_appeals", "/qa/appeals", Permission.HANDLE_APPEALS, order=51),
    NavItem("nav.qa_reports", "/qa/reports", Permission.VIEW_REPORTS, order=52),
)


@router.get("/qa", response_class=HTMLResponse)
def qa_home(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep, now: ClockDep) -> HTMLResponse:
    queue = my_queue(conn, user, now=now)
    capacity = plan_capacity(queue.reviews_per_day, qas=queue.qas)
    return render(request, viewer, "quality/home.html", {
        "queue": queue, "capacity": capacity, "is_qa": is_qa(conn, user, now),
        "reminders": reminders(conn, user, now=now),
        "rules": rules(conn)[:5], "agent": user.role is Role.AGENT,
        "may_manage": allowed(user.role, Permission.MANAGE_QA)})


@router.get("/qa/reports", response_class=HTMLResponse)
def reports_page(request: Request, conn: ConnDep, user: CurrentUser, viewer: ViewerDep) -> HTMLResponse:
    if not allowed(user.role, Permission.VIEW_REPORTS):
        raise PermissionDenied(f"the {user.role.value} role lacks the right view_reports")
    report = qa_report(conn, agents=team_scope(conn, user))
    chart = {"type": "line", "data": {"labels": [d.key for d in report.by_week], "datasets": [
        {"label": viewer.t("qa.mean_score"), "data": [round(d.mean, 1) for d in report.by_week]}]},
        "options": {"maintainAspectRatio": False, "scales": {"y": {"min": 0, "max": 100}}}}
    return render(request, viewer, "quality/reports.html", {"report": report, "chart": chart})
