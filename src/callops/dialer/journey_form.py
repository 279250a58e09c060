"""The campaign page's journey form <-> the journey mapping (``journeys.journey_from_mapping`` validates it).

The form has a name and ``TOUCH_ROWS`` rows ``touch_{i}_after``, ``touch_{i}_channel``, ``touch_{i}_purpose``; a row
left empty is no touch. ``journey_from_mapping``'s field ``touches[k].after`` is the k-th *filled* row, which
``form_field`` turns back into the row's input name so the error shows beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TOUCH_ROWS", "JourneyForm", "form_field", "journey_form_values", "mapping_from_journey_form"]

TOUCH_ROWS = 10


@dataclass(frozen=True, slots=True)
class JourneyForm:
    settings: dict[str, Any]
    rows: tuple[int, ...]  # the form row of each touch, in order


def mapping_from_journey_form(values: Mapping[str, str], *, campaign: str) -> JourneyForm:
    touches: list[dict[str, str]] = []
    rows: list[int] = []
    for i in range(TOUCH_ROWS):
        after = values.get(f"touch_{i}_after", "").strip()
        channel = values.get(f"touch_{i}_channel", "").strip()
        purpose = values.get(f"touch_{i}_purpose", "").strip()
        if not (after or channel):
            continue
        touch = {"after": after, "channel": channel}
        if purpose:
            touch["purpose"] = purpose
        touches.append(touch)
        rows.append(i)
    settings: dict[str, Any] = {"name": values.get("journey_name", "").strip() or campaign, "campaign": campaign,
                                "touches": touches}
    return JourneyForm(settings, tuple(rows))


def form_field(field: str | None, rows: tuple[int, ...]) -> str | None:
    """The form input named by a validator's field (``touches[1].after`` -> ``touch_3_after`` when the second filled
    row is row 3); ``touches`` (none at all) -> the first row's spacing."""
    if field is None:
        return None
    if field == "name":
        return "journey_name"
    if field == "touches":
        return "touch_0_after"
    if field.startswith("touches["):
        index_text, _, rest = field[len("touches["):].partition("]")
        if index_text.isdigit() and int(index_text) < len(rows):
            part = rest.lstrip(".") or "after"
            return f"touch_{rows[int(index_text)]}_{part}"
    return None


def journey_form_values(settings: Mapping[str, Any]) -> dict[str, str]:
    values = {"journey_name": str(settings.get("name", ""))}
    for i, touch in enumerate(list(settings.get("touches", []))[:TOUCH_ROWS]):
        if isinstance(touch, Mapping):
            values[f"touch_{i}_after"] = str(touch.get("after", ""))
            values[f"touch_{i}_channel"] = str(touch.get("channel", ""))
            values[f"touch_{i}_purpose"] = str(touch.get("purpose", "sales"))
    return values
