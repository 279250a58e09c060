"""Asterisk CDR ``Master.csv``: the legs (rows) of each call grouped into one call.

Two column orders are read, detected per file from the first row's shape (where the start time is):

- **cdr_csv** (``cdr/cdr_csv.c``): accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
  lastdata, start, answer, end, duration, billsec, disposition, amaflags, then uniqueid and userfield
  (``loguniqueid`` / ``loguserfield``), then peeraccount, linkedid, sequence (``newcdrcolumns``):
  16, 17, 18 or 21 fields; start is field 10.
- **cdr_custom** (the ``Master.csv`` mapping of ``cdr_custom.conf``): clid, src, dst, dcontext, channel,
  dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
  accountcode, uniqueid, userfield, sequence: 15 to 19 fields; start is field 9.

Times are local clock times ``YYYY-MM-DD HH:MM:SS`` in the ``--tz`` zone (use ``--tz UTC`` for files
written with ``usegmtime=yes``); an empty answer time means not answered.

**Legs.** One call writes several rows: the IVR, ``ForkCDR``, the ``Queue`` leg, one row per ring-group
or queue member rung, both halves of ``Local`` channels. Rows are grouped by ``linkedid`` when the file
has it (``newcdrcolumns``), else by ``uniqueid`` and by shared channel instances (a row's
``dstchannel`` is another row's ``channel``; the two halves ``;1``/``;2`` of a Local channel are one).
Only channel names with an instance suffix (``SIP/8007-0000002a``) chain rows. The call's id is the
linkedid, else the uniqueid of its first row.

**Direction and customer calls** (rules, each a list of glob patterns, case-insensitive; the
``cdr_rules`` option, ``--rules FILE.yaml`` on the command line, replaces any of them):

- ``inbound_contexts`` (from-trunk*, from-pstn*, from-external*, from-did*, incoming*, inbound*, ext-did*,
  from-sip-external*, from-dahdi*): the first row's ``dcontext`` matching one makes the call inbound;
- ``trunk_channels`` (DAHDI/*, Zap/*, mISDN/*, *trunk*, *provider*, *gateway*, *pstn*), and, with
  ``named_peers_are_trunks`` (default true), any channel whose peer is a name rather than a number: the
  first row's channel being a trunk makes it inbound, a later row's ``dstchannel`` being one outbound;
- ``outbound_contexts`` (from-internal*, outbound*, outgoing*, from-inside*, macro-dialout*, outrt*):
  with a dialled number of 7 or more digits, outbound;
- ``extension_channels`` (none): channels that are agents' phones besides those with a numeric peer.

Anything else (extension to extension, an Echo or Festival test) is not a customer call: skipped with
the reason. ``explain`` (``--explain``) adds one notice per call saying which rule decided what.

**One call from the legs.** Inbound: the queue is the first ``lastdata`` argument of the ``Queue`` leg;
IVR time runs from the call's start to the first Queue (or Dial) leg's start when the two differ; the
agent is the ``dstchannel`` of the answered leg that reached an extension (the latest such answer),
through Local channels to the real phone where the file has that leg, without its instance suffix;
talk is that leg's ``billsec``. Answered → answered; reached a queue or dial but no agent answered →
abandoned; never left the IVR → ivr_hangup; otherwise failed. Outbound: the agent is the first row's
channel, the trunk leg's disposition gives answered / no_answer / busy / failed. With a single row per
call (1.8 without ForkCDR) the answer time is when the channel was answered, often by the IVR: wait and
talk are as exact as the CDR is.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from callops.errors import InvalidInput
from callops.ingest.callers import caller_number
from callops.ingest.items import Item, Notice, ParseContext, Rejection, Skip
from callops.ingest.textfile import csv_rows
from callops.records import Call, Direction, Outcome

__all__ = ["parse", "SOURCE", "CDR_CSV", "CDR_CUSTOM", "CdrRules", "rules_from"]

SOURCE = "asterisk-cdr"
CDR_CSV = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
           "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield",
           "peeraccount", "linkedid", "sequence")
CDR_CUSTOM = ("clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start",
              "answer", "end", "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid",
              "userfield", "sequence")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}
_NUMBERED_INSTANCE = re.compile(r"-[0-9a-fA-F]{4,}$")
_SUFFIX = re.compile(r"-[0-9a-fA-F]{4,}(?:;[12])?$|;[12]$")
_TRUNK_TECH = ("DAHDI", "ZAP", "MISDN")


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CdrRules:
    """Which calls are customer calls and which way they go; see the module docstring."""

    inbound_contexts: tuple[str, ...] = ("from-trunk*", "from-pstn*", "from-external*", "from-did*", "incoming*",
                                         "inbound*", "ext-did*", "from-sip-external*", "from-dahdi*")
    outbound_contexts: tuple[str, ...] = ("from-internal*", "outbound*", "outgoing*", "from-inside*",
                                          "macro-dialout*", "outrt*")
    trunk_channels: tuple[str, ...] = ("DAHDI/*", "Zap/*", "mISDN/*", "*trunk*", "*provider*", "*gateway*",
                                       "*pstn*")
    extension_channels: tuple[str, ...] = ()
    named_peers_are_trunks: bool = True


_RULE_KEYS = ("inbound_contexts", "outbound_contexts", "trunk_channels", "extension_channels")


def rules_from(options: Mapping[str, Any]) -> CdrRules:
    """The rules of ``options['cdr_rules']`` (a mapping read from YAML), defaults for keys not given."""
    given = options.get("cdr_rules") or {}
    if not isinstance(given, Mapping):
        raise InvalidInput("the CDR rules must be a mapping of rule name to patterns", field="cdr_rules")
    unknown = sorted(set(given) - {*_RULE_KEYS, "named_peers_are_trunks"})
    if unknown:
        raise InvalidInput(f"unknown rule {unknown[0]!r}; rules are {', '.join(_RULE_KEYS)}, named_peers_are_trunks",
                           field="cdr_rules")
    values: dict[str, Any] = {}
    for key in _RULE_KEYS:
        if key in given:
            patterns = given[key]
            if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
                raise InvalidInput("a list of patterns (text) is needed", field=f"cdr_rules.{key}")
            values[key] = tuple(patterns)
    if "named_peers_are_trunks" in given:
        if not isinstance(given["named_peers_are_trunks"], bool):
            raise InvalidInput("true or false", field="cdr_rules.named_peers_are_trunks")
        values["named_peers_are_trunks"] = given["named_peers_are_trunks"]
    return CdrRules(**values)


@dataclass(frozen=True, slots=True)
class _Layout:
    name: str
    columns: tuple[str, ...]
    sizes: frozenset[int]


_LAYOUTS = (_Layout("cdr_csv", CDR_CSV, frozenset({16, 17, 18, 21})),
            _Layout("cdr_custom", CDR_CUSTOM, frozenset({15, 16, 17, 18, 19})))


@dataclass(slots=True)
class _Leg:
    line: int
    src: str
    dst: str
    dcontext: str
    channel: str
    dstchannel: str
    lastapp: str
    lastdata: str
    start: dt.datetime
    answer: dt.datetime | None
    end: dt.datetime
    billsec: int
    disposition: str
    uniqueid: str
    linkedid: str


def _detect(row: list[str]) -> _Layout | None:
    for layout in _LAYOUTS:
        start, end = layout.columns.index("start"), layout.columns.index("end")
        if len(row) in layout.sizes and _TIME.fullmatch(row[start].strip()) and _TIME.fullmatch(row[end].strip()):
            return layout
    return None


def _time(value: str, field: str, ctx: ParseContext) -> dt.datetime | None:
    value = value.strip()
    if not value:
        return None
    if not _TIME.fullmatch(value):
        raise _Bad(field, f"{value!r} is not a time YYYY-MM-DD HH:MM:SS")
    try:
        local = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise _Bad(field, f"{value!r} is not a valid time ({exc})") from exc
    return local.replace(tzinfo=ctx.tz).astimezone(dt.UTC)


def _int(value: str, field: str) -> int:
    value = value.strip()
    if not value.isdigit():
        raise _Bad(field, f"{value!r} is not a whole number of seconds")
    return int(value)


def _leg(number: int, row: list[str], layout: _Layout, ctx: ParseContext) -> _Leg:
    get = dict(zip(layout.columns, row, strict=False))
    disposition = get["disposition"].strip()
    if disposition not in _DISPOSITIONS:
        raise _Bad("disposition", f"{disposition!r} is not one of {', '.join(sorted(_DISPOSITIONS))}")
    start = _time(get["start"], "start", ctx)
    answer = _time(get["answer"], "answer", ctx)
    end = _time(get["end"], "end", ctx)
    if start is None:
        raise _Bad("start", "empty")
    if end is None:
        raise _Bad("end", "empty")
    _int(get["duration"], "duration")
    billsec = _int(get["billsec"], "billsec")
    if end < start:
        raise _Bad("end", "ends before it starts")
    if disposition == "ANSWERED" and answer is None:
        raise _Bad("answer", "empty for an ANSWERED leg")
    return _Leg(line=number, src=get["src"].strip(), dst=get["dst"].strip(), dcontext=get["dcontext"].strip(),
                channel=get["channel"].strip(), dstchannel=get["dstchannel"].strip(),
                lastapp=get["lastapp"].strip(), lastdata=get["lastdata"], start=start, answer=answer, end=end,
                billsec=billsec, disposition=disposition, uniqueid=get.get("uniqueid", "").strip(),
                linkedid=get.get("linkedid", "").strip())


def _instance(channel: str) -> str | None:
    """The channel instance a name denotes (both Local halves as one), or None without an instance suffix."""
    base = channel[:-2] if channel[-2:] in (";1", ";2") else channel
    if base != channel and base.lower().startswith("local/"):
        return base
    return base if _NUMBERED_INSTANCE.search(base) else None


def _peer(channel: str) -> str:
    """``SIP/8007-0000002a`` → ``SIP/8007``; Local halves lose ``;1``/``;2`` and the instance."""
    return _SUFFIX.sub("", channel)


class _Groups:
    """Union-find over legs: linkedid, else shared uniqueid and channel instances."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.by_key: dict[str, int] = {}

    def add(self, leg: _Leg) -> int:
        index = len(self.parent)
        self.parent.append(index)
        keys = [f"L:{leg.linkedid}"] if leg.linkedid else [
            *([f"U:{leg.uniqueid}"] if leg.uniqueid else []),
            *(f"C:{inst}" for inst in (_instance(leg.channel), _instance(leg.dstchannel)) if inst)]
        if not keys:
            keys = [f"N:{index}"]
        for key in keys:
            other = self.by_key.setdefault(key, index)
            self.union(index, other)
        return index

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(slots=True)
class _Decision:
    direction: Direction | None
    rule: str
    notes: list[str] = field(default_factory=list)


class _Classifier:
    def __init__(self, rules: CdrRules) -> None:
        self.rules = rules

    @staticmethod
    def _match(value: str, patterns: tuple[str, ...]) -> str | None:
        low = value.lower()
        return next((p for p in patterns if fnmatch.fnmatchcase(low, p.lower())), None)

    def kind(self, channel: str) -> str:
        """trunk, extension, local or other (empty: none)."""
        if not channel:
            return "none"
        peer = _peer(channel)
        if peer.lower().startswith("local/"):
            return "local"
        if self._match(peer, self.rules.extension_channels):
            return "extension"
        if self._match(peer, self.rules.trunk_channels):
            return "trunk"
        tech, _, name = peer.partition("/")
        if tech.upper() in _TRUNK_TECH:
            return "trunk"
        if name.isdigit() or (tech.lower() == "agent" and name):
            return "extension"
        if self.rules.named_peers_are_trunks and name and any(ch.isalpha() for ch in name):
            return "trunk"
        return "other"

    def direction(self, legs: list[_Leg]) -> _Decision:
        first = legs[0]
        hit = self._match(first.dcontext, self.rules.inbound_contexts)
        if hit:
            return _Decision(Direction.INBOUND, f"inbound_contexts {hit!r} matched {first.dcontext!r} "
                                                f"(line {first.line})")
        if self.kind(first.channel) == "trunk":
            return _Decision(Direction.INBOUND, f"trunk_channels: the first leg's channel {_peer(first.channel)!r} "
                                                f"is a trunk (line {first.line})")
        for leg in legs:
            if self.kind(leg.dstchannel) == "trunk":
                return _Decision(Direction.OUTBOUND, f"trunk_channels: {_peer(leg.dstchannel)!r} dialled out "
                                                     f"(line {leg.line})")
        hit = self._match(first.dcontext, self.rules.outbound_contexts)
        dialled = first.dst.lstrip("+")
        if hit and dialled.isdigit() and len(dialled) >= 7:
            return _Decision(Direction.OUTBOUND, f"outbound_contexts {hit!r} matched {first.dcontext!r} and "
                                                 f"{first.dst!r} is an outside number (line {first.line})")
        apps = sorted({leg.lastapp for leg in legs if leg.lastapp})
        return _Decision(None, f"no trunk and no inbound context ({', '.join(apps) or 'no application'})")


def _queue_of(leg: _Leg) -> str | None:
    return re.split(r"[,|]", leg.lastdata, maxsplit=1)[0].strip() or None


def _call(legs: list[_Leg], decision: _Decision, cls: _Classifier) -> Call:
    legs.sort(key=lambda leg: (leg.start, leg.line))
    first = legs[0]
    call_id = first.linkedid or first.uniqueid or f"{first.channel}@{first.start:%Y%m%dT%H%M%S}"
    ended = max(leg.end for leg in legs)
    if decision.direction is Direction.OUTBOUND:
        out = [leg for leg in legs if cls.kind(leg.dstchannel) == "trunk"] or legs
        leg = max(out, key=lambda x: (x.disposition == "ANSWERED", x.end))
        outcome = {"ANSWERED": Outcome.ANSWERED, "NO ANSWER": Outcome.NO_ANSWER,
                   "BUSY": Outcome.BUSY}.get(leg.disposition, Outcome.FAILED)
        took = outcome is Outcome.ANSWERED
        decision.notes.append(f"{outcome.value} by the trunk leg's {leg.disposition} (line {leg.line})")
        return Call(source=SOURCE, source_call_id=call_id, direction=Direction.OUTBOUND, outcome=outcome,
                    caller_number=caller_number(first.dst), answered_at=leg.answer if took else None,
                    ended_at=ended, agent=_peer(first.channel) or None, talk_s=float(leg.billsec) if took else 0.0,
                    disposition=leg.disposition)
    local_ends = {_instance(leg.channel) for leg in legs if cls.kind(leg.channel) == "local"}
    agents = [leg for leg in legs if leg.disposition == "ANSWERED" and leg.answer is not None and (
        cls.kind(leg.dstchannel) == "extension"
        or (cls.kind(leg.dstchannel) == "local" and _instance(leg.dstchannel) not in local_ends))]
    queues = [leg for leg in legs if leg.lastapp.lower() == "queue"]
    dials = queues or [leg for leg in legs if leg.lastapp.lower() == "dial" and leg.dstchannel]
    answered = max(agents, key=lambda leg: (leg.answer, leg.line)) if agents else None
    queue_leg = None
    if queues:
        before = [q for q in queues if answered is None or answered.answer is None or q.start <= answered.answer]
        queue_leg = before[-1] if before else queues[-1]
    entered = dials[0].start if dials else None
    ivr = entered is not None and entered > first.start
    if answered is not None:
        outcome = Outcome.ANSWERED
        decision.notes.append(f"answered by {_peer(answered.dstchannel)} (line {answered.line})")
    elif dials:
        outcome = Outcome.ABANDONED
        decision.notes.append(f"abandoned: reached {dials[0].lastapp} (line {dials[0].line}), no agent answered")
    elif any(leg.disposition == "ANSWERED" for leg in legs):
        outcome = Outcome.IVR_HANGUP
        decision.notes.append("ivr_hangup: answered by the system, never reached a queue or an agent")
    else:
        outcome = Outcome.FAILED
        decision.notes.append(f"failed: {first.disposition} and no queue or agent")
    queue = _queue_of(queue_leg) if queue_leg is not None else None
    if queue is not None and queue_leg is not None:
        decision.notes.append(f"queue {queue!r} from Queue on line {queue_leg.line}")
    return Call(source=SOURCE, source_call_id=call_id, direction=Direction.INBOUND, outcome=outcome, queue=queue,
                caller_number=caller_number(first.src),
                ivr_entered_at=first.start if ivr else None, ivr_exited_at=entered if ivr else None,
                queue_entered_at=entered if entered is not None else (None if answered is None else first.start),
                answered_at=answered.answer if answered is not None else None, ended_at=ended,
                agent=_peer(answered.dstchannel) if answered is not None else None,
                talk_s=float(answered.billsec) if answered is not None else 0.0,
                disposition=answered.disposition if answered is not None else first.disposition)


def parse(lines: Iterator[tuple[int, str]], ctx: ParseContext) -> Iterator[Item]:
    cls = _Classifier(rules_from(ctx.options))
    explain = bool(ctx.options.get("explain"))
    layout: _Layout | None = None
    groups = _Groups()
    legs: list[_Leg] = []
    for number, row, error in csv_rows(lines):
        if error is not None:
            yield Rejection(ctx.file, number, None, f"not CSV: {error}")
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if layout is None:
            layout = _detect(row)
            if layout is None:
                yield Rejection(ctx.file, number, None,
                                f"{len(row)} fields and no start/end times in fields 10/12 (cdr_csv) or 9/11 "
                                "(cdr_custom): not a Master.csv line", ",".join(row))
                continue
        if len(row) not in layout.sizes:
            yield Rejection(ctx.file, number, None, f"{len(row)} fields; this file's {layout.name} lines have "
                            f"{'/'.join(str(n) for n in sorted(layout.sizes))}", ",".join(row))
            continue
        try:
            leg = _leg(number, row, layout, ctx)
        except _Bad as bad:
            yield Rejection(ctx.file, number, bad.field, bad.reason, ",".join(row))
            continue
        groups.add(leg)
        legs.append(leg)
    members: dict[int, list[_Leg]] = {}
    for index, leg in enumerate(legs):
        members.setdefault(groups.find(index), []).append(leg)
    for root in sorted(members):
        group = sorted(members[root], key=lambda leg: (leg.start, leg.line))
        decision = cls.direction(group)
        lines_text = ", ".join(str(leg.line) for leg in sorted(group, key=lambda leg: leg.line))
        if decision.direction is None:
            for leg in group:
                yield Skip(leg.line, f"not a customer call: {decision.rule}")
            if explain:
                yield Notice(ctx.file, group[0].line, f"legs on lines {lines_text}: skipped, {decision.rule}")
            continue
        call = _call(group, decision, cls)
        if explain:
            yield Notice(ctx.file, group[0].line,
                         f"call {call.source_call_id} (legs on lines {lines_text}): {call.direction.value} by "
                         f"{decision.rule}; {'; '.join(decision.notes)}")
        for leg in group[1:]:
            yield Skip(leg.line, "CDR leg merged into its call")
        yield call
