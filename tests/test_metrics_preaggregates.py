"""Which measures the pre-aggregates store, and the histogram bins that answer thresholds exactly."""

from __future__ import annotations

import random

import pytest

from callops.metrics import KpiOptions
from callops.metrics.preaggregates import (
    BINNED,
    HOUR_MS,
    PRESET_THRESHOLDS,
    STORED,
    bin_edge,
    exact_threshold,
    plan_reads,
    zone_fits,
)

EDGE_THRESHOLDS = [0, 1, 20, 119, 120, 130, 590, 600, 660, 3540, 3600, 7200, 36000]


def test_stored_measures_read_no_option_and_the_rest_is_binned_or_from_calls() -> None:
    """Every call measure without an option is stored; service level and short abandons are binned waits; FCR
    (its window is an option and it depends on the caller's next call) is read from calls."""
    stored = {m.name for m in STORED}
    assert {"offered", "answered", "answered_wait_s", "longest_wait_s", "csat_sum", "dials"} <= stored
    assert {b.name: (b.column, b.op, b.rounding) for b in BINNED} == {
        "answered_within_t": ("wait_s", "<=", "ceil"), "short_abandoned": ("wait_s", "<", "floor")}
    assert "fcr_no_repeat" not in stored | {b.name for b in BINNED}


@pytest.mark.parametrize("threshold", EDGE_THRESHOLDS)
def test_bins_answer_edge_thresholds_exactly(threshold: int) -> None:
    """For a threshold on a bin edge, counting bins gives the same answer as comparing every value."""
    assert exact_threshold(threshold)
    rng = random.Random(threshold)
    values = [rng.uniform(0, 9000) for _ in range(3000)] + [threshold + d for d in (-0.001, 0.0, 0.001)]
    for v in values:
        assert (bin_edge(v, "ceil") <= threshold) == (v <= threshold), v
        assert (bin_edge(v, "ceil") > threshold) == (v > threshold), v
        assert (bin_edge(v, "floor") < threshold) == (v < threshold), v
        assert (bin_edge(v, "floor") >= threshold) == (v >= threshold), v


def test_thresholds_off_the_edges_are_not_exact() -> None:
    assert [exact_threshold(t) for t in (20.5, 121, 125, 605, 3570, 3660, float("inf"), float("nan"))] == [False] * 8
    assert bin_edge(None, "ceil") == 0 and bin_edge(120.001, "ceil") == 130 and bin_edge(600.5, "floor") == 600


def test_plan_reads_sends_each_measure_where_it_is_exact() -> None:
    """Preset thresholds read stored counts, other bin edges the histograms, the rest (and FCR) the calls table;
    agent-state measures are not the calls' business."""
    names = ("offered", "answered_within_t", "short_abandoned", "fcr_no_repeat", "handle_state_s")
    preset = plan_reads(names, KpiOptions(sl_threshold_s=20, short_abandon_s=5))
    assert preset.stored == (("offered", "offered"), ("answered_within_t", "answered_within_t_at_20"),
                             ("short_abandoned", "short_abandoned_at_5"))
    assert preset.binned == () and preset.calls == ("fcr_no_repeat",)
    edges = plan_reads(names, KpiOptions(sl_threshold_s=130, short_abandon_s=7))
    assert [b.name for b in edges.binned] == ["answered_within_t", "short_abandoned"]
    off = plan_reads(names, KpiOptions(sl_threshold_s=20.5, short_abandon_s=7))
    assert off.calls == ("answered_within_t", "fcr_no_repeat") and [b.name for b in off.binned] == ["short_abandoned"]
    assert all(exact_threshold(t) for t in PRESET_THRESHOLDS)


def test_zone_fits_only_quarter_hours_from_1970() -> None:
    q = 15 * 60_000
    assert zone_fits([(5 * 60 + 45) * 60_000], [], 0)  # Kathmandu
    assert zone_fits([10 * 3_600_000 + 2 * q, 11 * 3_600_000], [1_000 * q], 0)  # Lord Howe's 30-minute change
    assert not zone_fits([-(44 * 60 + 30) * 1000], [], 0)  # Monrovia until 1972
    assert not zone_fits([0], [q + 1], 0) and not zone_fits([0], [], -q)


def test_zone_fits_the_hour_level_only_in_whole_hours() -> None:
    h = HOUR_MS
    assert zone_fits([-5 * h, -4 * h], [1_000 * h], 0, h)  # New York across a DST change
    assert not zone_fits([(5 * 60 + 45) * 60_000], [], 0, h)  # Kathmandu
    assert not zone_fits([(5 * 60 + 30) * 60_000], [], 0, h)  # India
    assert not zone_fits([10 * h + 30 * 60_000, 11 * h], [1_000 * h], 0, h)  # Lord Howe's 30-minute change
    assert not zone_fits([h], [1_000 * h + 15 * 60_000], 0, h)  # a change off the hour
