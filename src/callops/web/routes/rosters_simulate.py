"""The roster page's simulation check (issue 11): a saved roster version against saved staffing plans, one
per skill (its queue), or against an uploaded workload CSV (``interval_start,offered,aht_s[,skill]``, what
``callops roster simulate --workload`` reads), simulated with the agents' skills; per skill the service level
with its 95 % interval and the intervals below the target. Bounded tighter than the CLI: it runs inside the
request. A workload file's errors are shown on the form in the viewer's language (:func:`say_workload`).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse

from callops.errors import InvalidInput, NotFound
from callops.permissions import Permission
from callops.services.roster_simulation import plan_choices, roster_simulation_json, simulate_saved, workload_from_plans
from callops.simulation.from_roster import Workload, parse_workload
from callops.store.rosters import StoredRoster, load_roster
from callops.web.deps import ConnDep, User, ViewerDep, require
from callops.web.form_input import text_of
from callops.web.i18n import Translator
from callops.web.rendering import render

router = APIRouter(include_in_schema=False)

Planner = Annotated[User, require(Permission.PLAN_WORKFORCE)]

MAX_WEB_REPLICATIONS = 20
MAX_WEB_PLANS = 8
SHOWN_INTERVALS = 300
MAX_WORKLOAD_BYTES = 2 * 1024 * 1024  # 31 days x 48 intervals x a few skills is well under 1 MiB
WORKLOAD_FILE = "workload.csv"

# parse_workload's and the simulator's English reasons -> the message keys (ro.sim.wl.*) with the parts captured
WORKLOAD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^needs the columns ", "ro.sim.wl.columns"),
        (r"^at most (?P<n>[\d,]+) rows$", "ro.sim.wl.rows"),
        (r"^(?P<value>.+?) is not a date and time$", "ro.sim.wl.not_datetime"),
        (r"^(?P<value>.+?) is not a number$", "ro.sim.wl.not_number"),
        (r"^(?P<value>.+?) must be 0 or more$", "ro.sim.wl.negative"),
        (r"^calls need a positive handle time$", "ro.sim.wl.aht"),
        (r"^(?P<at>\S+) appears twice for skill (?P<skill>.+)$", "ro.sim.wl.twice"),
        (r"^(?:no rows|the workload has no rows)$", "ro.sim.wl.empty"),
        (r"^the workload spans more than (?P<n>\d+) days$", "ro.sim.wl.days"),
        (r"^(?P<at>\S+) is not on the (?P<min>\d+)-minute grid of (?P<first>\S+)$", "ro.sim.wl.grid"),
        (r"^no shift of the roster is on the phones during the workload's intervals$", "ro.sim.wl.no_shift"),
        (r"^larger than (?P<kib>\d+) KiB$", "ro.sim.wl.too_large"),
        (r"^not UTF-8 text$", "ro.sim.wl.not_utf8"),
        (r"^not a CSV row: ", "ro.sim.wl.not_csv"),
        (r"^choose a file$", "ro.sim.wl.missing"),
        (r"^either saved plans or a workload file$", "ro.sim.wl.both"),
    )
)


def _number(text: str, field: str, *, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
    if not low <= value <= high:
        raise InvalidInput(f"between {low:g} and {high:g}", field=field)
    return value


def say_workload(exc: InvalidInput, t: Translator) -> str:
    """A workload error in the viewer's language: where (line and column) and why; a reason no pattern knows is
    shown as raised, so it is never hidden."""
    reason = exc.reason
    for pattern, key in WORKLOAD_PATTERNS:
        found = pattern.search(reason)
        if found and key in t.messages:
            reason = t(key, **{k: v or "" for k, v in found.groupdict().items()})
            break
    if exc.line is not None and exc.field is not None and exc.field != "workload":
        return t("ro.sim.wl.at_line_column", line=exc.line, column=exc.field, reason=reason)
    if exc.line is not None:
        return t("ro.sim.wl.at_line", line=exc.line, reason=reason)
    return reason


def _simulate(request: Request, conn: ConnDep, viewer: ViewerDep, roster: StoredRoster, *, chosen: Sequence[str],
              form: dict[str, str], workload_of: Callable[[], list[Workload]] | None,
              upload_error: InvalidInput | None = None, uploaded: bool = False) -> HTMLResponse:
    """Validate the form, read the workload (``workload_of``; None: nothing asked yet), simulate, render."""
    zone = zoneinfo.ZoneInfo(roster.tz)
    context: dict[str, object] = {
        "roster": roster,
        "plans": plan_choices(conn),
        "chosen": list(chosen),
        "form": form,
        "result": None,
        "error": None,
        "error_field": None,
        "uploaded": uploaded,
    }
    status = 200
    try:
        if upload_error is not None:
            raise upload_error
        if workload_of is not None:
            runs = int(_number(form["replications"], "replications", low=2, high=MAX_WEB_REPLICATIONS))
            goal = _number(form["target"], "target", low=0.01, high=1)
            start = int(_number(form["seed"], "seed", low=0, high=2**31 - 1))
            workload = workload_of()
            sim = simulate_saved(conn, roster.name, roster.version, workload, replications=runs, seed=start,
                                 target=goal)
            data = roster_simulation_json(sim, tz=zone)
            short = [r for r in data["intervals"] if r["short"]]
            context["result"] = data | {
                "short_rows": short[:SHOWN_INTERVALS],
                "short_more": len(short) > SHOWN_INTERVALS,
            }
    except InvalidInput as exc:
        uploaded_error = uploaded and exc.field not in ("replications", "target", "seed", "plan")
        context["error"] = say_workload(exc, viewer.t) if uploaded_error else str(exc)
        # an uploaded file's error goes under the file; the plans' workload against the roster (grid, days, no
        # shift on the phones) above the button
        context["error_field"] = "workload" if uploaded_error else None if exc.field == "workload" else exc.field
        status = 400
    return render(request, viewer, "rosters/simulate.html", context, status_code=status)


@router.get("/rosters/saved/{name}/simulate", response_class=HTMLResponse)
def simulate_page(
    request: Request,
    name: str,
    conn: ConnDep,
    user: Planner,
    viewer: ViewerDep,
    version: int | None = None,
    plan: Annotated[list[str] | None, Query()] = None,
    replications: str = "10",
    target: str = "0.8",
    seed: str = "2026",
) -> HTMLResponse:
    """The form (plans as skills or a workload file, replications, target); with plans chosen, the answer."""
    roster = load_roster(conn, name, version)
    chosen = [p for p in (plan or []) if p.strip()]
    form = {"replications": replications, "target": target, "seed": seed}
    return _simulate(request, conn, viewer, roster, chosen=chosen, form=form,
                     workload_of=(lambda: _plans_workload(conn, chosen)) if chosen else None)


def _plans_workload(conn: ConnDep, chosen: Sequence[str]) -> list[Workload]:
    if len(chosen) > MAX_WEB_PLANS:
        raise InvalidInput(f"at most {MAX_WEB_PLANS} plans", field="plan")
    try:
        return workload_from_plans(conn, chosen)
    except NotFound as exc:
        raise InvalidInput(str(exc), field="plan") from None


async def _upload_text(value: object) -> str:
    """The uploaded workload file as text: at most :data:`MAX_WORKLOAD_BYTES`, UTF-8 (a BOM is dropped)."""
    if not isinstance(value, UploadFile):
        return ""
    return text_of(await value.read(MAX_WORKLOAD_BYTES + 1), max_bytes=MAX_WORKLOAD_BYTES, field="workload")


@router.post("/rosters/saved/{name}/simulate", response_class=HTMLResponse)
async def simulate_form(request: Request, name: str, conn: ConnDep, user: Planner, viewer: ViewerDep,
                        version: int | None = None) -> HTMLResponse:
    """The same form posted (multipart): a workload CSV uploaded as ``workload``, or the saved plans chosen."""
    roster = await run_in_threadpool(load_roster, conn, name, version)
    zone = zoneinfo.ZoneInfo(roster.tz)
    async with request.form() as data:  # closes the uploaded file's spool
        form = {f: v.strip() if isinstance(v := data.get(f), str) else default
                for f, default in (("replications", "10"), ("target", "0.8"), ("seed", "2026"))}
        chosen = [p.strip() for p in data.getlist("plan") if isinstance(p, str) and p.strip()]
        error: InvalidInput | None = None
        text = ""
        try:
            text = await _upload_text(data.get("workload"))
        except InvalidInput as exc:
            error = exc
    uploaded = bool(text.strip()) or error is not None
    if error is None and uploaded and chosen:
        error = InvalidInput("either saved plans or a workload file", field="workload")
    if error is None and not uploaded and not chosen:
        error, uploaded = InvalidInput("choose a file", field="workload"), True
    workload_of: Callable[[], list[Workload]] = (
        (lambda: parse_workload(text, tz=zone, file=WORKLOAD_FILE)) if uploaded else
        (lambda: _plans_workload(conn, chosen)))
    # off the event loop: a simulation takes seconds, and every other request waits while the loop is busy
    return await run_in_threadpool(_simulate, request, conn, viewer, roster, chosen=chosen, form=form,
                                   workload_of=workload_of, upload_error=error, uploaded=uploaded)
