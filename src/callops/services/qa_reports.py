"""QA reports: score distributions by agent, team, QA and item, weekly trends, appeal rates, calibration,
rater bias.

Each evaluation counts once, at its current version. Calibration uses the calls scored by two or more
QAs: Krippendorff's alpha (interval) on the scores, with ICC when enough calls were scored by all. Rater
bias is ``callops.quality.rater_bias`` on (agent, QA, score) of the same evaluations.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.quality import (
    AppealState,
    Decision,
    PairEffect,
    RaterEffect,
    Rating,
    ScoredEvaluation,
    agreement_report,
    rater_bias,
    rating_table,
)
from callops.services.spreadsheet_export import ColumnKind
from callops.store.directory import list_agents
from callops.store.qa_library import library
from callops.store.qa_recognition import agent_handling, agents_of_calls
from callops.store.qa_reviews import StoredEvaluation, evaluation_keys, list_appeals, load_evaluations

__all__ = ["Distribution", "AppealRate", "Calibration", "RaterBias", "Recognition", "QaReport", "qa_report",
           "EVALUATION_COLUMNS", "evaluation_rows", "BIAS_ALPHA", "BIAS_MIN_EFFECT_SD"]

BIAS_ALPHA = 0.01  # flag when the adjusted p (q) is below this ...
BIAS_MIN_EFFECT_SD = 0.5  # ... and the effect is at least this many residual SDs (the CLI's defaults)


@dataclass(frozen=True, slots=True)
class Distribution:
    key: str
    count: int
    mean: float
    minimum: float
    maximum: float
    pass_rate: float


@dataclass(frozen=True, slots=True)
class AppealRate:
    key: str
    evaluations: int
    appeals: int
    upheld: int  # upheld + partly upheld
    rejected: int

    @property
    def rate(self) -> float:
        return self.appeals / self.evaluations if self.evaluations else 0.0


@dataclass(frozen=True, slots=True)
class Calibration:
    calls: int  # calls scored by two or more QAs
    raters: int
    krippendorff_alpha: float | None
    icc_absolute: float | None
    icc_consistency: float | None


@dataclass(frozen=True, slots=True)
class RaterBias:
    """Each QA's severity against the other QAs on the same agents (``rater_bias``), and flagged QA-agent pairs."""

    evaluations: int
    alpha: float
    min_effect_sd: float
    raters: tuple[RaterEffect, ...]  # empty when unavailable
    flagged_pairs: tuple[PairEffect, ...]
    residual_sd: float | None
    unavailable: str | None  # why the data cannot be fitted yet (too few QAs, no repeats, no overlap)


@dataclass(frozen=True, slots=True)
class Recognition:
    """What an agent does well beyond the QA score (seed 002, remedy 3)."""

    agent: str
    answered: int
    mean_csat: float | None
    first_contact_resolution: float | None  # resolved / calls with a recorded resolution
    nominations: int  # best-call nominations their calls received (anonymous)
    votes: int
    picked: int


@dataclass(frozen=True, slots=True)
class QaReport:
    evaluations: int
    by_agent: tuple[Distribution, ...]
    by_team: tuple[Distribution, ...]
    by_qa: tuple[Distribution, ...]
    by_item: tuple[Distribution, ...]  # item points (earned minus deducted); pass rate: share without deduction
    by_week: tuple[Distribution, ...]
    appeals_by_qa: tuple[AppealRate, ...]
    appeals_by_agent: tuple[AppealRate, ...]
    calibration: Calibration | None
    rater_bias: RaterBias
    recognition: tuple[Recognition, ...]


def _distributions(rows: Iterable[tuple[str, float, bool]]) -> tuple[Distribution, ...]:
    grouped: dict[str, list[tuple[float, bool]]] = {}
    for key, value, passed in rows:
        grouped.setdefault(key, []).append((value, passed))
    return tuple(
        Distribution(key, len(vals), statistics.fmean(v for v, _ in vals), min(v for v, _ in vals),
                     max(v for v, _ in vals), sum(1 for _, p in vals if p) / len(vals))
        for key, vals in sorted(grouped.items()))


def _rates(evaluations: list[StoredEvaluation], appeals_key: Callable[[StoredEvaluation], str],
           conn: sa.Connection) -> tuple[AppealRate, ...]:
    by_key: dict[str, str] = {s.evaluation.evaluation_id: appeals_key(s) for s in evaluations}
    counts: dict[str, list[int]] = {}
    for s in evaluations:
        counts.setdefault(appeals_key(s), [0, 0, 0, 0])[0] += 1
    for appeal in list_appeals(conn):
        key = by_key.get(appeal.evaluation_id)
        if key is None:
            continue
        row = counts[key]
        row[1] += 1
        if appeal.state is AppealState.DECIDED:
            row[2 if appeal.decision in (Decision.UPHELD, Decision.PARTLY) else 3] += 1
    return tuple(AppealRate(k, *v) for k, v in sorted(counts.items()))


def _calibration(evaluations: list[StoredEvaluation]) -> Calibration | None:
    by_call: dict[int, set[str]] = {}
    for s in evaluations:
        by_call.setdefault(s.call_pk, set()).add(s.evaluation.evaluator)
    shared = {call for call, raters in by_call.items() if len(raters) >= 2}
    if not shared:
        return None
    ratings = [Rating(str(s.call_pk), s.evaluation.evaluator, s.evaluation.current.result.score)
               for s in evaluations if s.call_pk in shared]
    table = rating_table(ratings)
    try:
        report = agreement_report(table, "interval")
    except InvalidInput:
        return Calibration(len(shared), len(table.raters), None, None, None)

    def finite(x: float | None) -> float | None:
        return None if x is None or math.isnan(x) else x

    icc = report.icc
    return Calibration(len(shared), len(table.raters), finite(report.krippendorff_alpha),
                       None if icc is None else finite(icc.icc_a1.value),
                       None if icc is None else finite(icc.icc_c1.value))


def _rater_bias(evaluations: list[StoredEvaluation]) -> RaterBias:
    rows = [ScoredEvaluation(s.evaluation.agent, s.evaluation.evaluator, s.evaluation.current.result.score)
            for s in evaluations]
    try:
        report = rater_bias(rows, alpha=BIAS_ALPHA, min_effect_sd=BIAS_MIN_EFFECT_SD)
    except InvalidInput as exc:
        return RaterBias(len(rows), BIAS_ALPHA, BIAS_MIN_EFFECT_SD, (), (), None, exc.reason)
    return RaterBias(len(rows), BIAS_ALPHA, BIAS_MIN_EFFECT_SD, report.raters,
                     tuple(p for p in report.pairs if p.flagged), report.residual_sd, None)


def _recognition(conn: sa.Connection) -> tuple[Recognition, ...]:
    stats = agent_handling(conn)
    entries = library(conn)
    agent_of = agents_of_calls(conn, (e.call_pk for e in entries))
    praise: dict[str, list[int]] = {}
    for entry in entries:
        agent = agent_of.get(entry.call_pk)
        if agent is None:
            continue
        row = praise.setdefault(agent, [0, 0, 0])
        row[0] += entry.nominations
        row[1] += entry.votes
        row[2] += int(entry.picked)
    out = []
    for agent in sorted(set(stats) | set(praise)):
        handled = stats.get(agent)
        p = praise.get(agent, [0, 0, 0])
        out.append(Recognition(agent, handled.answered if handled else 0, handled.csat if handled else None,
                               handled.fcr if handled else None, p[0], p[1], p[2]))
    return tuple(out)


def qa_report(conn: sa.Connection, *, agents: frozenset[str] | None = None) -> QaReport:
    """The report over every evaluation, or over those of ``agents`` (a team lead's teams)."""
    evaluations = load_evaluations(conn, evaluation_keys(conn, agents=agents))
    teams = {a.agent_id: a.team or "–" for a in list_agents(conn)}
    cur = [(s, s.evaluation.current.result) for s in evaluations]
    items = []
    for s, result in cur:
        labels = {i.item_id: i.label for i in s.evaluation.form.items}  # people read labels, not ids
        for item in result.items:
            items.append((labels.get(item.item_id, item.item_id), item.earned - item.deducted,
                          item.deducted == 0 and not item.critical))
    weeks = []
    for s, result in cur:
        year, week, _ = s.evaluation.versions[0].created_at.isocalendar()
        weeks.append((f"{year}-W{week:02d}", result.score, result.passed))
    return QaReport(
        evaluations=len(evaluations),
        by_agent=_distributions((s.evaluation.agent, r.score, r.passed) for s, r in cur),
        by_team=_distributions((teams.get(s.evaluation.agent, "–"), r.score, r.passed) for s, r in cur),
        by_qa=_distributions((s.evaluation.evaluator, r.score, r.passed) for s, r in cur),
        by_item=_distributions(items),
        by_week=_distributions(weeks),
        appeals_by_qa=_rates(evaluations, lambda s: s.evaluation.evaluator, conn),
        appeals_by_agent=_rates(evaluations, lambda s: s.evaluation.agent, conn),
        calibration=_calibration(evaluations),
        rater_bias=_rater_bias(evaluations),
        recognition=tuple(r for r in _recognition(conn) if agents is None or r.agent in agents),
    )


EVALUATION_COLUMNS: tuple[tuple[str, ColumnKind], ...] = (
    ("evaluation_key", "text"), ("call_id", "count"), ("agent", "text"), ("evaluator", "text"),
    ("scorecard", "text"), ("version", "count"), ("score", "number"), ("passed", "text"),
    ("critical_failed", "text"), ("targeted", "text"), ("decided", "text"), ("scored_at", "text"),
    ("current_at", "text"))


def evaluation_rows(conn: sa.Connection, *, tz: zoneinfo.ZoneInfo,
                    agents: frozenset[str] | None = None) -> list[dict[str, object]]:
    """One row per evaluation at its current version (keys of ``EVALUATION_COLUMNS``), times in ``tz``; only
    ``agents``' evaluations when given (a team lead's teams)."""

    def local(at: dt.datetime) -> str:
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")

    rows: list[dict[str, object]] = []
    for s in load_evaluations(conn, evaluation_keys(conn, agents=agents)):
        ev = s.evaluation
        r = ev.current.result
        rows.append({"evaluation_key": ev.evaluation_id, "call_id": s.call_pk, "agent": ev.agent,
                     "evaluator": ev.evaluator, "scorecard": f"{ev.form.form_id} v{ev.form.version}",
                     "version": ev.current.version, "score": r.score, "passed": r.passed,
                     "critical_failed": r.critical_failed, "targeted": s.targeted, "decided": ev.decided,
                     "scored_at": local(ev.versions[0].created_at), "current_at": local(ev.current.created_at)})
    return rows
