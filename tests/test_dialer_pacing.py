"""Pacing: the VICIdial baseline's dial-level rule, the callops pacer's guaranteed cap, the window metric, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from callops.cli import cli
from callops.dialer import (
    AdaptivePacer,
    BudgetPacer,
    FloorView,
    OutboundSetup,
    ProgressivePacer,
    max_window_rate,
    simulate_outbound,
    simulate_pacing,
)


def floor(**kw: float) -> FloorView:
    base: dict[str, object] = dict(
        now_s=0.0, agents=10, idle=0, busy_since_s=np.zeros(0), ringing=0, waiting=0, live_in_window=0,
        abandons_in_window=0, live_in_window_staying=0, dials_resolved=0, live_resolved=0,
        answer_delay_mean_s=8.0, handle_log_mean=5.0, handle_log_sd=0.7, dials_today=0, drops_today=0,
        answered_today=0, dials_last_60s=0, drops_last_60s=0)
    base.update(kw)
    return FloorView(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("level", "ready", "waiting", "stats", "expected"), [
    (2.0, 3, 0, (0, 0, 0, 0, 0), 2.6),
    (2.0, 0, 2, (0, 0, 0, 0, 0), 1.6),
    (2.5, 2, 0, (0, 0, 0, 0, 0), 3.0),  # capped at the maximum level
    (2.5, 2, 0, (100, 4, 100, 0, 0), 1.0),  # over the drop limit today: hard limit
    (2.0, 3, 0, (100, 0, 100, 30, 20), 1.3),  # more than half of the last minute dropped: halved
])
def test_adaptive_dial_level_follows_the_vicidial_rule(level: float, ready: int, waiting: int,
                                                       stats: tuple[int, int, int, int, int], expected: float) -> None:
    """The reference's worked examples: L * (1 + (ready - waiting) / agents), cap 3.0, brakes, floor 1.0."""
    pacer = AdaptivePacer(drop_limit=0.03, level=level)
    calls, drops, answered, calls60, drops60 = stats
    view = floor(idle=ready, waiting=waiting, dials_today=calls, drops_today=drops, answered_today=answered,
                 dials_last_60s=calls60, drops_last_60s=drops60)
    for second in range(16):
        view.now_s = float(second)
        pacer.sample(view)
    assert pacer.level == pytest.approx(expected)
    assert pacer.dials(floor(idle=4, ringing=3)) == max(0, round(expected * 10) - 3 - 6)


def test_budget_pacer_is_progressive_until_the_budget_covers_a_worst_case_abandon() -> None:
    """With no live answers yet (no budget) the callops pacer dials one line per idle agent, no more."""
    pacer = BudgetPacer(cap=0.03)
    assert pacer.dials(floor(idle=5, ringing=2, dials_resolved=500, live_resolved=100)) == 3
    rich = floor(idle=5, ringing=2, dials_resolved=500, live_resolved=100, live_in_window=1000,
                 live_in_window_staying=1000, abandons_in_window=5)
    extra = pacer.dials(rich) - 3
    assert 0 < extra <= int((0.03 * 1000 - 5) / 0.97)
    assert ProgressivePacer().dials(floor(idle=5, ringing=2)) == 3


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_callops_pacing_never_exceeds_the_cap(alpha: float) -> None:
    """Over 30 seeds and three connect rates the callops pacer's rate stays at or under 3 %, even with an
    absurdly aggressive target (alpha 0.5): the hard budget alone holds the cap."""
    worst = 0.0
    dialed_ahead = False
    for connect_rate in (0.1, 0.3, 0.6):
        setup = OutboundSetup(agents=5, hours=0.5, aht_s=60, aht_cv=1.2, connect_rate=connect_rate, machine_rate=0.1)
        for seed in range(10):
            run = simulate_outbound(setup, BudgetPacer(cap=0.03, alpha=alpha), np.random.default_rng(seed))
            worst = max(worst, run.max_window_abandon_rate)
            dialed_ahead |= run.abandons > 0
    assert worst <= 0.03
    assert dialed_ahead  # it did dial ahead of the agents (progressive never abandons)


def test_progressive_never_abandons_and_runs_reproduce() -> None:
    """One line per idle agent never abandons; the same seed gives the same run."""
    setup = OutboundSetup(agents=5, hours=0.5, aht_s=60, connect_rate=0.5, machine_rate=0.1)
    a = simulate_pacing(setup, pacing="progressive", abandon_cap=0.03, replications=3, seed=4)
    assert a.abandon_rate_max == 0.0 and a.connects_per_agent_hour.mean > 0
    b = simulate_pacing(setup, pacing="callops", abandon_cap=0.03, replications=2, seed=4)
    c = simulate_pacing(setup, pacing="callops", abandon_cap=0.03, replications=2, seed=4)
    assert b.as_dict() == c.as_dict()


def test_rolling_window_rate() -> None:
    """A run shorter than the window is one window; a longer one takes the worst full 24 h window."""
    live = np.array([10.0, 20.0, 30.0, 40.0])
    assert max_window_rate(live, np.array([20.0]), window_s=86400, end_s=100) == 0.25
    day = 86400.0
    live = np.concatenate([np.linspace(1, day - 1, 100), np.linspace(day + 1, 2 * day - 1, 10)])
    ab = np.array([day + 5.0])
    # the window ending just after day + 5 holds ~100 answers; the one ending at 2 days holds 10 answers, 1 abandon
    assert max_window_rate(live, ab, window_s=day, end_s=2 * day) == pytest.approx(0.1)


def test_setup_validation() -> None:
    """Ring time under 15 s, rates over 1 and zero agents are refused."""
    with pytest.raises(ValueError, match="15 s"):
        OutboundSetup(agents=5, hours=1, aht_s=60, connect_rate=0.2, machine_rate=0.1, ring_timeout_s=10)
    with pytest.raises(ValueError, match="sum"):
        OutboundSetup(agents=5, hours=1, aht_s=60, connect_rate=0.8, machine_rate=0.3)
    with pytest.raises(ValueError, match="agents"):
        OutboundSetup(agents=0, hours=1, aht_s=60, connect_rate=0.2, machine_rate=0.1)


def test_cli_contract() -> None:
    """`callops dialer simulate --json` prints the contract's keys; bad combinations exit 1 naming the option."""
    args = ["dialer", "simulate", "--agents", "5", "--hours", "0.5", "--aht", "60", "--connect-rate", "0.3",
            "--machine-rate", "0.1", "--abandon-cap", "0.03", "--replications", "3", "--seed", "2", "--json"]
    runner = CliRunner()
    for pacing in ("progressive", "adaptive", "callops"):
        result = runner.invoke(cli, [*args, "--pacing", pacing], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        assert out["pacing"] == pacing
        assert set(out) == {"pacing", "abandon_rate", "max_window_abandon_rate", "agent_talk_share",
                            "connects_per_agent_hour"}
        assert set(out["abandon_rate"]) == {"mean", "max", "ci95"}
        assert set(out["agent_talk_share"]) == {"mean", "ci95"} == set(out["connects_per_agent_hour"])
        assert out["max_window_abandon_rate"] >= out["abandon_rate"]["max"] - 1e-9
    bad = runner.invoke(cli, [*args[:-1], "--pacing", "callops", "--machine-rate", "0.9"])
    assert bad.exit_code == 1 and "--machine-rate" in bad.output
