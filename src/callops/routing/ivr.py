"""IVR flows: menus, business hours with holidays, self-service endings and transfers to a queue.

A flow is data (declared in YAML); ``step`` moves one node given the time and the caller's choice, so a
live ACD feeds real key presses and the simulator feeds random draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from callops.errors import InvalidInput

__all__ = ["IvrFlow", "IvrNode", "IvrStep", "parse_ivr", "walk"]

_KINDS = ("menu", "hours", "self_service", "hangup", "queue")


@dataclass(frozen=True, slots=True)
class IvrNode:
    """One node: ``menu`` (options: share, next), ``hours`` (open/close, weekdays, holidays), an ending."""

    node_id: str
    kind: str
    seconds: float = 0.0
    options: tuple[tuple[float, str], ...] = ()
    queue: str | None = None
    opens: dt.time = dt.time(0, 0)
    closes: dt.time = dt.time(23, 59, 59)
    weekdays: frozenset[int] = frozenset(range(7))
    holidays: frozenset[dt.date] = frozenset()
    open_next: str | None = None
    closed_next: str | None = None


@dataclass(frozen=True, slots=True)
class IvrStep:
    """Where a caller goes after one node: the next node, or an ending (queue name or ``ending`` kind)."""

    seconds: float
    next_node: str | None = None
    queue: str | None = None
    ending: str | None = None


@dataclass(frozen=True, slots=True)
class IvrFlow:
    start: str
    nodes: dict[str, IvrNode]
    timezone: str = "UTC"

    def step(self, node_id: str, *, at: dt.datetime, choice: float) -> IvrStep:
        """One node for a caller at ``at``; ``choice`` in [0, 1) picks a menu option by its share."""
        node = self.nodes[node_id]
        if node.kind == "queue":
            return IvrStep(node.seconds, queue=node.queue)
        if node.kind in ("self_service", "hangup"):
            return IvrStep(node.seconds, ending=node.kind)
        if node.kind == "hours":
            local = at.astimezone(ZoneInfo(self.timezone))
            is_open = (local.weekday() in node.weekdays and local.date() not in node.holidays
                       and node.opens <= local.time() < node.closes)
            return IvrStep(node.seconds, next_node=node.open_next if is_open else node.closed_next)
        total = sum(share for share, _ in node.options)
        acc = 0.0
        for share, nxt in node.options:
            acc += share / total
            if choice < acc:
                return IvrStep(node.seconds, next_node=nxt)
        return IvrStep(node.seconds, next_node=node.options[-1][1])


def walk(flow: IvrFlow, at: dt.datetime, draw: Callable[[], float]) -> tuple[float, str | None, str | None]:
    """A caller's whole way through: (seconds in the IVR, queue or None, ending or None)."""
    node, seconds = flow.start, 0.0
    for _ in range(len(flow.nodes) + 1):
        result = flow.step(node, at=at + dt.timedelta(seconds=seconds), choice=draw())
        seconds += result.seconds
        if result.next_node is None:
            return seconds, result.queue, result.ending
        node = result.next_node
    raise InvalidInput("the IVR flow loops without reaching a queue or an ending", field="ivr")


def parse_ivr(raw: Mapping[str, Any], queues: set[str]) -> IvrFlow:
    """Build a flow from its YAML mapping, checking every reference."""
    nodes: dict[str, IvrNode] = {}
    for node_id, spec in raw["nodes"].items():
        kind = str(spec.get("type"))
        if kind not in _KINDS:
            raise InvalidInput(f"unknown IVR node type {kind!r}; use one of {', '.join(_KINDS)}",
                               field=f"ivr.nodes.{node_id}.type")
        nodes[str(node_id)] = IvrNode(
            node_id=str(node_id), kind=kind, seconds=float(spec.get("seconds", 0.0)),
            options=tuple((float(o["share"]), str(o["next"])) for o in spec.get("options", ())),
            queue=spec.get("queue"), opens=dt.time.fromisoformat(str(spec.get("open", "00:00"))),
            closes=dt.time.fromisoformat(str(spec.get("close", "23:59:59"))),
            weekdays=frozenset(int(d) for d in spec.get("weekdays", range(7))),
            holidays=frozenset(dt.date.fromisoformat(str(d)) for d in spec.get("holidays", ())),
            open_next=spec.get("then"), closed_next=spec.get("closed"))
    for node in nodes.values():
        refs = [n for _, n in node.options] + [r for r in (node.open_next, node.closed_next) if r is not None]
        for ref in refs:
            if ref not in nodes:
                raise InvalidInput(f"IVR node {node.node_id} points to unknown node {ref}", field="ivr")
        if node.kind == "queue" and node.queue not in queues:
            raise InvalidInput(f"IVR node {node.node_id} transfers to unknown queue {node.queue}", field="ivr")
    start = str(raw["start"])
    if start not in nodes:
        raise InvalidInput(f"IVR start {start} is not a node", field="ivr.start")
    return IvrFlow(start=start, nodes=nodes, timezone=str(raw.get("timezone", "UTC")))
