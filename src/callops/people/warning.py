"""Early warning: a Cox proportional-hazards model of tenure on signals that precede leaving (lifelines).

Signals (per stint, measured over the 90 days before its exit, or before the day of the snapshot
while it lasts), each a number or None when the data has none (then the training mean is used):

- ``away_share``: away and break time / logged-in time (agent_intervals);
- ``qa_trend``: slope of QA scores, points per 30 days (a falling score is negative);
- ``appeals_lost``: appeals decided against the agent;
- ``distressing_share``: complaint calls / answered calls (seed 001, 004: the hard calls);
- ``recovery_gap``: 1 - recovery time taken / recovery due after those calls (seed 003: 1-2 min each);
- ``stuck_12_18``: 1 when tenure is 12-18 months without a promotion or team move (seed 003's 1.5 years);
- ``adherence_drop``: falling adherence (遵时率) to the published roster: adherence over the window's days before
  its last 30, minus adherence over the last 30 (0.1 = ten points lower lately); None without scheduled time in
  both parts (no roster published for the agent).

The model is explainable: each coefficient is shown with its hazard ratio, 95 % interval and p value;
an agent's reasons are the signals' contributions coef x (value - training mean), largest first.
The signals are measured once per stint (no time-varying covariates): a simplification stated in docs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from callops.errors import Infeasible

__all__ = ["SIGNALS", "TrainingRow", "Coefficient", "WarningModel", "Reason", "Warning", "fit_warning_model",
           "rank_agents", "MIN_EVENTS"]

SIGNALS = ("away_share", "qa_trend", "appeals_lost", "distressing_share", "recovery_gap", "stuck_12_18",
           "adherence_drop")
MIN_EVENTS = 10


@dataclass(frozen=True, slots=True)
class TrainingRow:
    person: str
    values: Mapping[str, float | None]
    duration_days: float
    event: bool


@dataclass(frozen=True, slots=True)
class Coefficient:
    signal: str
    coef: float
    hazard_ratio: float
    lo: float
    hi: float
    p: float

    def as_dict(self) -> dict[str, object]:
        return {"signal": self.signal, "coef": self.coef, "hazard_ratio": self.hazard_ratio, "lo": self.lo,
                "hi": self.hi, "p": self.p}


@dataclass(frozen=True, slots=True)
class Reason:
    signal: str
    value: float | None
    contribution: float


@dataclass(frozen=True, slots=True)
class Warning:
    person: str
    relative_risk: float  # hazard relative to an agent at the training means
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {"person": self.person, "relative_risk": self.relative_risk,
                "reasons": [{"signal": r.signal, "value": r.value, "contribution": r.contribution}
                            for r in self.reasons]}


@dataclass(frozen=True, slots=True)
class WarningModel:
    signals: tuple[str, ...]
    coefficients: tuple[Coefficient, ...]
    means: Mapping[str, float]
    subjects: int
    events: int
    concordance: float  # on the training rows

    def log_risk(self, values: Mapping[str, float | None]) -> float:
        return sum(c.coef * (_value(values, c.signal, self.means) - self.means[c.signal]) for c in self.coefficients)

    def concordance_on(self, rows: Sequence[TrainingRow]) -> float:
        """Harrell's C on other rows (e.g. held out): higher risk should leave sooner."""
        from lifelines.utils import concordance_index

        return float(concordance_index([r.duration_days for r in rows], [-self.log_risk(r.values) for r in rows],
                                       [r.event for r in rows]))

    def as_dict(self) -> dict[str, object]:
        return {"signals": list(self.signals), "coefficients": [c.as_dict() for c in self.coefficients],
                "means": dict(self.means), "subjects": self.subjects, "events": self.events,
                "concordance": self.concordance}


def _value(values: Mapping[str, float | None], signal: str, means: Mapping[str, float]) -> float:
    value = values.get(signal)
    return means[signal] if value is None or not math.isfinite(value) else float(value)


def fit_warning_model(rows: Sequence[TrainingRow], *, signals: Sequence[str] = SIGNALS,
                      penalizer: float = 0.01) -> WarningModel:
    """Fit the Cox model on ``rows``; signals with no variation are left out. Infeasible under MIN_EVENTS exits."""
    import pandas as pd
    from lifelines import CoxPHFitter

    events = sum(r.event for r in rows)
    if events < MIN_EVENTS:
        raise Infeasible(f"{events} exits with signals; the model needs at least {MIN_EVENTS}")
    means: dict[str, float] = {}
    for s in signals:
        known = [float(v) for r in rows if (v := r.values.get(s)) is not None and math.isfinite(v)]
        means[s] = sum(known) / len(known) if known else 0.0
    frame = pd.DataFrame({s: [_value(r.values, s, means) for r in rows] for s in signals})
    used = [s for s in signals if frame[s].nunique() > 1]
    if not used:
        raise Infeasible("no signal varies between agents; nothing to fit")
    frame = frame[used]
    frame["duration"] = [max(r.duration_days, 0.5) for r in rows]
    frame["event"] = [bool(r.event) for r in rows]
    fitter = CoxPHFitter(penalizer=penalizer).fit(frame, duration_col="duration", event_col="event")
    summary = fitter.summary
    coefficients = tuple(
        Coefficient(signal=s, coef=round(float(summary.loc[s, "coef"]), 6),
                    hazard_ratio=round(float(summary.loc[s, "exp(coef)"]), 6),
                    lo=round(float(summary.loc[s, "exp(coef) lower 95%"]), 6),
                    hi=round(float(summary.loc[s, "exp(coef) upper 95%"]), 6), p=float(summary.loc[s, "p"]))
        for s in used)
    return WarningModel(signals=tuple(used), coefficients=coefficients, means={s: means[s] for s in used},
                        subjects=len(rows), events=events, concordance=round(float(fitter.concordance_index_), 6))


def rank_agents(model: WarningModel, agents: Mapping[str, Mapping[str, float | None]]) -> list[Warning]:
    """Each agent's relative risk and reasons (contributions, largest first), highest risk first."""
    out: list[Warning] = []
    for person, values in agents.items():
        reasons = sorted((Reason(c.signal, values.get(c.signal),
                                 round(c.coef * (_value(values, c.signal, model.means) - model.means[c.signal]), 6))
                          for c in model.coefficients), key=lambda r: -r.contribution)
        out.append(Warning(person=person, relative_risk=round(math.exp(model.log_risk(values)), 6),
                           reasons=tuple(reasons)))
    return sorted(out, key=lambda w: (-w.relative_risk, w.person))
