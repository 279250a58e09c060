"""An outbound campaign on the routing core: blended agents, inbound priority, the abandon cap, AMD false positives."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from callops.cli import cli
from callops.dialer import PACINGS
from callops.errors import InvalidInput
from callops.records import AgentState, Outcome
from callops.routing import AgentConfig, LiveAgent, LiveCall, QueueConfig, Router
from callops.simulation import OUTBOUND_PACINGS, Scenario, parse_scenario, run_scenario, simulate
from callops.simulation.engine import Core
from callops.simulation.outbound import weighted_max_window

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "blended.yaml"


def blended_yaml(*, pacing: str = "callops", connect: float = 0.25, fp: float = 0.0, calls: float = 60,
                 blended: int = 12, outbound_only: int = 0, hours: float = 2.0, cap: float = 0.03) -> str:
    groups = [f"  - {{group: blended, skills: {{service: 1, sales: 1}}, count: {blended}}}"]
    if outbound_only:
        groups.append(f"  - {{group: caller, skills: {{sales: 1}}, count: {outbound_only}}}")
    return "\n".join([
        "name: t", "interval_min: 30", f"intervals: {int(hours * 2)}",
        "queues:", f"  - {{name: service, arrivals: {calls}, handle: {{dist: lognormal, mean_s: 240, sd_s: 180}},"
                   " patience: 120}",
        "agents:", *groups,
        "outbound:", "  name: spring", "  skill: sales", f"  pacing: {pacing}", f"  abandon_cap: {cap}",
        f"  connect_rate: {connect}", "  machine_rate: 0.15", "  refusal_rate: 0.3",
        "  handle: {dist: lognormal, mean_s: 120, sd_s: 140}",
        f"  amd: {{detection_s: 3, false_positive_rate: {fp}}}", ""])


def scenario(**kw: float | int | str) -> Scenario:
    return parse_scenario(blended_yaml(**kw))  # type: ignore[arg-type]


def test_the_pacings_are_the_dialers() -> None:
    assert OUTBOUND_PACINGS == PACINGS


def test_without_a_campaign_nothing_changes_in_the_output() -> None:
    """A scenario without ``outbound`` has no dialer, no outbound counts and no ``outbound`` key in its JSON."""
    text = blended_yaml().split("outbound:")[0]
    sc = parse_scenario(text)
    assert sc.outbound is None
    run = simulate(sc, np.random.SeedSequence(3))
    assert run.outbound is None
    assert "outbound" not in run_scenario(sc, 2, 3).as_dict()


@pytest.mark.parametrize("pacing", PACINGS)
def test_inbound_has_priority_over_outbound_live_answers(pacing: str) -> None:
    """At every move of an agent to ``outbound`` (a live answer connected, or a line reserved) no inbound caller
    waits in a queue that agent serves; on a floor busy enough that callers do wait and live answers are
    abandoned (VICIdial-style pacing), so the check is not vacuous."""
    sc = scenario(calls=110, blended=12, connect=0.3, pacing=pacing)
    core: Core | None = None
    moves = waits_seen = 0
    violations: list[str] = []

    def watch(agent: LiveAgent, old: AgentState, new: AgentState, now: float) -> None:
        nonlocal moves
        if new is AgentState.OUTBOUND:
            assert core is not None
            moves += 1
            assert old is AgentState.READY
            for name, queue in core.router.queues.items():
                if not name.startswith("outbound:") and queue.config.skill in agent.skills and queue.size > 0:
                    violations.append(f"{agent.agent_id} to outbound at {now} while {queue.size} wait in {name}")

    class Floor:
        def offered(self, call: LiveCall, now: float) -> None:
            nonlocal waits_seen
            assert core is not None
            waits_seen += core.router.queues["service"].size > 0

        def ended(self, call: LiveCall, now: float) -> None:
            return None

        def ivr_entered(self, ivr_id: int | None, now: float) -> None:
            return None

        def ivr_ended(self, ivr_id: int, outcome: Outcome, now: float) -> None:
            return None

    core = Core(sc, np.random.SeedSequence(5), watch=watch, floor=Floor())
    core.run_until(math.inf)
    out = core.result().outbound
    assert out is not None
    assert violations == []
    assert moves > 50 and waits_seen > 20
    assert out.connects > 50
    assert out.abandons > 0 or pacing != "adaptive"


def test_router_takes_a_ready_agent_of_the_campaign_for_an_outbound_call() -> None:
    router = Router([QueueConfig("service", "service"), QueueConfig("outbound:c", "sales")],
                    [AgentConfig("a", {"service": 1, "sales": 1}), AgentConfig("b", {"service": 1})])
    a, b = router.agents
    line = LiveCall(1, "outbound:c", 0.0)
    assert router.take_outbound("outbound:c", line, 0.0, answered=True) is None  # nobody logged in
    router.login(a, 1.0)
    router.login(b, 1.0)
    assert router.take_outbound("outbound:c", line, 2.0, answered=True) is a
    assert a.state is AgentState.OUTBOUND and line.answered_at == 2.0 and a.calls == 1
    assert router.take_outbound("outbound:c", LiveCall(2, "outbound:c", 2.0), 2.0, answered=False) is None
    router.end_call(a, 9.0, acw=False)
    assert router.ready(a, 9.0) is None
    assert [s.value for s in (a.state,)] == ["ready"]
    reserved = LiveCall(3, "outbound:c", 10.0)
    assert router.take_outbound("outbound:c", reserved, 10.0, answered=False) is a
    assert reserved.answered_at is None
    assert router.connect_reserved(a, 15.0) is reserved and reserved.answered_at == 15.0
    with pytest.raises(InvalidInput):
        router.connect_reserved(b, 15.0)


@pytest.mark.parametrize(("connect", "outbound_only"), [(0.15, 0), (0.35, 0), (0.25, 4)])
def test_callops_pacing_keeps_the_cap_with_inbound_load(connect: float, outbound_only: int) -> None:
    """Over 12 seeds per setting, with inbound calls taking the blended agents, the worst window of the reported
    abandon rate (AMD false-positive estimate included) stays at or under 3 %, while the pacer does dial
    ahead (abandons happen) and the VICIdial-style baseline on the same seeds goes over."""
    worst = 0.0
    abandons = 0
    sc = scenario(connect=connect, outbound_only=outbound_only, fp=0.005, hours=1.5)
    for seed in range(12):
        out = simulate(sc, np.random.SeedSequence(seed)).outbound
        assert out is not None
        worst = max(worst, out.max_window_abandon_rate)
        abandons += out.abandons
    assert worst <= 0.03
    assert abandons > 0
    assert sc.outbound is not None
    adaptive = dataclasses.replace(sc, outbound=sc.outbound.with_pacing("adaptive"))
    base_worst = max(r.max_window_abandon_rate for r in
                     (simulate(adaptive, np.random.SeedSequence(s)).outbound for s in range(4)) if r is not None)
    assert base_worst > 0.03


def test_amd_false_positives_are_counted_and_estimated_in_the_abandon_figure() -> None:
    """Live people AMD calls machines are counted (true figure) and estimated from the rate (reported figure);
    the reported rate is never below the false-positive rate, and with no false positives there are none."""
    runs = [simulate(scenario(pacing="progressive", fp=0.02, cap=0.05, hours=2.0), np.random.SeedSequence(s))
            for s in range(3)]
    outs = [r.outbound for r in runs if r.outbound is not None]
    fps = sum(o.amd_false_positives for o in outs)
    live = sum(o.live for o in outs)
    assert fps > 0
    assert fps / (live + fps) == pytest.approx(0.02, abs=0.012)  # the drawn share is near the configured one
    assert sum(o.amd_false_positives_estimated for o in outs) == pytest.approx(live * 0.02 / 0.98)
    for o in outs:
        assert o.abandon_rate >= 0.02 - 1e-12
        assert o.abandon_rate_actual == pytest.approx(
            (o.abandons + o.amd_false_positives) / (o.live + o.amd_false_positives))
    none = simulate(scenario(pacing="progressive", fp=0.0), np.random.SeedSequence(0)).outbound
    assert none is not None and none.amd_false_positives == 0 and none.amd_false_positives_estimated == 0


def test_weighted_window_equals_the_dialers_window_without_false_positives() -> None:
    from callops.dialer import max_window_rate

    rng = np.random.default_rng(4)
    live = np.sort(rng.uniform(0, 3 * 86400, 3000))
    ab = np.sort(rng.choice(live, 60, replace=False) + 2.0)
    for end in (3 * 86400.0, 86400.0):
        mine = weighted_max_window(live, ab, false_positive_rate=0.0, window_s=86400.0, end_s=end)
        theirs = max_window_rate(live, ab, window_s=86400.0, end_s=end)
        assert mine == pytest.approx(theirs)
    assert weighted_max_window(live[:100], ab[:0], false_positive_rate=0.01, window_s=86400.0,
                               end_s=3600.0) == pytest.approx(0.01)


@pytest.mark.parametrize(("edit", "field"), [
    (("  connect_rate: 0.25", "  connect_rate: 0.9"), "outbound.machine_rate"),
    (("false_positive_rate: 0.0", "false_positive_rate: 0.03"), "outbound.amd.false_positive_rate"),
    (("  skill: sales", "  skill: nobody"), "outbound.skill"),
    (("  pacing: callops", "  pacing: turbo"), "outbound.pacing"),
    (("  name: spring", "  name: spring\n  ring_s: 10"), "outbound.ring_s"),
    (("  name: spring", "  name: spring\n  rign_s: 20"), "outbound.rign_s"),
    (("detection_s: 3", "detection_s: 3, fp: 1"), "outbound.amd.fp"),
    (("  refusal_rate: 0.3", "  refusal_rate: yes"), "outbound.refusal_rate"),
    (("  name: spring", "  name: spring\n  start_min: 60\n  end_min: 30"), "outbound.end_min"),
])
def test_a_bad_campaign_is_refused_naming_the_field(edit: tuple[str, str], field: str) -> None:
    text = blended_yaml()
    assert edit[0] in text
    with pytest.raises(InvalidInput) as err:
        parse_scenario(text.replace(edit[0], edit[1]), file="c.yaml")
    assert err.value.field == field
    assert err.value.file == "c.yaml"


def test_cli_runs_the_three_pacings_on_the_same_seeds() -> None:
    """``callops dialer blended`` runs each pacing with the same inbound arrivals (same offered calls) and prints
    the inbound and outbound figures side by side."""
    result = CliRunner().invoke(cli, ["dialer", "blended", str(EXAMPLE), "--replications", "2", "--seed", "3",
                                      "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["pacing"] for r in rows] == list(PACINGS)
    assert len({r["offered_mean"] for r in rows}) == 1
    for r in rows:
        out = r["outbound"]
        assert out["pacing"] == r["pacing"] and out["window_h"] == 24.0
        for key in ("abandon_rate", "agent_talk_share", "connects_per_agent_hour"):
            assert set(out[key]) >= {"mean", "ci95"}
        assert r["service_level"]["mean"] > 0
    assert rows[0]["outbound"]["reserved_dials_mean"] == 0  # only callops reserves agents
    assert rows[2]["outbound"]["max_window_abandon_rate"] <= 0.03
    table = CliRunner().invoke(cli, ["dialer", "blended", str(EXAMPLE), "--replications", "2", "--pacing",
                                     "progressive"])
    assert table.exit_code == 0 and "progressive" in table.output and "callops" not in table.output
    bad = CliRunner().invoke(cli, ["dialer", "blended", str(EXAMPLE.parent / "bank.yaml")])
    assert bad.exit_code != 0 and "outbound" in bad.output


def test_blended_pacer_puts_no_line_at_risk_beyond_its_budget() -> None:
    """With idle blended agents only, an unreserved line is at risk from the first: without budget the pacer
    only reserves (leaving idle the blended agents inbound is expected to need); with budget, the unreserved
    lines never exceed it."""
    from callops.dialer.blended_pacing import BlendedBudgetPacer, BlendedView
    from callops.dialer.pacing import FloorView

    def view(idle: int, guaranteed: int, live: float, abandons: float, ringing: int = 0) -> BlendedView:
        floor = FloorView(now_s=100.0, agents=10, idle=idle, busy_since_s=np.full(10 - idle, 50.0), ringing=ringing,
                          waiting=0, live_in_window=int(live), abandons_in_window=int(abandons),
                          live_in_window_staying=int(live), dials_resolved=500, live_resolved=100,
                          answer_delay_mean_s=10.0, handle_log_mean=5.0, handle_log_sd=0.7, dials_today=500,
                          drops_today=0, answered_today=100, dials_last_60s=0, drops_last_60s=0)
        return BlendedView(floor, guaranteed, live, abandons, inbound_per_s=0.05, line_hold_s=23.0)

    pacer = BlendedBudgetPacer(cap=0.03)
    assert pacer.plan(view(idle=5, guaranteed=0, live=0, abandons=0)) == (5 - math.ceil(0.05 * 23.0), 0)
    # 2 lines ring for the 2 idle outbound-only agents (not at risk); 3 blended idle, 2 kept for inbound: 1 more
    assert pacer.plan(view(idle=5, guaranteed=2, live=0, abandons=0, ringing=2)) == (3, 0)
    reserved, unreserved = pacer.plan(view(idle=5, guaranteed=0, live=2000, abandons=10, ringing=3))
    budget = math.floor((0.03 * 2000 - 10) / 0.97)
    assert 0 < unreserved <= budget - 3
    no_keep = BlendedBudgetPacer(cap=0.03, keep_for_inbound=False)
    assert no_keep.plan(view(idle=5, guaranteed=0, live=0, abandons=0)) == (5, 0)
