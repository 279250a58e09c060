"""The contact policy as data: which rules a contact must pass, with the China defaults.

A policy is a frozen record read from YAML (``load_policy``) or built in code (``china_default``)::

    timezone: Asia/Shanghai          # zone for numbers whose own zone is unknown
    calling_window: {start: "08:00", end: "21:00"}   # member's local time; start inclusive, end exclusive
    caps:                            # per member, across campaigns; name = <channel plural>_per_<window>
      - {channel: call, limit: 5, window: 24h}
      - {channel: call, limit: 3, window: 5min}
      - {channel: sms, limit: 10, window: 7d}
    refusal_cap: 2                   # after a refusal, attempts still allowed in that campaign (0 = stop)
    quiet_after_abandon_h: 72        # no call to a member within this many hours of an abandoned call
    holidays: ["2026-10-01"]         # local dates with no contact at all
    holiday_calendar: CN             # optional: also the country's public holidays (python-holidays)

Contradictions are refused with the field named: a window that never opens, two caps with the same name, a
shorter-window cap allowing more than a longer-window cap on the same channel (it could never be used), a
negative limit or length.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from callops.dialer.records import Channel
from callops.errors import InvalidInput
from callops.yaml_input import load_yaml, yaml_problem

__all__ = ["Cap", "ContactPolicy", "PolicyError", "china_default", "dump_policy", "load_policy", "policy_from_mapping",
           "policy_to_mapping"]

MAX_POLICY_BYTES = 64_000
MAX_HOLIDAYS = 2_000
MAX_CAPS = 50
_PLURAL = {Channel.CALL: "calls", Channel.SMS: "sms", Channel.EMAIL: "emails"}
_WINDOW = re.compile(r"^(\d+)\s*(s|min|m|h|d)$")
_UNIT_S = {"s": 1, "min": 60, "m": 60, "h": 3600, "d": 86400}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_KEYS = {"timezone", "calling_window", "caps", "refusal_cap", "quiet_after_abandon_h", "holidays",
         "holiday_calendar"}


class PolicyError(ValueError):
    """A policy that cannot be used; ``field`` names the offending setting."""

    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"policy field {field}: {reason}" if field else f"policy: {reason}")


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``limit`` contacts on ``channel`` to one member within any ``window_s`` seconds."""

    channel: Channel
    limit: int
    window_s: int
    label: str

    @property
    def name(self) -> str:
        return f"{_PLURAL[self.channel]}_per_{self.label}"


@dataclass(frozen=True, slots=True)
class ContactPolicy:
    timezone: str
    window_start_min: int
    window_end_min: int
    caps: tuple[Cap, ...]
    refusal_cap: int
    quiet_after_abandon_s: int
    holidays: frozenset[dt.date]
    holiday_calendar: str | None

    def caps_for(self, channel: Channel) -> tuple[Cap, ...]:
        return tuple(c for c in self.caps if c.channel is channel)


def china_default() -> ContactPolicy:
    """Chinese carrier practice: 08:00-21:00 Beijing time, <=5 calls/24 h and <=3/5 min, 2 after refusal, 72 h."""
    return policy_from_mapping({
        "timezone": "Asia/Shanghai",
        "calling_window": {"start": "08:00", "end": "21:00"},
        "caps": [{"channel": "call", "limit": 5, "window": "24h"}, {"channel": "call", "limit": 3, "window": "5min"}],
        "refusal_cap": 2,
        "quiet_after_abandon_h": 72,
    })


def load_policy(text: str) -> ContactPolicy:
    """A policy from YAML text, bounded: at most 64 kB, no aliases (no alias bombs; ``callops.yaml_input``)."""
    try:
        data = load_yaml(text, max_bytes=MAX_POLICY_BYTES)
    except InvalidInput as exc:
        raise PolicyError(None, yaml_problem(exc)) from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise PolicyError(None, "the policy must be a mapping of settings")
    return policy_from_mapping(data)


def policy_from_mapping(data: Mapping[str, Any]) -> ContactPolicy:
    """Validate settings (missing ones take the China default) and build the policy."""
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise PolicyError(unknown[0], f"unknown setting (known: {', '.join(sorted(_KEYS))})")
    zone = data.get("timezone", "Asia/Shanghai")
    if not isinstance(zone, str):
        raise PolicyError("timezone", "must be an IANA zone name such as Asia/Shanghai")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyError("timezone", f"unknown zone {zone!r}") from exc
    window = data.get("calling_window", {"start": "08:00", "end": "21:00"})
    if not isinstance(window, Mapping) or set(window) - {"start", "end"}:
        raise PolicyError("calling_window", "must be {start: 'HH:MM', end: 'HH:MM'}")
    start = _minutes(window.get("start", "08:00"), "calling_window.start")
    end = _minutes(window.get("end", "21:00"), "calling_window.end")
    if end <= start:
        raise PolicyError("calling_window.end", f"{window.get('end')} is not after the start "
                          f"{window.get('start')}: the window would never open")
    caps = _caps(data.get("caps", [{"channel": "call", "limit": 5, "window": "24h"},
                                   {"channel": "call", "limit": 3, "window": "5min"}]))
    refusal = _non_negative_int(data.get("refusal_cap", 2), "refusal_cap")
    quiet = data.get("quiet_after_abandon_h", 72)
    if isinstance(quiet, bool) or not isinstance(quiet, int | float) or not 0 <= quiet <= 24 * 366:
        raise PolicyError("quiet_after_abandon_h", "must be a number of hours from 0 to 8784")
    holidays = data.get("holidays", [])
    if not isinstance(holidays, list) or len(holidays) > MAX_HOLIDAYS:
        raise PolicyError("holidays", f"must be a list of at most {MAX_HOLIDAYS} dates YYYY-MM-DD")
    days: set[dt.date] = set()
    for i, day in enumerate(holidays):
        if isinstance(day, dt.date):
            days.add(day)
            continue
        try:
            days.add(dt.date.fromisoformat(str(day)))
        except ValueError as exc:
            raise PolicyError(f"holidays[{i}]", f"{day!r} is not a date YYYY-MM-DD") from exc
    calendar = data.get("holiday_calendar")
    if calendar is not None and (not isinstance(calendar, str) or not re.fullmatch(r"[A-Z]{2}", calendar)):
        raise PolicyError("holiday_calendar", "must be a two-letter country code such as CN")
    return ContactPolicy(
        timezone=zone, window_start_min=start, window_end_min=end, caps=caps, refusal_cap=refusal,
        quiet_after_abandon_s=int(round(float(quiet) * 3600)), holidays=frozenset(days),
        holiday_calendar=calendar,
    )


def policy_to_mapping(policy: ContactPolicy) -> dict[str, Any]:
    """The settings ``policy_from_mapping`` reads back to an equal policy (plain JSON/YAML values)."""
    quiet_h = policy.quiet_after_abandon_s / 3600
    out: dict[str, Any] = {
        "timezone": policy.timezone,
        "calling_window": {"start": _hhmm(policy.window_start_min), "end": _hhmm(policy.window_end_min)},
        "caps": [{"channel": c.channel.value, "limit": c.limit, "window": c.label} for c in policy.caps],
        "refusal_cap": policy.refusal_cap,
        "quiet_after_abandon_h": int(quiet_h) if float(quiet_h).is_integer() else quiet_h,
        "holidays": [d.isoformat() for d in sorted(policy.holidays)],
    }
    if policy.holiday_calendar is not None:
        out["holiday_calendar"] = policy.holiday_calendar
    return out


def dump_policy(policy: ContactPolicy) -> str:
    """The policy as YAML that ``load_policy`` reads back to an equal policy."""
    return yaml.safe_dump(policy_to_mapping(policy), sort_keys=False, allow_unicode=True, default_flow_style=None)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(value: Any, field: str) -> int:
    match = _TIME.match(str(value))
    if not match:
        raise PolicyError(field, f"{value!r} is not a time HH:MM")
    return int(match.group(1)) * 60 + int(match.group(2))


def _non_negative_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 1_000_000:
        raise PolicyError(field, f"{value!r} must be a whole number from 0")
    return value


def _caps(value: Any) -> tuple[Cap, ...]:
    if not isinstance(value, list) or len(value) > MAX_CAPS:
        raise PolicyError("caps", f"must be a list of at most {MAX_CAPS} {{channel, limit, window}}")
    caps: dict[str, Cap] = {}
    for i, item in enumerate(value):
        where = f"caps[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"channel", "limit", "window"}:
            raise PolicyError(where, "must have exactly channel, limit and window")
        try:
            channel = Channel(str(item["channel"]))
        except ValueError as exc:
            raise PolicyError(f"{where}.channel", f"{item['channel']!r} is not one of call, sms, email") from exc
        limit = _non_negative_int(item["limit"], f"{where}.limit")
        match = _WINDOW.match(str(item["window"]).strip())
        if not match or int(match.group(1)) == 0:
            raise PolicyError(f"{where}.window", f"{item['window']!r} is not a length like 5min, 24h or 7d")
        unit = "min" if match.group(2) == "m" else match.group(2)
        window_s = int(match.group(1)) * _UNIT_S[unit]
        if window_s > 366 * 86400:
            raise PolicyError(f"{where}.window", "longer than a year")
        cap = Cap(channel, limit, window_s, f"{match.group(1)}{unit}")
        if cap.name in caps:
            raise PolicyError(f"{where}", f"a second cap named {cap.name}: one limit per channel and window")
        for other in caps.values():
            if other.channel is channel and other.window_s > window_s and other.limit < limit:
                raise PolicyError(f"{where}.limit", f"{cap.name} allows {limit} but {other.name} allows only "
                                  f"{other.limit} in a longer window: the rules contradict")
            if other.channel is channel and other.window_s < window_s and other.limit > limit:
                raise PolicyError(f"{where}.limit", f"{cap.name} allows {limit} but {other.name} allows "
                                  f"{other.limit} in a shorter window: the rules contradict")
        caps[cap.name] = cap
    return tuple(caps.values())
