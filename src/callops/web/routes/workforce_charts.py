"""Chart.js configurations of the workforce pages (drawn by static/js/charts.js); no router here."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from callops.scheduling import PlanComparison, StaffingPlan
from callops.services.plan_check import PlanCheck
from callops.web.i18n import Translator

__all__ = ["comparison_chart", "forecast_chart", "plan_chart", "simulation_chart"]


def _label(at: dt.datetime, tz: dt.tzinfo) -> str:
    return at.astimezone(tz).strftime("%m-%d %H:%M")


def _num(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def _full_grid(starts: Sequence[dt.datetime], step_min: int) -> list[dt.datetime]:
    """Every interval start from the first to the last of ``starts``: hours a forecast leaves out (closed) too."""
    if not starts:
        return []
    step = dt.timedelta(minutes=step_min)
    first, last = starts[0].astimezone(dt.UTC), starts[-1].astimezone(dt.UTC)
    return [first + k * step for k in range(int((last - first) / step) + 1)]


def _options(y_title: str, *, y2_title: str | None = None) -> dict[str, Any]:
    scales: dict[str, Any] = {"y": {"beginAtZero": True, "title": {"display": True, "text": y_title}},
                              "x": {"ticks": {"maxTicksLimit": 14}}}
    if y2_title is not None:
        scales["y2"] = {"position": "right", "min": 0, "max": 1, "grid": {"drawOnChartArea": False},
                        "title": {"display": True, "text": y2_title}}
    return {"maintainAspectRatio": False, "animation": False, "interaction": {"mode": "index", "intersect": False},
            "elements": {"point": {"radius": 0}}, "scales": scales}


def forecast_chart(t: Translator, tz: dt.tzinfo, *, history: Sequence[tuple[dt.datetime, float]],
                   forecast: Sequence[tuple[dt.datetime, float, float | None, float | None]],
                   grain_min: int) -> dict[str, Any]:
    """History, forecast and the prediction band (lo/hi filled between) on one time axis.

    Intervals the forecast leaves out (the center is closed) are drawn as 0 calls without a band.
    """
    given = {at.astimezone(dt.UTC): (mean, lo, hi) for at, mean, lo, hi in forecast}
    closed: tuple[float, float | None, float | None] = (0.0, None, None)
    rows = [(at, *given.get(at, closed)) for at in _full_grid([at for at, *_ in forecast], grain_min)]
    labels = [_label(at, tz) for at, _ in history] + [_label(at, tz) for at, *_ in rows]
    pad_h: list[float | None] = [None] * len(rows)
    pad_f: list[float | None] = [None] * len(history)
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": [
            {"label": t("wf.chart_history"), "data": [_num(c) for _, c in history] + pad_h, "borderWidth": 1},
            {"label": t("wf.chart_forecast"), "data": pad_f + [_num(m) for _, m, _, _ in rows], "borderWidth": 2},
            {"label": t("wf.chart_lo"), "data": pad_f + [_num(lo) for _, _, lo, _ in rows], "borderWidth": 0,
             "backgroundColor": "rgba(245, 158, 11, 0.25)", "borderColor": "rgba(245, 158, 11, 0.6)",
             "fill": False},
            {"label": t("wf.chart_hi"), "data": pad_f + [_num(hi) for _, _, _, hi in rows], "borderWidth": 0,
             "backgroundColor": "rgba(245, 158, 11, 0.25)", "borderColor": "rgba(245, 158, 11, 0.6)",
             "fill": "-1"},
        ]},
        "options": _options(t("wf.calls")),
    }


def plan_chart(t: Translator, tz: dt.tzinfo, plan: StaffingPlan) -> dict[str, Any]:
    """Required and scheduled agents per interval, expected service level on a second axis (none when closed)."""
    by_start = {i.start_at.astimezone(dt.UTC): i for i in plan.intervals}
    grid = _full_grid([i.start_at for i in plan.intervals], plan.targets.interval_min)
    rows = [by_start.get(at) for at in grid]
    return {
        "type": "line",
        "data": {"labels": [_label(at, tz) for at in grid], "datasets": [
            {"label": t("wf.agents"), "data": [i.agents if i else 0 for i in rows], "stepped": True,
             "borderWidth": 2},
            {"label": t("wf.scheduled"), "data": [i.scheduled if i else 0 for i in rows], "stepped": True,
             "borderWidth": 2},
            {"label": t("wf.service_level"), "data": [_num(i.service_level) if i else None for i in rows],
             "yAxisID": "y2", "borderWidth": 1, "borderDash": [4, 3]},
        ]},
        "options": _options(t("wf.agents_axis"), y2_title=t("wf.service_level")),
    }


def simulation_chart(t: Translator, tz: dt.tzinfo, check: PlanCheck) -> dict[str, Any]:
    """Service level per interval in percent: the plan's expected, the simulated (a dot where it falls short of the
    target; none where no call was simulated) and the target line. Closed intervals are gaps."""
    by_start = {c.start_at.astimezone(dt.UTC): c for c in check.intervals}
    grid = _full_grid([c.start_at for c in check.intervals], check.plan.targets.interval_min)
    rows = [by_start.get(at) for at in grid]
    target = round(100 * check.plan.targets.service_level, 2)

    def percent(value: float | None) -> float | None:
        return None if value is None else _num(100 * value, 2)

    options = _options(t("wf.sim_sl_axis"))
    options["scales"]["y"]["max"] = 100
    return {
        "type": "line",
        "data": {"labels": [_label(at, tz) for at in grid], "datasets": [
            {"label": t("wf.sim_sl_plan"), "data": [percent(c.service_level_plan) if c else None for c in rows],
             "borderWidth": 2},
            {"label": t("wf.sim_sl_sim"), "data": [percent(c.service_level_sim) if c else None for c in rows],
             "borderWidth": 2, "pointRadius": [3 if c and c.short else 0 for c in rows]},
            {"label": t("wf.sim_target"), "data": [target] * len(grid), "borderWidth": 1, "borderDash": [6, 4]},
        ]},
        "options": options,
    }


def comparison_chart(t: Translator, tz: dt.tzinfo, comparison: PlanComparison, *, a: str, b: str) -> dict[str, Any]:
    """Scheduled agents of the two plans per interval."""
    rows = comparison.rows
    return {
        "type": "line",
        "data": {"labels": [_label(r.start_at, tz) for r in rows], "datasets": [
            {"label": a, "data": [r.scheduled_a for r in rows], "stepped": True, "borderWidth": 2},
            {"label": b, "data": [r.scheduled_b for r in rows], "stepped": True, "borderWidth": 2},
        ]},
        "options": _options(t("wf.scheduled")),
    }
