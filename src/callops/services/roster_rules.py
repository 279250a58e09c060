"""Working-time rules from YAML: bounded, alias-free, validated with pydantic at the edge.

Every key is optional; what is left out keeps the China default (``work_rules.china_rules``). The text
is refused past 64 KiB and when it uses YAML anchors or aliases (no alias bombs). Unknown keys, wrong
types and rules that contradict each other are refused naming the field.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from callops.errors import InvalidInput
from callops.scheduling.work_rules import (
    Activity,
    BreakRule,
    OvertimeRules,
    PayRules,
    PenaltyWeights,
    RestRules,
    SystemRules,
    WorkRules,
    WorkSystem,
    check_consistent,
    parse_clock,
)
from callops.yaml_input import load_yaml

__all__ = ["MAX_RULES_BYTES", "parse_rules", "rules_as_dict"]

MAX_RULES_BYTES = 64 * 1024


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class _System(_Model):
    max_daily_h: float | None = None
    max_weekly_h: float | None = None
    min_rest_days_per_week: int | None = None
    shift_lengths_h: list[float] | None = None
    period: str | None = None


class _Overtime(_Model):
    max_daily_h: float | None = None
    max_daily_special_h: float | None = None
    max_monthly_h: float | None = None
    planned_weekly_h: float | None = None


class _Pay(_Model):
    overtime_workday: float | None = None
    rest_day: float | None = None
    holiday: float | None = None


class _Rest(_Model):
    min_between_shifts_h: float | None = None
    max_consecutive_days: int | None = None


class _Night(_Model):
    start: str | None = None
    end: str | None = None
    min_overlap_h: float | None = None
    max_per_week: int | None = None
    max_consecutive: int | None = None


class _Break(_Model):
    kind: str
    length_min: int
    paid: bool
    min_shift_h: float
    after_start_min: int
    before_end_min: int
    step_min: int = 30


class _Activity(_Model):
    kind: str
    length_min: int
    starts: list[str]


class _Grid(_Model):
    start_step_min: int | None = None
    earliest_start: str | None = None
    latest_start: str | None = None


class _Weights(_Model):
    shortfall: float | None = None
    overstaffing: float | None = None
    preference: float | None = None
    fairness_weekends: float | None = None
    fairness_nights: float | None = None
    fairness_holidays: float | None = None
    equal_hours: float | None = None
    stability: float | None = None


class _Rules(_Model):
    country: str | None = None
    interval_min: int | None = None
    systems: dict[str, _System] | None = None
    overtime: _Overtime | None = None
    pay: _Pay | None = None
    rest: _Rest | None = None
    night: _Night | None = None
    breaks: list[_Break] | None = None
    activities: list[_Activity] | None = None
    grid: _Grid | None = None
    weights: _Weights | None = None


def _load_yaml(text: str, file: str) -> Any:
    if len(text.encode("utf-8")) > MAX_RULES_BYTES:
        raise InvalidInput(f"rules file is larger than {MAX_RULES_BYTES // 1024} KiB", file=file)
    return load_yaml(text, file=file)


def _set(base: Any, overrides: BaseModel) -> Any:
    changes = {k: v for k, v in overrides.model_dump(exclude_none=True).items()}
    return dataclasses.replace(base, **changes)


def parse_rules(text: str, *, file: str = "rules") -> WorkRules:
    """Rules from YAML text: the China default with the given keys replaced, checked for consistency."""
    data = _load_yaml(text, file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput("rules must be a mapping of keys", file=file)
    try:
        model = _Rules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(first["msg"], file=file, field=where) from exc
    base = WorkRules()
    systems = dict(base.systems)
    for key, sm in (model.systems or {}).items():
        try:
            system = WorkSystem(key)
        except ValueError as exc:
            raise InvalidInput(f"{key!r} is not one of {', '.join(s.value for s in WorkSystem)}", file=file,
                               field=f"systems.{key}") from exc
        old = systems.get(system, SystemRules(None, None, 1, (8.0,)))
        changes: dict[str, Any] = sm.model_dump(exclude_unset=True)
        if "shift_lengths_h" in changes and changes["shift_lengths_h"] is not None:
            changes["shift_lengths_h"] = tuple(changes["shift_lengths_h"])
        systems[system] = dataclasses.replace(old, **changes)
    night = base.night
    if model.night is not None:
        nd = model.night.model_dump(exclude_none=True)
        for key in ("start", "end"):
            if key in nd:
                nd[key] = parse_clock(nd[key], f"night.{key}", file=file)
        night = dataclasses.replace(base.night, **nd)
    grid = base.grid
    if model.grid is not None:
        gd = model.grid.model_dump(exclude_none=True)
        for key in ("earliest_start", "latest_start"):
            if key in gd:
                gd[key] = parse_clock(gd[key], f"grid.{key}", file=file)
        grid = dataclasses.replace(base.grid, **gd)
    breaks = base.breaks if model.breaks is None else tuple(BreakRule(**b.model_dump()) for b in model.breaks)
    activities = base.activities if model.activities is None else tuple(
        Activity(a.kind, a.length_min, tuple(parse_clock(s, f"activities[{i}].starts", file=file) for s in a.starts))
        for i, a in enumerate(model.activities))
    rules = WorkRules(
        country=model.country or base.country,
        interval_min=model.interval_min or base.interval_min,
        systems=systems,
        overtime=base.overtime if model.overtime is None else _set(OvertimeRules(), model.overtime),
        pay=base.pay if model.pay is None else _set(PayRules(), model.pay),
        rest=base.rest if model.rest is None else _set(RestRules(), model.rest),
        night=night,
        breaks=breaks,
        activities=activities,
        grid=grid,
        weights=base.weights if model.weights is None else _set(PenaltyWeights(), model.weights),
    )
    check_consistent(rules, file=file)
    return rules


def rules_as_dict(rules: WorkRules) -> dict[str, Any]:
    """The rules as plain data (the shape ``parse_rules`` reads), for JSON and YAML output."""
    def clock(t: Any) -> str:
        return f"{t.hour:02d}:{t.minute:02d}"

    return {
        "country": rules.country,
        "interval_min": rules.interval_min,
        "systems": {s.value: {"max_daily_h": r.max_daily_h, "max_weekly_h": r.max_weekly_h,
                              "min_rest_days_per_week": r.min_rest_days_per_week,
                              "shift_lengths_h": list(r.shift_lengths_h), "period": r.period}
                    for s, r in rules.systems.items()},
        "overtime": dataclasses.asdict(rules.overtime),
        "pay": dataclasses.asdict(rules.pay),
        "rest": dataclasses.asdict(rules.rest),
        "night": {"start": clock(rules.night.start), "end": clock(rules.night.end),
                  "min_overlap_h": rules.night.min_overlap_h, "max_per_week": rules.night.max_per_week,
                  "max_consecutive": rules.night.max_consecutive},
        "breaks": [dataclasses.asdict(b) for b in rules.breaks],
        "activities": [{"kind": a.kind, "length_min": a.length_min, "starts": [clock(s) for s in a.starts]}
                       for a in rules.activities],
        "grid": {"start_step_min": rules.grid.start_step_min, "earliest_start": clock(rules.grid.earliest_start),
                 "latest_start": clock(rules.grid.latest_start)},
        "weights": dataclasses.asdict(rules.weights),
    }
