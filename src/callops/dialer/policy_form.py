"""The contact policy as a flat form: fields typed as text to the settings ``policy_from_mapping`` validates.

The policy editor page posts text fields; this module only reshapes them, it does not judge them: a value
that is not a number is passed on as typed, so the one validator (``policy.policy_from_mapping``, the same the
YAML loader uses) refuses it and names the setting. ``form_field`` turns that setting's name (``caps[1].limit``,
``calling_window.end``) back into the form field beside which the error is shown.

Fields: ``timezone``, ``window_start``, ``window_end``, ``cap_<row>_channel|limit|window`` for ``CAP_ROWS``
rows (a row left blank is no cap), ``refusal_cap``, ``quiet_after_abandon_h``, ``holidays`` (dates separated
by spaces, commas or new lines) and ``holiday_calendar`` (blank: none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CAP_ROWS", "FIELDS", "PolicyForm", "form_field", "form_values", "mapping_from_form"]

CAP_ROWS = 8
_CAP_PARTS = ("channel", "limit", "window")
FIELDS = (
    "timezone",
    "window_start",
    "window_end",
    "refusal_cap",
    "quiet_after_abandon_h",
    "holidays",
    "holiday_calendar",
    *(f"cap_{i}_{part}" for i in range(CAP_ROWS) for part in _CAP_PARTS),
)
_INT = re.compile(r"^\d{1,9}$")
_CAP_ERROR = re.compile(r"^caps\[(\d+)\](?:\.(channel|limit|window))?$")


@dataclass(frozen=True, slots=True)
class PolicyForm:
    """The settings read from a form and, for each cap in them, the form row it came from."""

    settings: dict[str, Any]
    cap_rows: tuple[int, ...]


def mapping_from_form(values: Mapping[str, str]) -> PolicyForm:
    """The settings typed in the form (every field; a blank cap row is left out)."""

    def text(name: str) -> str:
        return values.get(name, "").strip()

    caps: list[dict[str, Any]] = []
    rows: list[int] = []
    for i in range(CAP_ROWS):
        parts = {part: text(f"cap_{i}_{part}") for part in _CAP_PARTS}
        if not any(parts.values()):
            continue
        limit: Any = int(parts["limit"]) if _INT.match(parts["limit"]) else parts["limit"]
        caps.append({"channel": parts["channel"], "limit": limit, "window": parts["window"]})
        rows.append(i)
    refusal: Any = int(text("refusal_cap")) if _INT.match(text("refusal_cap")) else text("refusal_cap")
    quiet: Any = text("quiet_after_abandon_h")
    try:
        quiet = float(quiet) if quiet.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity") else quiet
    except ValueError:
        pass
    settings: dict[str, Any] = {
        "timezone": text("timezone"),
        "calling_window": {"start": text("window_start"), "end": text("window_end")},
        "caps": caps,
        "refusal_cap": refusal,
        "quiet_after_abandon_h": quiet,
        "holidays": [d for d in re.split(r"[\s,;，；]+", text("holidays")) if d],
    }
    if text("holiday_calendar"):
        settings["holiday_calendar"] = text("holiday_calendar")
    return PolicyForm(settings, tuple(rows))


def form_field(setting: str | None, cap_rows: tuple[int, ...]) -> str:
    """The form field for a setting named by ``PolicyError.field`` (``""``: the form as a whole)."""
    if not setting:
        return ""
    if setting.startswith("calling_window."):
        return "window_" + setting.removeprefix("calling_window.")
    if setting.startswith("holidays"):
        return "holidays"
    found = _CAP_ERROR.match(setting)
    if found:
        index = int(found.group(1))
        row = cap_rows[index] if index < len(cap_rows) else index
        return f"cap_{row}_{found.group(2) or 'window'}"
    if setting == "calling_window":
        return "window_start"
    return setting if setting in FIELDS else ""


def form_values(settings: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields filled from settings (``policy_to_mapping``'s shape)."""
    window = settings.get("calling_window") or {}
    out = {
        "timezone": str(settings.get("timezone", "")),
        "window_start": str(window.get("start", "")),
        "window_end": str(window.get("end", "")),
        "refusal_cap": str(settings.get("refusal_cap", "")),
        "quiet_after_abandon_h": _number(settings.get("quiet_after_abandon_h", "")),
        "holidays": "\n".join(str(d) for d in settings.get("holidays") or []),
        "holiday_calendar": str(settings.get("holiday_calendar") or ""),
    }
    for i, cap in enumerate(list(settings.get("caps") or [])[:CAP_ROWS]):
        for part in _CAP_PARTS:
            out[f"cap_{i}_{part}"] = str(cap.get(part, ""))
    return out


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
