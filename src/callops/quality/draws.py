"""Verifiable draws: commit, freeze, mix in public randomness, draw by SHA-256 counter, reveal.

The procedure (docs/quality.md walks through it by hand):

1. Before the period: publish the rule and ``seed_commitment = SHA256(seed)`` (hex).
2. At period end: freeze the eligible calls and publish ``eligible_hash`` (see sampling_rules).
3. After the freeze: public randomness arrives (dice typed in by two people, or a beacon value).
4. Draw string ``S = seed + "," + eligible_hash + "," + public_random``. The i-th number of the
   stream (i = 1, 2, ...) is ``int(SHA256(S + "," + str(i)), 16)``, UTF-8 throughout, as in
   Rivest's sampler for election audits. Groups are visited in sorted (agent, day/week, stratum)
   order; in each group of N calls sorted by call id, a random pick takes index ``number mod N``
   and skips indices already taken (sampling without replacement); a group with N <= n is taken
   whole without using the stream. ``nth`` rules use no randomness.
5. Evaluators: the stream continues; each picked call, in pick order, then each targeted call,
   gets ``evaluators[number mod len(evaluators)]``, drawing again if that is the call's own agent.
6. Reveal the seed. ``verify_draw`` recomputes everything from the public inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields

from callops.errors import Conflict, InvalidInput
from callops.quality.sampling_rules import (
    MIN_NOTICE,
    CallSummary,
    Pick,
    SamplingRule,
    check_filing,
    eligible_calls,
    eligible_hash,
    group_calls,
    rule_fingerprint,
    rule_from_mapping,
    rule_to_mapping,
)

__all__ = [
    "ALGORITHM",
    "Selection",
    "TargetedSample",
    "Shortfall",
    "DrawRecord",
    "Discrepancy",
    "Verification",
    "seed_commitment",
    "counter_stream",
    "draw_sample",
    "verify_draw",
    "draw_to_mapping",
    "draw_from_mapping",
]

ALGORITHM = "callops-sha256-counter-v1"
MAX_LISTED = 10  # differing calls listed one by one; the rest are counted


@dataclass(frozen=True, slots=True)
class Selection:
    call_id: str
    agent: str
    group: str  # day or week label, or "period"
    stratum: str
    counter: int | None  # stream position that picked it; None when taken without randomness
    evaluator: str | None
    evaluator_counter: int | None
    targeted: bool = False
    reason: str = ""  # why a targeted sample was added
    requested_by: str = ""


@dataclass(frozen=True, slots=True)
class TargetedSample:
    """An extra call someone asked to review; always labelled targeted, never counted as random."""

    call_id: str
    reason: str
    requested_by: str


@dataclass(frozen=True, slots=True)
class Shortfall:
    agent: str
    group: str
    stratum: str
    wanted: int
    available: int


@dataclass(frozen=True, slots=True)
class DrawRecord:
    algorithm: str
    rule: SamplingRule
    rule_fingerprint: str
    seed_commitment: str
    eligible_count: int
    eligible_hash: str
    frozen_at: dt.datetime
    public_random: str
    public_random_at: dt.datetime
    seed: str | None  # None until revealed
    evaluators: tuple[str, ...]
    selections: tuple[Selection, ...]
    shortfalls: tuple[Shortfall, ...]


def seed_commitment(seed: str) -> str:
    """SHA256(seed) in hex: published before the period, checked when the seed is revealed."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def counter_stream(draw_string: str, start: int = 1) -> Iterator[tuple[int, int]]:
    """(i, int(SHA256(draw_string + "," + str(i)), 16)) for i = start, start + 1, ..."""
    i = start
    while True:
        yield i, int(hashlib.sha256(f"{draw_string},{i}".encode()).hexdigest(), 16)
        i += 1


def _select(
    rule: SamplingRule, eligible: Sequence[CallSummary], stream: Iterator[tuple[int, int]]
) -> tuple[list[tuple[CallSummary, str, str, int | None]], list[Shortfall]]:
    picked: list[tuple[CallSummary, str, str, int | None]] = []
    shortfalls: list[Shortfall] = []
    for (agent, group, stratum), calls in group_calls(rule, eligible).items():
        if rule.pick is Pick.NTH:
            if len(calls) >= rule.n:
                picked.append((calls[rule.n - 1], group, stratum, None))
            else:
                shortfalls.append(Shortfall(agent, group, stratum, 1, 0))
            continue
        by_id = sorted(calls, key=lambda c: c.call_id)
        if len(by_id) <= rule.n:
            picked.extend((c, group, stratum, None) for c in by_id)
            if len(by_id) < rule.n:
                shortfalls.append(Shortfall(agent, group, stratum, rule.n, len(by_id)))
            continue
        taken: set[int] = set()
        while len(taken) < rule.n:
            counter, number = next(stream)
            index = number % len(by_id)
            if index not in taken:
                taken.add(index)
                picked.append((by_id[index], group, stratum, counter))
    return picked, shortfalls


def _assign(
    agent: str, evaluators: Sequence[str], stream: Iterator[tuple[int, int]]
) -> tuple[str | None, int | None]:
    if not evaluators or set(evaluators) == {agent}:
        return None, None
    while True:
        counter, number = next(stream)
        who = evaluators[number % len(evaluators)]
        if who != agent:
            return who, counter


def draw_sample(
    rule: SamplingRule,
    calls: Iterable[CallSummary],
    *,
    seed: str,
    public_random: str,
    frozen_at: dt.datetime,
    public_random_at: dt.datetime,
    evaluators: Sequence[str] = (),
    targeted: Sequence[TargetedSample] = (),
    min_notice: dt.timedelta = MIN_NOTICE,
) -> DrawRecord:
    """Run the draw (module docstring) and return its record, seed included (revealed)."""
    check_filing(rule, min_notice=min_notice)
    if frozen_at < rule.period_end:
        raise Conflict(
            f"the eligible calls cannot be frozen before the period ends ({rule.period_end.isoformat()})"
        )
    if public_random_at <= frozen_at:
        raise Conflict("the public randomness must arrive after the freeze")
    if not public_random.strip():
        raise InvalidInput("the public randomness is empty", field="public_random")
    if len(seed) < 16:
        raise InvalidInput("the secret seed must be at least 16 characters", field="seed")
    all_calls = list(calls)
    eligible = eligible_calls(rule, all_calls)
    digest = eligible_hash(eligible)
    stream = counter_stream(f"{seed},{digest},{public_random}")
    picked, shortfalls = _select(rule, eligible, stream)
    by_id = {c.call_id: c for c in all_calls}
    selections = []
    for call, group, stratum, counter in picked:
        who, who_counter = _assign(call.agent, evaluators, stream)
        selections.append(Selection(call.call_id, call.agent, group, stratum, counter, who, who_counter))
    chosen = {s.call_id for s in selections}
    for extra in targeted:
        if extra.call_id not in by_id:
            raise InvalidInput(f"targeted call {extra.call_id!r} is not among the calls", field="targeted")
        if extra.call_id in chosen:
            continue
        call = by_id[extra.call_id]
        who, who_counter = _assign(call.agent, evaluators, stream)
        selections.append(
            Selection(
                call.call_id,
                call.agent,
                "targeted",
                "",
                None,
                who,
                who_counter,
                True,
                extra.reason,
                extra.requested_by,
            )
        )
        chosen.add(extra.call_id)
    return DrawRecord(
        algorithm=ALGORITHM,
        rule=rule,
        rule_fingerprint=rule_fingerprint(rule),
        seed_commitment=seed_commitment(seed),
        eligible_count=len(eligible),
        eligible_hash=digest,
        frozen_at=frozen_at,
        public_random=public_random,
        public_random_at=public_random_at,
        seed=seed,
        evaluators=tuple(evaluators),
        selections=tuple(selections),
        shortfalls=tuple(shortfalls),
    )


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: str  # algorithm | commitment | rule | filing | timing | eligible | selection | evaluators
    detail: str


@dataclass(frozen=True, slots=True)
class Verification:
    discrepancies: tuple[Discrepancy, ...]

    @property
    def matches(self) -> bool:
        return not self.discrepancies


def _diff_selections(recorded: Sequence[Selection], recomputed: Sequence[Selection]) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    rec_ids = [s.call_id for s in recorded]
    new_ids = [s.call_id for s in recomputed]
    if rec_ids != new_ids:
        missing = [i for i in new_ids if i not in set(rec_ids)]
        extra = [i for i in rec_ids if i not in set(new_ids)]
        detail = f"recorded {len(rec_ids)} calls, recomputed {len(new_ids)}"
        if extra:
            detail += f"; in the record but not drawn: {', '.join(extra[:10])}"
        if missing:
            detail += f"; drawn but not in the record: {', '.join(missing[:10])}"
        if not extra and not missing:
            detail += "; same calls in a different order"
        out.append(Discrepancy("selection", detail))
        return out
    for rec, new in zip(recorded, recomputed, strict=True):
        if rec == new:
            continue
        names = [f.name for f in fields(Selection) if getattr(rec, f.name) != getattr(new, f.name)]
        kind = "evaluators" if set(names) <= {"evaluator", "evaluator_counter"} else "selection"
        changes = "; ".join(f"{n} recorded {getattr(rec, n)!r}, redone {getattr(new, n)!r}" for n in names)
        out.append(Discrepancy(kind, f"call {rec.call_id}: {changes}"))
    if len(out) > MAX_LISTED:
        out = [*out[:MAX_LISTED], Discrepancy(out[MAX_LISTED].kind, f"... and {len(out) - MAX_LISTED} more")]
    return out


def verify_draw(
    record: DrawRecord,
    calls: Iterable[CallSummary],
    *,
    seed: str | None = None,
    min_notice: dt.timedelta = MIN_NOTICE,
) -> Verification:
    """Recompute a draw from its public inputs (and the revealed seed) and list every difference."""
    found: list[Discrepancy] = []
    if record.algorithm != ALGORITHM:
        return Verification((Discrepancy("algorithm", f"unknown algorithm {record.algorithm!r}"),))
    used = seed if seed is not None else record.seed
    if used is None:
        return Verification((Discrepancy("commitment", "the seed has not been revealed"),))
    if seed_commitment(used) != record.seed_commitment:
        found.append(
            Discrepancy(
                "commitment",
                f"SHA256(seed) = {seed_commitment(used)}, "
                f"but the published commitment is {record.seed_commitment}",
            )
        )
    if record.seed is not None and seed is not None and seed != record.seed:
        found.append(Discrepancy("commitment", "the seed given differs from the seed in the record"))
    if rule_fingerprint(record.rule) != record.rule_fingerprint:
        found.append(Discrepancy("rule", "the rule in the record differs from the one fingerprinted"))
    if record.rule.filed_at > record.rule.period_start - min_notice:
        found.append(Discrepancy("filing", f"the rule was filed less than {min_notice} before its period"))
    if record.frozen_at < record.rule.period_end or record.public_random_at <= record.frozen_at:
        found.append(
            Discrepancy("timing", "freeze before the period end, or public randomness before the freeze")
        )
    all_calls = list(calls)
    eligible = eligible_calls(record.rule, all_calls)
    digest = eligible_hash(eligible)
    if digest != record.eligible_hash or len(eligible) != record.eligible_count:
        found.append(
            Discrepancy(
                "eligible",
                f"the calls give {len(eligible)} eligible calls hashing to {digest}; the record says "
                f"{record.eligible_count} hashing to {record.eligible_hash}",
            )
        )
    targeted = [TargetedSample(s.call_id, s.reason, s.requested_by) for s in record.selections if s.targeted]
    known = {c.call_id for c in all_calls}
    missing_targets = [t.call_id for t in targeted if t.call_id not in known]
    if missing_targets:
        found.append(
            Discrepancy("eligible", f"targeted calls not in the calls file: {', '.join(missing_targets)}")
        )
        targeted = [t for t in targeted if t.call_id in known]
    redo = (
        draw_sample(
            record.rule,
            all_calls,
            seed=used,
            public_random=record.public_random,
            frozen_at=max(record.frozen_at, record.rule.period_end),
            public_random_at=max(record.public_random_at, record.frozen_at + dt.timedelta(microseconds=1)),
            evaluators=record.evaluators,
            targeted=targeted,
            min_notice=dt.timedelta(0),
        )
        if len(used) >= 16 and record.public_random.strip()
        else None
    )
    if redo is None:
        found.append(
            Discrepancy("selection", "the draw cannot be re-run (seed too short or no public randomness)")
        )
    else:
        found.extend(_diff_selections(record.selections, redo.selections))
    return Verification(tuple(found))


# --- records as plain mappings (JSON at the edges) --------------------------------------------


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def draw_to_mapping(record: DrawRecord) -> dict[str, object]:
    return {
        "algorithm": record.algorithm,
        "rule": rule_to_mapping(record.rule),
        "rule_fingerprint": record.rule_fingerprint,
        "seed_commitment": record.seed_commitment,
        "eligible_count": record.eligible_count,
        "eligible_hash": record.eligible_hash,
        "frozen_at": _iso(record.frozen_at),
        "public_random": record.public_random,
        "public_random_at": _iso(record.public_random_at),
        "seed": record.seed,
        "evaluators": list(record.evaluators),
        "selections": [
            {
                "call_id": s.call_id,
                "agent": s.agent,
                "group": s.group,
                "stratum": s.stratum,
                "counter": s.counter,
                "evaluator": s.evaluator,
                "evaluator_counter": s.evaluator_counter,
                "targeted": s.targeted,
                "reason": s.reason,
                "requested_by": s.requested_by,
            }
            for s in record.selections
        ],
        "shortfalls": [
            {
                "agent": s.agent,
                "group": s.group,
                "stratum": s.stratum,
                "wanted": s.wanted,
                "available": s.available,
            }
            for s in record.shortfalls
        ],
    }


def _time(m: Mapping[str, object], key: str, source: str | None) -> dt.datetime:
    try:
        out = dt.datetime.fromisoformat(str(m[key]))
    except (KeyError, ValueError) as exc:
        raise InvalidInput("missing or not an ISO date-time", file=source, field=key) from exc
    if out.tzinfo is None:
        raise InvalidInput("no time zone", file=source, field=key)
    return out.astimezone(dt.UTC)


def _opt_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def draw_from_mapping(m: Mapping[str, object], *, source: str | None = None) -> DrawRecord:
    """Read a record written by ``draw_to_mapping``; errors name the field."""
    try:
        rule_map = m["rule"]
        raw_selections = m["selections"]
        raw_shortfalls = m.get("shortfalls", [])
        if not isinstance(rule_map, Mapping) or not isinstance(raw_selections, list):
            raise InvalidInput("rule must be a mapping and selections a list", file=source, field="rule")
        if not isinstance(raw_shortfalls, list):
            raise InvalidInput("shortfalls must be a list", file=source, field="shortfalls")
        evaluators = m.get("evaluators", [])
        if not isinstance(evaluators, list):
            raise InvalidInput("evaluators must be a list", file=source, field="evaluators")
        selections = tuple(
            Selection(
                call_id=str(s["call_id"]),
                agent=str(s["agent"]),
                group=str(s["group"]),
                stratum=str(s["stratum"]),
                counter=_opt_int(s.get("counter")),
                evaluator=None if s.get("evaluator") is None else str(s["evaluator"]),
                evaluator_counter=_opt_int(s.get("evaluator_counter")),
                targeted=bool(s.get("targeted", False)),
                reason=str(s.get("reason", "")),
                requested_by=str(s.get("requested_by", "")),
            )
            for s in raw_selections
        )
        shortfalls = tuple(
            Shortfall(
                str(s["agent"]), str(s["group"]), str(s["stratum"]), int(s["wanted"]), int(s["available"])
            )
            for s in raw_shortfalls
        )
        seed = m.get("seed")
        return DrawRecord(
            algorithm=str(m["algorithm"]),
            rule=rule_from_mapping(rule_map, source=source),
            rule_fingerprint=str(m["rule_fingerprint"]),
            seed_commitment=str(m["seed_commitment"]),
            eligible_count=int(str(m["eligible_count"])),
            eligible_hash=str(m["eligible_hash"]),
            frozen_at=_time(m, "frozen_at", source),
            public_random=str(m["public_random"]),
            public_random_at=_time(m, "public_random_at", source),
            seed=None if seed is None else str(seed),
            evaluators=tuple(str(e) for e in evaluators),
            selections=selections,
            shortfalls=shortfalls,
        )
    except KeyError as exc:
        raise InvalidInput("missing", file=source, field=str(exc.args[0])) from exc
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"malformed draw record: {exc}", file=source) from exc
