"""Measures in Python: outcome counts partition offered, and bucket measures combine exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callops.metrics import KpiOptions, combine_measures, evaluate_measures, measures_for
from callops.records import Outcome

_NAMES = measures_for(["offered", "answered", "abandoned", "lost", "longest_wait_s", "aht_s", "asa_s", "csat"])

calls = st.lists(st.fixed_dictionaries({
    "direction": st.sampled_from(["inbound", "outbound"]),
    "outcome": st.sampled_from([o.value for o in Outcome]),
    "wait_s": st.one_of(st.none(), st.floats(0, 1e4)),
    "talk_s": st.floats(0, 1e4), "hold_s": st.floats(0, 1e3), "acw_s": st.floats(0, 1e3),
    "csat": st.one_of(st.none(), st.integers(1, 5)),
}), max_size=40)


@given(calls)
def test_outcomes_sum_to_offered(rows: list[dict[str, object]]) -> None:
    """answered + abandoned + timed out + callback = offered, whatever the calls."""
    m = evaluate_measures(measures_for(["offered", "answered", "abandoned"]) + ("timed_out", "callback"), rows,
                          KpiOptions())
    assert m["answered"] + m["abandoned"] + m["timed_out"] + m["callback"] == m["offered"]  # type: ignore[operator]


@given(calls, st.integers(0, 40))
def test_combining_buckets_equals_evaluating_the_whole(rows: list[dict[str, object]], cut: int) -> None:
    """Measures of two parts combined equal the measures of all rows (sums add, maxima take the larger)."""
    opts = KpiOptions()
    whole = evaluate_measures(_NAMES, rows, opts)
    parts = combine_measures([evaluate_measures(_NAMES, rows[:cut], opts), evaluate_measures(_NAMES, rows[cut:], opts)])
    assert parts.keys() == whole.keys()
    for name, value in whole.items():
        other = parts[name]
        assert (value is None) == (other is None)
        assert value is None or other is None or abs(value - other) <= 1e-6 * max(1.0, abs(value))
