"""A simulation scenario: queues, agents, arrivals and behaviour, read from a mapping (YAML)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callops.errors import InvalidInput
from callops.routing import AgentConfig, IvrFlow, QueueConfig, Strategy, parse_ivr
from callops.simulation.distributions import Distribution
from callops.simulation.outbound import OutboundCampaign, parse_outbound
from callops.yaml_input import load_yaml

__all__ = ["AgentGroup", "Break", "MAX_INTERVALS", "QueueBehaviour", "Scenario", "parse_scenario"]

MAX_INTERVALS = 20_000  # a year of 30-minute intervals is 17,520; checked before any per-interval list is built


@dataclass(frozen=True, slots=True)
class QueueBehaviour:
    """What callers of one queue do: arrivals per interval, handle time, patience, retrials, callbacks."""

    config: QueueConfig
    arrivals_per_interval: tuple[float, ...]
    handle: Distribution
    patience: Distribution | None = None
    acw: Distribution | None = None
    retrial_share: float = 0.0
    retrial_delay_s: float = 600.0
    callback_after_s: float | None = None
    callback_share: float = 0.0
    handle_means_s: tuple[float, ...] = ()  # per interval: the handle time's mean there (draws rescaled)

    def __post_init__(self) -> None:
        if self.handle_means_s:
            if self.handle.mean <= 0:
                raise InvalidInput("handle_means_s needs a handle distribution with a positive mean",
                                   field=f"{self.config.name}.handle")
            if any(not m > 0 for m in self.handle_means_s):
                raise InvalidInput("every handle mean must be positive", field=f"{self.config.name}.handle_means_s")
            if len(self.handle_means_s) != len(self.arrivals_per_interval):
                raise InvalidInput("needs one handle mean per interval", field=f"{self.config.name}.handle_means_s")


@dataclass(frozen=True, slots=True)
class Break:
    """At ``at_s`` (seconds after the start), ``agents`` of the group take a break of ``duration_s``: the idle ones
    at once, the busy ones when their call and after-call work are over; each break lasts its full length."""

    at_s: float
    duration_s: float
    agents: int
    reason: str = "break"

    def __post_init__(self) -> None:
        if self.at_s < 0 or self.duration_s <= 0 or self.agents < 1:
            raise InvalidInput("a break needs at_min >= 0, minutes > 0 and agents >= 1", field="breaks")


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """Agents with the same skills; ``counts`` logged in per interval."""

    name: str
    skills: dict[str, int]
    counts: tuple[int, ...]
    ring_s: float = 0.0
    no_answer_share: float = 0.0
    away_s: float = 60.0
    distressing_share: float = 0.0
    recovery_s: float = 90.0
    breaks: tuple[Break, ...] = ()

    def agents(self) -> list[AgentConfig]:
        return [AgentConfig(f"{self.name}-{i + 1:04d}", dict(self.skills)) for i in range(max(self.counts))]


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    interval_s: float
    intervals: int
    queues: tuple[QueueBehaviour, ...]
    groups: tuple[AgentGroup, ...]
    strategy: Strategy = Strategy.LONGEST_IDLE
    head_start_s: dict[int, float] = field(default_factory=dict)
    sl_time_s: float = 20.0
    warmup_s: float = 0.0
    ivr: IvrFlow | None = None
    ivr_arrivals_per_interval: tuple[float, ...] = ()
    outbound: OutboundCampaign | None = None  # an outbound campaign on the same agents (None: inbound only)


def _per_interval(value: Any, intervals: int, where: str, cast: type = float) -> tuple[Any, ...]:
    if isinstance(value, list):
        if len(value) != intervals:
            raise InvalidInput(f"needs {intervals} values, one per interval, got {len(value)}", field=where)
        return tuple(cast(v) for v in value)
    return tuple(cast(value) for _ in range(intervals))


def _dist(raw: Any, where: str) -> Distribution:
    if isinstance(raw, (int, float)):
        return Distribution("exponential", float(raw))
    if not isinstance(raw, Mapping):
        raise InvalidInput("expected a number (exponential mean) or {dist, mean_s, ...}", field=where)
    return Distribution(str(raw.get("dist", "exponential")), float(raw.get("mean_s", 0.0)),
                        float(raw.get("sd_s", 0.0)), tuple(float(v) for v in raw.get("values_s", ())))


def _breaks(raw: Any, where: str) -> tuple[Break, ...]:
    if not isinstance(raw, (list, tuple)):
        raise InvalidInput("a list of {at_min, minutes, agents, reason}", field=where)
    try:
        return tuple(Break(float(b["at_min"]) * 60, float(b["minutes"]) * 60, int(b["agents"]),
                           str(b.get("reason", "break"))) for b in raw)
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field=where) from exc


def parse_scenario(text: str, *, file: str = "scenario") -> Scenario:
    """Parse scenario YAML text; errors name the file and field."""
    raw = load_yaml(text, file=file)
    if not isinstance(raw, Mapping):
        raise InvalidInput("a scenario is a mapping", file=file)
    try:
        return _scenario(raw)
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, file=file, field=exc.field) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"missing or bad value: {exc}", file=file) from exc


def _scenario(raw: Mapping[str, Any]) -> Scenario:
    interval_s = float(raw.get("interval_min", 30)) * 60
    intervals = int(raw.get("intervals", 48))
    if not 1 <= intervals <= MAX_INTERVALS:
        raise InvalidInput(f"{intervals} intervals: a scenario has 1 to {MAX_INTERVALS}", field="intervals")
    queues = []
    for i, q in enumerate(raw["queues"]):
        where = f"queues[{i}]"
        overflow = q.get("overflow") or {}
        callback = q.get("callback") or {}
        retrial = q.get("retrial") or {}
        config = QueueConfig(
            name=str(q["name"]), skill=str(q.get("skill", q["name"])), priority=int(q.get("priority", 0)),
            capacity=q.get("capacity"), max_wait_s=q.get("max_wait_s"),
            overflow_after_s=overflow.get("after_s"), overflow_to=overflow.get("to"))
        queues.append(QueueBehaviour(
            config=config,
            arrivals_per_interval=_per_interval(q.get("arrivals", 0), intervals, f"{where}.arrivals"),
            handle=_dist(q["handle"], f"{where}.handle"),
            patience=_dist(q["patience"], f"{where}.patience") if q.get("patience") is not None else None,
            acw=_dist(q["acw"], f"{where}.acw") if q.get("acw") is not None else None,
            retrial_share=float(retrial.get("share", 0.0)), retrial_delay_s=float(retrial.get("delay_s", 600)),
            callback_after_s=callback.get("after_s"), callback_share=float(callback.get("share", 0.0)),
            handle_means_s=_per_interval(q["handle_means_s"], intervals, f"{where}.handle_means_s")
            if q.get("handle_means_s") is not None else ()))
    groups = []
    for i, g in enumerate(raw["agents"]):
        groups.append(AgentGroup(
            name=str(g["group"]), skills={str(k): int(v) for k, v in g["skills"].items()},
            counts=_per_interval(g["count"], intervals, f"agents[{i}].count", int),
            ring_s=float(g.get("ring_s", 0.0)), no_answer_share=float(g.get("no_answer_share", 0.0)),
            away_s=float(g.get("away_s", 60.0)), distressing_share=float(g.get("distressing_share", 0.0)),
            recovery_s=float(g.get("recovery_s", 90.0)), breaks=_breaks(g.get("breaks") or (), f"agents[{i}].breaks")))
    ivr_raw = raw.get("ivr")
    ivr = parse_ivr(ivr_raw, {q.config.name for q in queues}) if ivr_raw else None
    ivr_arrivals = _per_interval(ivr_raw["arrivals"], intervals, "ivr.arrivals") if ivr_raw else ()
    outbound = parse_outbound(raw["outbound"], dist=_dist, inbound_queues=[q.config.name for q in queues],
                              group_skills=[g.skills for g in groups], horizon_s=interval_s * intervals) \
        if raw.get("outbound") is not None else None
    return Scenario(
        name=str(raw.get("name", "scenario")), interval_s=interval_s, intervals=intervals,
        queues=tuple(queues), groups=tuple(groups), strategy=Strategy(raw.get("strategy", "longest_idle")),
        head_start_s={int(k): float(v) for k, v in (raw.get("head_start_s") or {}).items()},
        sl_time_s=float(raw.get("sl_time_s", 20)), warmup_s=float(raw.get("warmup_min", 0)) * 60,
        ivr=ivr, ivr_arrivals_per_interval=ivr_arrivals, outbound=outbound)
