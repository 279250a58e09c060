"""A roster checked by simulation, skill by skill: its agents (breaks taken out) as the simulator's staffing.

The workload is calls and handle time per interval and skill (a queue); each agent serves the skills they have
(an agent with no skills, or the skill ``*``, serves every skill). Agents with the same skills form one agent
group whose count in an interval is how many of them are on the phones for at least half of it (on shift and
not on a break or the huddle). The simulator routes calls to the longest-idle agent that can take them, so a
multi-skilled agent is shared between skills as calls arrive, not split beforehand.

Per interval and skill: calls, agents able to serve it, simulated offered calls, the service level pooled over
replications and its 95 % interval over the replications that offered a call there (as the plan check,
:func:`callops.simulation.from_plan.compare_with_plan`), and whether it falls short of the target.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from callops.csv_rows import CheckedDictReader
from callops.deadline import Deadline
from callops.errors import InvalidInput
from callops.routing import QueueConfig
from callops.scheduling.roster_model import ANY_SKILL, RosterAgent, RosterShift
from callops.simulation.distributions import Distribution
from callops.simulation.engine import simulate
from callops.simulation.replications import Estimate, estimate
from callops.simulation.scenario import AgentGroup, QueueBehaviour, Scenario

__all__ = [
    "MAX_DAYS",
    "MAX_WORKLOAD_ROWS",
    "RosterIntervalCheck",
    "RosterSimulation",
    "Workload",
    "parse_workload",
    "roster_scenario",
    "simulate_roster",
]

MAX_WORKLOAD_ROWS = 200_000
MAX_DAYS = 31  # the longest workload simulated at once


@dataclass(frozen=True, slots=True)
class Workload:
    """One interval of one skill: calls expected and their mean handle time."""

    start_at: dt.datetime
    skill: str
    calls: float
    aht_s: float


@dataclass(frozen=True, slots=True)
class RosterIntervalCheck:
    start_at: dt.datetime
    skill: str
    calls: float
    agents: int  # on the phones (half the interval or more) and able to serve the skill
    offered: float  # simulated, mean per replication
    service_level: float | None  # pooled over replications; None when no call was simulated there
    service_level_ci95: tuple[float, float] | None  # over replications with calls (None with fewer than two)
    target: float

    @property
    def short(self) -> bool:
        """The simulated service level is below the target (a point estimate: may be noise)."""
        return self.service_level is not None and self.service_level < self.target

    @property
    def clearly_short(self) -> bool:
        """Even the upper end of the 95 % interval is below the target."""
        return self.service_level_ci95 is not None and self.service_level_ci95[1] < self.target


@dataclass(frozen=True, slots=True)
class RosterSimulation:
    scenario: Scenario
    replications: int
    intervals: tuple[RosterIntervalCheck, ...]
    service_level: dict[str, Estimate]  # per skill, over the whole roster: one value per replication

    @property
    def intervals_short(self) -> int:
        return sum(c.short for c in self.intervals)

    @property
    def intervals_clearly_short(self) -> int:
        return sum(c.clearly_short for c in self.intervals)


def parse_workload(text: str, *, tz: zoneinfo.ZoneInfo, file: str = "workload") -> list[Workload]:
    """``interval_start,calls,aht_s[,skill]`` (local times without offset are in ``tz``); errors name the line.
    ``offered`` may stand for ``calls`` and ``queue`` for ``skill`` (the words of the queue exports)."""
    reader = CheckedDictReader(text, file=file)
    names = [(n or "").strip().lower() for n in reader.fieldnames or []]
    shown = {n: n for n in ("interval_start", "calls", "aht_s")}  # the file's own column names, for the errors
    for alias, column in (("offered", "calls"), ("queue", "skill")):
        if alias in names and column not in names:
            names[names.index(alias)] = column
            shown[column] = alias
    if not {"interval_start", "calls", "aht_s"} <= set(names):
        raise InvalidInput("needs the columns interval_start,calls (or offered),aht_s (and optionally skill)",
                           file=file, line=1)
    reader.fieldnames = names
    out: list[Workload] = []
    seen: set[tuple[dt.datetime, str]] = set()
    for n, row in enumerate(reader, start=2):
        if len(out) >= MAX_WORKLOAD_ROWS:
            raise InvalidInput(f"at most {MAX_WORKLOAD_ROWS:,} rows", file=file, line=n)
        try:
            start = dt.datetime.fromisoformat((row["interval_start"] or "").strip())
        except ValueError:
            raise InvalidInput(
                f"{row['interval_start']!r} is not a date and time", file=file, line=n, field=shown["interval_start"]
            ) from None
        start = start.replace(tzinfo=tz) if start.tzinfo is None else start
        values: list[float] = []
        for column in ("calls", "aht_s"):
            try:
                value = float((row[column] or "").strip())
            except ValueError:
                raise InvalidInput(f"{row[column]!r} is not a number", file=file, line=n, field=shown[column]) from None
            if not value >= 0 or value == float("inf"):
                raise InvalidInput(f"{value:g} must be 0 or more", file=file, line=n, field=shown[column])
            values.append(value)
        calls, aht_s = values
        if calls > 0 and aht_s <= 0:
            raise InvalidInput("calls need a positive handle time", file=file, line=n, field=shown["aht_s"])
        skill = (row.get("skill") or "").strip() or ANY_SKILL
        if (start, skill) in seen:
            raise InvalidInput(
                f"{start.isoformat()} appears twice for skill {skill}", file=file, line=n, field=shown["interval_start"]
            )
        seen.add((start, skill))
        out.append(Workload(start, skill, calls, aht_s))
    if not out:
        raise InvalidInput("no rows", file=file, line=2)
    return out


def _on_phones(shift: RosterShift, lo: dt.datetime, hi: dt.datetime) -> float:
    """Seconds of [lo, hi) that the shift is on the phones (on shift, not on a break)."""
    a, b = max(lo, shift.start_at), min(hi, shift.end_at)
    if b <= a:
        return 0.0
    off = sum(max(0.0, (min(b, k.end_at) - max(a, k.start_at)).total_seconds()) for k in shift.breaks)
    return (b - a).total_seconds() - off


def roster_scenario(
    shifts: Sequence[RosterShift],
    agents: Sequence[RosterAgent],
    workload: Sequence[Workload],
    *,
    interval_min: int = 30,
    sl_time_s: float = 20.0,
    patience_s: float | None = None,
    name: str = "roster",
) -> tuple[Scenario, list[dt.datetime]]:
    """The scenario (one queue per skill, one agent group per set of skills) and each interval's start."""
    if not workload:
        raise InvalidInput("the workload has no rows", field="workload")
    step = dt.timedelta(minutes=interval_min)
    first = min(w.start_at for w in workload)
    n = max(int((w.start_at - first) / step) for w in workload) + 1
    if n * step > dt.timedelta(days=MAX_DAYS):
        raise InvalidInput(f"the workload spans more than {MAX_DAYS} days", field="workload")
    skills = sorted({w.skill for w in workload})
    arrivals = {k: [0.0] * n for k in skills}
    work = {k: [0.0] * n for k in skills}
    for w in workload:
        slot, rest = divmod(w.start_at - first, step)
        if rest:
            raise InvalidInput(
                f"{w.start_at.isoformat()} is not on the {interval_min}-minute grid of {first.isoformat()}",
                field="workload",
            )
        arrivals[w.skill][slot] += w.calls
        work[w.skill][slot] += w.calls * w.aht_s
    known = {a.agent: a for a in agents}
    counts: dict[tuple[str, ...], list[int]] = {}
    starts = [first + i * step for i in range(n)]
    half = step.total_seconds() / 2
    for s in shifts:
        agent = known.get(s.agent)
        serves = tuple(k for k in skills if agent is None or k == ANY_SKILL or agent.can_serve(k))
        if not serves:
            continue
        row = counts.setdefault(serves, [0] * n)
        lo = max(0, int((s.start_at - first) / step))
        hi = min(n, int((s.end_at - first) / step) + 1)
        for i in range(lo, hi):
            if _on_phones(s, starts[i], starts[i] + step) >= half:
                row[i] += 1
    groups = tuple(
        AgentGroup("+".join(k.replace("*", "any") for k in serves), dict.fromkeys(serves, 1), tuple(row))
        for serves, row in sorted(counts.items())
        if max(row) > 0
    )
    if not groups:
        raise InvalidInput("no shift of the roster is on the phones during the workload's intervals", field="workload")
    queues = []
    for k in skills:
        total = sum(arrivals[k])
        mean = sum(work[k]) / total if total > 0 else 180.0
        means = tuple(work[k][i] / arrivals[k][i] if arrivals[k][i] > 0 else mean for i in range(n))
        queues.append(
            QueueBehaviour(
                config=QueueConfig(k, k),
                arrivals_per_interval=tuple(arrivals[k]),
                handle=Distribution("exponential", mean),
                handle_means_s=means,
                patience=Distribution("exponential", patience_s) if patience_s is not None else None,
            )
        )
    scenario = Scenario(
        name=name,
        interval_s=step.total_seconds(),
        intervals=n,
        queues=tuple(queues),
        groups=groups,
        sl_time_s=sl_time_s,
    )
    return scenario, starts


def simulate_roster(
    shifts: Sequence[RosterShift],
    agents: Sequence[RosterAgent],
    workload: Sequence[Workload],
    *,
    replications: int,
    seed: int,
    target: float = 0.8,
    interval_min: int = 30,
    sl_time_s: float = 20.0,
    patience_s: float | None = None,
    max_calls: float | None = None,
    deadline: Deadline | None = None,
) -> RosterSimulation:
    """Simulate the roster against ``workload`` ``replications`` times from ``seed``; per interval and skill the
    service level with its 95 % interval. ``max_calls`` bounds the work (``InvalidInput`` on ``replications``)."""
    if replications < 2:
        raise InvalidInput("at least 2 replications (the interval needs two)", field="replications")
    if not 0 < target <= 1:
        raise InvalidInput("the target service level is a fraction in (0, 1]", field="target")
    if max_calls is not None:
        total = replications * sum(w.calls for w in workload)
        if total > max_calls:
            raise InvalidInput(
                f"the workload has about {total:,.0f} calls over {replications} replications; at most "
                f"{max_calls:,.0f} run here",
                field="replications",
            )
    scenario, starts = roster_scenario(
        shifts, agents, workload, interval_min=interval_min, sl_time_s=sl_time_s, patience_s=patience_s
    )
    skills = [q.config.name for q in scenario.queues]
    n = scenario.intervals
    offered = {k: np.zeros((replications, n)) for k in skills}
    within = {k: np.zeros((replications, n)) for k in skills}
    step_s = scenario.interval_s
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        if deadline is not None:
            deadline.check("the roster simulation")
        run = simulate(scenario, child, record=True, start_at=starts[0])
        for call in run.calls:
            if call.queue not in offered or call.queue_entered_at is None or not call.outcome.offered:
                continue
            i = min(n - 1, int((call.queue_entered_at - starts[0]).total_seconds() // step_s))
            offered[call.queue][r, i] += 1
            if (
                call.outcome.answered
                and call.answered_at is not None
                and (call.answered_at - call.queue_entered_at).total_seconds() <= scenario.sl_time_s
            ):
                within[call.queue][r, i] += 1
    people = {k: [sum(g.counts[i] for g in scenario.groups if k in g.skills) for i in range(n)] for k in skills}
    calls_in = {q.config.name: q.arrivals_per_interval for q in scenario.queues}
    rows: list[RosterIntervalCheck] = []
    for k in skills:
        for i in range(n):
            got = offered[k][:, i]
            total = float(got.sum())
            per_run = [float(within[k][r, i] / got[r]) for r in range(replications) if got[r] > 0]
            ci = estimate(per_run, rate=True).ci95 if len(per_run) >= 2 else None
            rows.append(
                RosterIntervalCheck(
                    start_at=starts[i],
                    skill=k,
                    calls=calls_in[k][i],
                    agents=people[k][i],
                    offered=total / replications,
                    service_level=float(within[k][:, i].sum()) / total if total else None,
                    service_level_ci95=ci,
                    target=target,
                )
            )
    overall: dict[str, Estimate] = {}
    for k in skills:
        sums = offered[k].sum(axis=1)
        values = [float(within[k][r].sum() / sums[r]) for r in range(replications) if sums[r] > 0]
        if values:
            overall[k] = estimate(values, rate=True)
    ordered = sorted(rows, key=lambda c: (c.start_at, c.skill))
    return RosterSimulation(scenario, replications, tuple(ordered), overall)
