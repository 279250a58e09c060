"""The repurchase ratio (seed 004): repeat-purchase sales : first-purchase sales, per campaign and month.

A sale is a call with the outcome ``success``. Each member's sales are ordered in time across every campaign:
the first is their **first purchase**, every later one a **repurchase**. A sale counts in the campaign and the
local month (in ``zone``) in which it was made; the ratio is repurchases / first purchases ("9 to 1" is a good
member business, "5 to 5" says the service to old members has a problem). A member's first purchase may lie
before the reported period: the sales before ``start`` are read only to know who bought before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["GOOD_RATIO", "Sale", "repurchase_ratio"]

GOOD_RATIO = 9.0  # seed 004: repeat sales are nine times the first sales in a good member business


@dataclass(frozen=True, slots=True)
class Sale:
    member: str
    at: dt.datetime
    campaign: str


def repurchase_ratio(
    sales: Sequence[Sale],
    *,
    start: dt.datetime,
    end: dt.datetime,
    zone: str = "Asia/Shanghai",
    campaign: str | None = None,
) -> dict[str, Any]:
    """``{"rows": [{campaign, month, first, repeat, ratio}], "months": [...], "total": {...}}`` for sales in
    [start, end): rows per campaign and month, ``months`` over all campaigns, ``total`` the whole period;
    ``ratio`` is None without first purchases. ``sales`` must hold each member's earlier sales too; with
    ``campaign`` only that campaign's sales are counted (their order still taken over every campaign)."""
    empty = {"first": 0, "repeat": 0, "ratio": None}
    if not sales:
        return {"rows": [], "months": [], "total": dict(empty)}
    frame = pd.DataFrame(
        {
            "member": [s.member for s in sales],
            "campaign": [s.campaign for s in sales],
            "at": pd.to_datetime([int(s.at.timestamp()) for s in sales], unit="s", utc=True),
        }
    )
    frame = frame.sort_values(["member", "at", "campaign"], kind="stable")
    frame["repeat"] = frame.duplicated("member", keep="first")
    inside = frame[(frame["at"] >= pd.Timestamp(start)) & (frame["at"] < pd.Timestamp(end))].copy()
    if campaign is not None:
        inside = inside[inside["campaign"] == campaign].copy()
    inside["month"] = inside["at"].dt.tz_convert(zone).dt.strftime("%Y-%m")

    def summary(group: pd.DataFrame) -> dict[str, Any]:
        repeat = int(group["repeat"].sum())
        first = int(len(group) - repeat)
        return {"first": first, "repeat": repeat, "ratio": round(repeat / first, 4) if first else None}

    rows = [
        {"campaign": str(c), "month": str(m), **summary(g)}
        for (c, m), g in inside.groupby(["campaign", "month"], sort=True)
    ]
    months = [{"month": str(m), **summary(g)} for m, g in inside.groupby("month", sort=True)]
    total = summary(inside) if len(inside) else dict(empty)
    return {"rows": rows, "months": months, "total": total}
