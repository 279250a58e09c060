"""KPI definitions: the seed-003 worked example and a hand-computed value for every KPI."""

from __future__ import annotations

import pytest

from callops.errors import InvalidInput
from callops.metrics import (
    KPIS,
    KpiOptions,
    SlDenominator,
    compute_kpis,
    evaluate_measures,
    evaluate_samples,
    kpi,
    measures_for,
    samples_for,
)
from callops.metrics.measures import Table
from kpi_hand_day import HAND_CONTACTS, HAND_EXPECTED, HAND_ROSTER, HAND_TICKETS


def _row(outcome: str, *, direction: str = "inbound", wait_s: float | None = 0.0, **kw: object) -> dict[str, object]:
    return {"direction": direction, "outcome": outcome, "wait_s": wait_s, **kw}


def seed_003_rows() -> list[dict[str, object]]:
    """510 offered: 410 answered within 20 s, 50 answered later, 40 abandoned, 10 timed out."""
    return ([_row("answered", wait_s=5.0 + i % 15) for i in range(410)]
            + [_row("answered", wait_s=21.0 + i) for i in range(50)]
            + [_row("abandoned", wait_s=30.0) for _ in range(40)]
            + [_row("timeout", wait_s=120.0) for _ in range(10)])


def _kpis(rows: list[dict[str, object]], keys: list[str], options: KpiOptions | None = None,
          states: list[dict[str, object]] | None = None,
          tickets: list[dict[str, object]] | None = None,
          contacts: list[dict[str, object]] | None = None,
          roster: list[dict[str, object]] | None = None) -> dict[str, float | None]:
    opts = options or KpiOptions()
    names = measures_for(keys)
    measures = evaluate_measures(names, rows, opts)
    measures.update(evaluate_measures(names, states or [], opts, table=Table.AGENT_INTERVALS))
    measures.update(evaluate_measures(names, tickets or [], opts, table=Table.TICKETS))
    measures.update(evaluate_measures(names, contacts or [], opts, table=Table.DESK_CONTACTS))
    measures.update(evaluate_measures(names, roster or [], opts, table=Table.ROSTER))
    samples = evaluate_samples(samples_for(keys), tickets or [], opts, table=Table.TICKETS)
    return compute_kpis(measures, keys, opts, samples)


def test_seed_003_worked_example() -> None:
    """510 offered, 460 answered (410 within 20 s), 40 abandoned: 90.2 %, 80.4 %, 7.8 %."""
    got = _kpis(seed_003_rows(), ["offered", "answered", "abandoned", "lost", "answer_rate", "service_level",
                                  "abandon_rate", "loss_rate"])
    assert (got["offered"], got["answered"], got["abandoned"], got["lost"]) == (510, 460, 40, 50)
    assert round(got["answer_rate"] or 0, 3) == 0.902
    assert round(got["service_level"] or 0, 3) == 0.804
    assert round(got["abandon_rate"] or 0, 3) == 0.078
    assert got["loss_rate"] == pytest.approx(50 / 510)


def test_service_level_denominators() -> None:
    """Service level divides by offered, answered, or offered minus short abandons, as chosen."""
    rows = (seed_003_rows()[:-50] + [_row("abandoned", wait_s=30.0) for _ in range(30)]
            + [_row("abandoned", wait_s=3.0) for _ in range(10)] + [_row("timeout", wait_s=9.0) for _ in range(10)])
    by_answered = _kpis(rows, ["service_level"], KpiOptions(sl_denominator=SlDenominator.ANSWERED))
    assert by_answered["service_level"] == pytest.approx(410 / 460)
    opts = KpiOptions(sl_denominator=SlDenominator.OFFERED_MINUS_SHORT, short_abandon_s=5.0)
    got = _kpis(rows, ["offered", "short_abandoned", "service_level"], opts)
    assert (got["offered"], got["short_abandoned"]) == (510, 10)
    assert got["service_level"] == pytest.approx(410 / 500)


def test_threshold_is_inclusive_and_short_abandon_default_excludes_none() -> None:
    """A call answered at exactly T counts as within T; with the default 0 s no abandon is short."""
    rows = [_row("answered", wait_s=20.0), _row("answered", wait_s=20.5), _row("abandoned", wait_s=0.0)]
    got = _kpis(rows, ["service_level", "short_abandoned"])
    assert got["service_level"] == pytest.approx(1 / 3) and got["short_abandoned"] == 0


# A small hand-computed day: every KPI's value worked out on paper.
HAND_CALLS = [
    _row("answered", wait_s=10.0, talk_s=100.0, hold_s=20.0, acw_s=30.0, caller_number="1", csat=5,
         issue_resolved=True, next_contact_gap_s=None),
    _row("answered", wait_s=30.0, talk_s=200.0, hold_s=0.0, acw_s=10.0, caller_number="2", csat=3,
         issue_resolved=False, next_contact_gap_s=3600.0),
    _row("transferred", wait_s=0.0, talk_s=60.0, hold_s=10.0, acw_s=20.0, caller_number="3",
         next_contact_gap_s=8 * 86400.0),
    _row("abandoned", wait_s=40.0), _row("abandoned", wait_s=4.0), _row("timeout", wait_s=300.0),
    _row("callback", wait_s=60.0), _row("ivr_self_service", wait_s=None), _row("ivr_hangup", wait_s=None),
    _row("answered", direction="outbound", talk_s=90.0, disposition="converted"),
    _row("answered", direction="outbound", talk_s=30.0, disposition="refused"),
    _row("answered", direction="outbound", talk_s=50.0, disposition="contacted"),
    _row("no_answer", direction="outbound"), _row("busy", direction="outbound"),
]
HAND_STATES = [
    {"state": "ready", "duration_s": 1800.0}, {"state": "on_call", "duration_s": 3000.0},
    {"state": "after_call_work", "duration_s": 600.0}, {"state": "away", "reason": "lunch", "duration_s": 1800.0},
    {"state": "logged_out", "duration_s": 5000.0},
]


def test_every_kpi_has_a_hand_computed_value() -> None:
    """Each defined KPI matches its value worked out by hand on the fixture day (short abandon < 5 s)."""
    assert set(HAND_EXPECTED) == {k.key for k in KPIS}
    got = _kpis(HAND_CALLS, list(HAND_EXPECTED), KpiOptions(short_abandon_s=5.0), HAND_STATES, HAND_TICKETS,
                HAND_CONTACTS, HAND_ROSTER)
    for key, value in HAND_EXPECTED.items():
        assert got[key] == pytest.approx(value), key


def test_ratios_of_nothing_are_unknown() -> None:
    """With no calls, counts are 0 and rates, averages and the longest wait are None."""
    got = _kpis([], ["offered", "answer_rate", "asa_s", "longest_wait_s", "aht_s"])
    assert got == {"offered": 0, "answer_rate": None, "asa_s": None, "longest_wait_s": None, "aht_s": None}


def test_every_kpi_is_named_in_both_languages() -> None:
    """Every KPI has a zh-CN name, an English name and a formula."""
    for k in KPIS:
        assert k.zh and k.en and k.formula and any("\u4e00" <= ch <= "\u9fff" for ch in k.zh)


def test_unknown_kpi_is_an_input_error() -> None:
    """Asking for a KPI that does not exist names the field and the known keys."""
    with pytest.raises(InvalidInput, match="offered"):
        kpi("nope")


def test_every_kpi_is_documented() -> None:
    """docs/metrics.md has a section naming each KPI's key, English and zh-CN names."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "metrics.md").read_text(encoding="utf-8")
    for k in KPIS:
        assert f"### {k.en} · {k.zh} (`{k.key}`)" in text, k.key


def test_fcr_is_blank_below_its_minimum_base() -> None:
    """FCR reads its base (answered calls with a caller id): below ``fcr_min_base`` it is unknown, at it shown."""
    keys = ["fcr", "fcr_base"]
    assert _kpis(HAND_CALLS, keys, KpiOptions(fcr_min_base=4)) == {"fcr": None, "fcr_base": 3}
    assert _kpis(HAND_CALLS, keys, KpiOptions(fcr_min_base=3))["fcr"] == pytest.approx(2 / 3)
    with pytest.raises(InvalidInput, match="0 or more"):
        KpiOptions(fcr_min_base=-1)
