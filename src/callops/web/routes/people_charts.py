"""Chart.js configurations of the people dashboard (drawn by static/js/charts.js); no router here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from callops.people import AttritionRow, SurvivalCurve
from callops.people.ramp import RampPoint
from callops.people.tenure import TenureBand
from callops.web.i18n import Translator

__all__ = ["attrition_chart", "survival_chart", "tenure_chart", "ramp_chart"]


def attrition_chart(t: Translator, rows: Sequence[AttritionRow]) -> dict[str, Any]:
    """Exits and hires per period as bars, the attrition rate as a line on a second axis."""
    return {
        "type": "bar",
        "data": {"labels": [r.period for r in rows], "datasets": [
            {"label": t("people.exits"), "data": [r.exits for r in rows], "yAxisID": "y"},
            {"label": t("people.hires"), "data": [r.hires for r in rows], "yAxisID": "y"},
            {"label": t("people.attrition_rate"), "type": "line", "yAxisID": "y2",
             "data": [r.attrition_rate for r in rows], "borderWidth": 2},
        ]},
        "options": {"maintainAspectRatio": False, "animation": False,
                    "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": t("people.people")}},
                               "y2": {"position": "right", "beginAtZero": True, "grid": {"drawOnChartArea": False},
                                      "title": {"display": True, "text": t("people.attrition_rate")}}}},
    }


def survival_chart(t: Translator, curves: Sequence[SurvivalCurve]) -> dict[str, Any]:
    """One stepped line per group over tenure days (starting at 1 on day 0), with its band for a single curve."""
    datasets: list[dict[str, Any]] = []
    for curve in curves:
        points = [{"x": 0, "y": 1.0}] + [{"x": p.t, "y": p.survival} for p in curve.points]
        datasets.append({"label": curve.group, "data": points, "stepped": "after", "borderWidth": 2,
                         "pointRadius": 0})
    if len(curves) == 1:
        (curve,) = curves
        for key, label in (("lo", "people.band_lo"), ("hi", "people.band_hi")):
            band = [{"x": 0, "y": 1.0}] + [{"x": p.t, "y": getattr(p, key)} for p in curve.points]
            datasets.append({"label": t(label), "data": band, "stepped": "after", "borderWidth": 1,
                             "borderDash": [4, 4], "pointRadius": 0})
    return {
        "type": "line",
        "data": {"datasets": datasets},
        "options": {"maintainAspectRatio": False, "animation": False, "parsing": True,
                    "scales": {"x": {"type": "linear", "min": 0,
                                     "title": {"display": True, "text": t("people.tenure_days")}},
                               "y": {"min": 0, "max": 1, "title": {"display": True, "text": t("people.survival")}}}},
    }


def tenure_chart(t: Translator, bands: Sequence[TenureBand]) -> dict[str, Any]:
    return {
        "type": "bar",
        "data": {"labels": [b.band for b in bands],
                 "datasets": [{"label": t("people.people"), "data": [b.people for b in bands]}]},
        "options": {"maintainAspectRatio": False, "animation": False,
                    "scales": {"y": {"beginAtZero": True}}},
    }


def ramp_chart(t: Translator, points: Sequence[RampPoint]) -> dict[str, Any]:
    """AHT by week of tenure, one line per hire cohort (a learning curve)."""
    cohorts = sorted({p.cohort for p in points})
    weeks = sorted({p.week for p in points})
    at = {(p.cohort, p.week): p.aht_s for p in points}
    return {
        "type": "line",
        "data": {"labels": [str(w) for w in weeks],
                 "datasets": [{"label": c, "data": [at.get((c, w)) for w in weeks], "borderWidth": 2,
                               "spanGaps": True} for c in cohorts]},
        "options": {"maintainAspectRatio": False, "animation": False,
                    "scales": {"x": {"title": {"display": True, "text": t("people.week_of_tenure")}},
                               "y": {"beginAtZero": True, "title": {"display": True, "text": t("people.aht_s")}}}},
    }
