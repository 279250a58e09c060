"""Kaplan–Meier of tenure: lifelines' documented Waltons example, and an independent hand computation with ties."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from callops.people import ExitReason, Position, Spell, Stint, SurvivalBy, survival_curves

AS_OF = dt.date(2020, 1, 1)


def _subject(i: int, days: int, event: bool, team: str = "t1") -> Stint:
    """A stint of ``days`` tenure at AS_OF: an exit when ``event``, else still employed (censored)."""
    if event:
        hire = AS_OF - dt.timedelta(days=days + 30)
        return Stint(f"p{i}", (Spell(hire, hire + dt.timedelta(days=days), team, Position.AGENT),),
                     exit_reason=ExitReason.PAY)
    return Stint(f"p{i}", (Spell(AS_OF - dt.timedelta(days=days), None, team, Position.AGENT),))


def test_waltons_matches_the_lifelines_documentation() -> None:
    """lifelines' quick start fits the Waltons data: S(6)=0.993865, S(7)=0.987730, S(9)=0.969210, median 56."""
    from lifelines.datasets import load_waltons

    df = load_waltons()
    stints = [_subject(i, int(t), bool(e), team=str(g)) for i, (t, e, g) in enumerate(zip(df["T"], df["E"],
                                                                                          df["group"], strict=True))]
    (curve,) = survival_curves(stints, as_of=AS_OF)
    at = {p.t: p for p in curve.points}
    assert at[6].survival == pytest.approx(0.993865, abs=1e-6)
    assert at[7].survival == pytest.approx(0.987730, abs=1e-6)
    assert at[9].survival == pytest.approx(0.969210, abs=1e-6)
    assert at[13].survival == pytest.approx(0.950690, abs=1e-6)
    assert curve.median_days == 56 and curve.subjects == 163 and curve.events == int(df["E"].sum())
    assert (at[6].at_risk, at[7].at_risk, at[9].at_risk) == (163, 162, 160)
    groups = [c.group for c in survival_curves(stints, as_of=AS_OF, by=SurvivalBy.TEAM)]
    assert groups == ["control", "miR-137"]


def _hand_km(data: list[tuple[int, bool]]) -> list[tuple[int, float, float, float, int]]:
    """Kaplan–Meier with Greenwood's variance on the log(-log S) scale, written out by hand."""
    z = 1.959963984540054
    out = []
    s, greenwood = 1.0, 0.0
    for t in sorted({d for d, e in data if e}):
        at_risk = sum(1 for d, _ in data if d >= t)
        deaths = sum(1 for d, e in data if d == t and e)
        s *= 1 - deaths / at_risk
        greenwood += deaths / (at_risk * (at_risk - deaths)) if at_risk > deaths else math.inf
        se = math.sqrt(greenwood) / abs(math.log(s))
        out.append((t, s, s ** math.exp(z * se), s ** math.exp(-z * se), at_risk))
    return out


def test_ties_and_censoring_match_a_hand_computation() -> None:
    """Two exits and a censoring on day 30: the censored person is still at risk on day 30."""
    data = [(10, True), (30, True), (30, True), (30, False), (45, False), (60, True), (90, True), (90, False),
            (120, False), (150, True), (200, False), (200, False)]
    stints = [_subject(i, d, e) for i, (d, e) in enumerate(data)]
    (curve,) = survival_curves(stints, as_of=AS_OF)
    hand = _hand_km(data)
    assert [p.t for p in curve.points] == [h[0] for h in hand] == [10, 30, 60, 90, 150]
    for point, (_, s, lo, hi, at_risk) in zip(curve.points, hand, strict=True):
        assert point.at_risk == at_risk
        assert point.survival == pytest.approx(s, abs=1e-6)
        assert point.lo == pytest.approx(lo, abs=1e-5) and point.hi == pytest.approx(hi, abs=1e-5)
    assert curve.points[1].at_risk == 11 and curve.points[1].survival == pytest.approx(11 / 12 * 9 / 11, abs=1e-6)


def test_people_hired_after_as_of_are_left_out_and_exits_after_it_are_censored() -> None:
    later = Stint("later", (Spell(AS_OF + dt.timedelta(days=5), None, "t1", Position.AGENT),))
    leaves_after = Stint("after", (Spell(AS_OF - dt.timedelta(days=100), AS_OF + dt.timedelta(days=3), "t1",
                                         Position.AGENT),), exit_reason=ExitReason.PAY)
    early = _subject(1, 40, True)
    (curve,) = survival_curves([later, leaves_after, early], as_of=AS_OF)
    assert curve.subjects == 2 and curve.events == 1
    assert [(p.t, p.survival, p.at_risk) for p in curve.points] == [(40, 0.5, 2)]


def test_moved_people_form_their_own_curve() -> None:
    moved = Stint("m", (Spell(dt.date(2019, 1, 1), dt.date(2019, 6, 1), "t1", Position.AGENT),
                        Spell(dt.date(2019, 6, 1), None, "t1", Position.SENIOR)))
    curves = survival_curves([moved, _subject(2, 50, True)], as_of=AS_OF, by=SurvivalBy.MOVED)
    assert [(c.group, c.events) for c in curves] == [("moved", 0), ("not moved", 1)]
    assert curves[0].points == ()
