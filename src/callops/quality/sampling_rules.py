"""Sampling rules published in advance (seed 002, remedy 2), and the calls each rule makes eligible.

A rule says which calls are eligible (period, queues, outcomes, "longer than 60 s", "after 11:00"
local time), how they are grouped (per agent per day / week / period, optionally per queue or
outcome stratum) and what is taken from each group: the n-th call in time order, or n random calls.
A rule is filed at least ``MIN_NOTICE`` before its period starts and is locked from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callops.errors import Conflict, InvalidInput

__all__ = [
    "RULE_ID",
    "MIN_NOTICE",
    "CallSummary",
    "Grouping",
    "Pick",
    "SamplingRule",
    "check_filing",
    "revise_rule",
    "rule_from_mapping",
    "rule_to_mapping",
    "rule_fingerprint",
    "eligible_calls",
    "eligible_hash",
    "manifest_line",
    "group_calls",
]

RULE_ID = re.compile(r"[^\W_][\w.\-]{0,79}")  # a rule id names files (NAME-draw.json): no separators, no ".."

MIN_NOTICE = dt.timedelta(days=1)
STRATA = ("queue", "outcome")


class Grouping(StrEnum):
    AGENT_DAY = "agent_day"
    AGENT_WEEK = "agent_week"  # ISO weeks (Monday to Sunday) in the rule's time zone
    AGENT_PERIOD = "agent_period"


class Pick(StrEnum):
    NTH = "nth"  # the n-th eligible call of each group, in (started_at, call_id) order
    RANDOM = "random"  # n calls of each group drawn by the SHA-256 counter procedure


@dataclass(frozen=True, slots=True)
class CallSummary:
    """What sampling needs to know about a call (one row of CALLS.csv)."""

    call_id: str
    agent: str
    queue: str
    started_at: dt.datetime  # aware
    duration_s: float
    outcome: str


@dataclass(frozen=True, slots=True)
class SamplingRule:
    rule_id: str
    filed_at: dt.datetime
    period_start: dt.datetime
    period_end: dt.datetime  # exclusive
    timezone: str  # zone for "after 11:00" and for day / week groups
    per: Grouping
    pick: Pick
    n: int
    longer_than_s: float = 0.0
    after_local: dt.time | None = None
    before_local: dt.time | None = None
    queues: tuple[str, ...] = ()  # empty: every queue
    outcomes: tuple[str, ...] = ()  # empty: every outcome
    strata: tuple[str, ...] = ()  # "queue" and/or "outcome": pick n per stratum within each group
    description: str = ""


def _span(span: dt.timedelta) -> str:
    """``1 day``, ``2 days``, ``6 h``: a notice period as a person writes it (not ``1 day, 0:00:00``)."""
    if span % dt.timedelta(days=1) == dt.timedelta(0):
        days = span // dt.timedelta(days=1)
        return f"{days} day" + ("" if days == 1 else "s")
    return f"{span.total_seconds() / 3600:g} h"


def check_filing(rule: SamplingRule, *, min_notice: dt.timedelta = MIN_NOTICE) -> None:
    """Raise Conflict unless the rule was filed at least ``min_notice`` before its period."""
    deadline = rule.period_start - min_notice
    if rule.filed_at > deadline:
        raise Conflict(
            f"rule {rule.rule_id}: filed at {rule.filed_at.isoformat()}, after the filing deadline "
            f"{deadline.isoformat()} ({_span(min_notice)} before the period starts)"
        )


def revise_rule(
    filed: SamplingRule, revised: SamplingRule, *, now: dt.datetime, min_notice: dt.timedelta = MIN_NOTICE
) -> SamplingRule:
    """Replace a filed rule before its filing deadline; the revision is filed ``now``.

    After the deadline a rule is locked: Conflict. The rule id cannot change.
    """
    if revised.rule_id != filed.rule_id:
        raise InvalidInput(f"a revision keeps the rule id {filed.rule_id!r}", field="rule_id")
    deadline = filed.period_start - min_notice
    if now > deadline:
        raise Conflict(f"rule {filed.rule_id} is locked since {deadline.isoformat()}; it cannot change")
    out = replace(revised, filed_at=now)
    check_filing(out, min_notice=min_notice)
    return out


# --- rules as plain mappings (YAML / JSON at the edges) -------------------------------------


def _req(m: Mapping[str, object], key: str, source: str | None) -> object:
    if key not in m or m[key] is None:
        raise InvalidInput("missing", file=source, field=key)
    return m[key]


def _when(value: object, key: str, source: str | None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        out = value
    else:
        try:
            out = dt.datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidInput(f"{value!r} is not an ISO date-time", file=source, field=key) from exc
    if out.tzinfo is None:
        raise InvalidInput(f"{value!r} has no time zone (write e.g. +08:00 or Z)", file=source, field=key)
    return out.astimezone(dt.UTC)


def _clock(value: object, key: str, source: str | None) -> dt.time | None:
    if value is None:
        return None
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a time of day like 11:00", file=source, field=key) from exc


def _names(value: object, key: str, source: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput("expected a list", file=source, field=key)
    return tuple(str(v) for v in value)


def rule_from_mapping(m: Mapping[str, object], *, source: str | None = None) -> SamplingRule:
    """Build a rule from its published form (see docs/quality.md); errors name the field."""
    known = {"rule_id", "filed_at", "period", "timezone", "per", "select", "filters", "strata", "description"}
    unknown = sorted(set(m) - known)
    if unknown:
        raise InvalidInput(f"unknown keys {unknown}", file=source, field=unknown[0])
    period = _req(m, "period", source)
    select = _req(m, "select", source)
    filters = m.get("filters") or {}
    if not isinstance(period, Mapping) or not isinstance(select, Mapping) or not isinstance(filters, Mapping):
        raise InvalidInput("period, select and filters are mappings", file=source, field="period")
    zone = str(m.get("timezone", "UTC"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a file
        raise InvalidInput(f"{zone!r} is not a time zone", file=source, field="timezone") from exc
    try:
        per = Grouping(str(_req(m, "per", source)))
        pick = Pick(str(_req(select, "pick", source)))
    except ValueError as exc:
        raise InvalidInput(str(exc), file=source, field="per/select.pick") from exc
    n = _req(select, "n", source)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidInput(f"{n!r} is not a positive whole number", file=source, field="select.n")
    strata = _names(m.get("strata"), "strata", source)
    if not set(strata) <= set(STRATA):
        raise InvalidInput(f"strata may be {list(STRATA)}", file=source, field="strata")
    longer = filters.get("longer_than_s", 0)
    if not isinstance(longer, int | float) or isinstance(longer, bool) or longer < 0:
        raise InvalidInput(
            f"{longer!r} is not a non-negative number", file=source, field="filters.longer_than_s"
        )
    rule_id = str(_req(m, "rule_id", source))
    if not RULE_ID.fullmatch(rule_id) or ".." in rule_id:
        raise InvalidInput(f"{rule_id[:100]!r} is not a rule id: 1-80 letters, digits, '_', '-' or '.' (any script; "
                           "no '/', '..' or spaces), e.g. 2026-01 or 一月", file=source, field="rule_id")
    rule = SamplingRule(
        rule_id=rule_id,
        filed_at=_when(_req(m, "filed_at", source), "filed_at", source),
        period_start=_when(_req(period, "start", source), "period.start", source),
        period_end=_when(_req(period, "end", source), "period.end", source),
        timezone=zone,
        per=per,
        pick=pick,
        n=n,
        longer_than_s=float(longer),
        after_local=_clock(filters.get("after"), "filters.after", source),
        before_local=_clock(filters.get("before"), "filters.before", source),
        queues=_names(filters.get("queues"), "filters.queues", source),
        outcomes=_names(filters.get("outcomes"), "filters.outcomes", source),
        strata=strata,
        description=str(m.get("description", "")),
    )
    if rule.period_end <= rule.period_start:
        raise InvalidInput("the period ends before it starts", file=source, field="period.end")
    return rule


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def rule_to_mapping(rule: SamplingRule) -> dict[str, object]:
    """The published form of a rule; ``rule_from_mapping`` reads it back unchanged."""
    filters: dict[str, object] = {"longer_than_s": rule.longer_than_s}
    if rule.after_local is not None:
        filters["after"] = rule.after_local.isoformat(timespec="minutes")
    if rule.before_local is not None:
        filters["before"] = rule.before_local.isoformat(timespec="minutes")
    if rule.queues:
        filters["queues"] = list(rule.queues)
    if rule.outcomes:
        filters["outcomes"] = list(rule.outcomes)
    return {
        "rule_id": rule.rule_id,
        "description": rule.description,
        "filed_at": _iso(rule.filed_at),
        "period": {"start": _iso(rule.period_start), "end": _iso(rule.period_end)},
        "timezone": rule.timezone,
        "per": rule.per.value,
        "select": {"pick": rule.pick.value, "n": rule.n},
        "filters": filters,
        "strata": list(rule.strata),
    }


def rule_fingerprint(rule: SamplingRule) -> str:
    """SHA-256 of the rule's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(rule_to_mapping(rule), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- eligibility, groups and the frozen manifest ---------------------------------------------


def eligible_calls(rule: SamplingRule, calls: Iterable[CallSummary]) -> tuple[CallSummary, ...]:
    """The calls the rule can pick from, sorted by call id."""
    zone = ZoneInfo(rule.timezone)
    out = []
    for call in calls:
        if not rule.period_start <= call.started_at < rule.period_end:
            continue
        if call.duration_s <= rule.longer_than_s and rule.longer_than_s > 0:
            continue
        if rule.queues and call.queue not in rule.queues:
            continue
        if rule.outcomes and call.outcome not in rule.outcomes:
            continue
        local = call.started_at.astimezone(zone).time()
        if rule.after_local is not None and local < rule.after_local:
            continue
        if rule.before_local is not None and local >= rule.before_local:
            continue
        out.append(call)
    repeated = sorted(i for i, k in Counter(c.call_id for c in out).items() if k > 1)
    if repeated:
        raise InvalidInput(f"call id {repeated[0]!r} appears more than once", field="call_id")
    return tuple(sorted(out, key=lambda c: c.call_id))


def _seconds(value: float) -> str:
    """Whole seconds without a decimal point, others in Python's shortest round-trip form."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def manifest_line(call: CallSummary) -> str:
    """One call in the frozen manifest: id, agent, queue, start (UTC), duration, outcome, comma-separated."""
    return ",".join(
        [call.call_id, call.agent, call.queue, _iso(call.started_at), _seconds(call.duration_s), call.outcome]
    )


def eligible_hash(eligible: Iterable[CallSummary]) -> str:
    """SHA-256 of the manifest: one ``manifest_line`` per call, sorted, each ending in a newline."""
    lines = sorted(manifest_line(c) for c in eligible)
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def _group_label(rule: SamplingRule, call: CallSummary) -> str:
    local = call.started_at.astimezone(ZoneInfo(rule.timezone))
    if rule.per is Grouping.AGENT_DAY:
        return local.date().isoformat()
    if rule.per is Grouping.AGENT_WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return "period"


def group_calls(
    rule: SamplingRule, eligible: Iterable[CallSummary]
) -> dict[tuple[str, str, str], tuple[CallSummary, ...]]:
    """Groups keyed (agent, day/week label, stratum), in key order; calls in (started_at, call_id) order.

    The stratum is the values of the rule's strata joined by "/" ("" without strata).
    """
    groups: dict[tuple[str, str, str], list[CallSummary]] = {}
    for call in eligible:
        stratum = "/".join(getattr(call, s) for s in rule.strata)
        groups.setdefault((call.agent, _group_label(rule, call), stratum), []).append(call)
    return {
        key: tuple(sorted(groups[key], key=lambda c: (c.started_at, c.call_id))) for key in sorted(groups)
    }
