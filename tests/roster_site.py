"""Requirement and agent CSV files for roster tests: a week of a two-peak day and a mixed team."""

from __future__ import annotations

import datetime as dt
import math

MONDAY = dt.date(2026, 12, 7)


def requirements_csv(days: int, peak: int, *, first: dt.date = MONDAY, night: int = 1) -> str:
    lines = ["interval_start,required"]
    for d in range(days):
        day = first + dt.timedelta(days=d)
        scale = 0.7 if day.weekday() >= 5 else 1.0
        for j in range(48):
            h = j / 2
            shape = 0.85 * math.exp(-((h - 11) ** 2) / 8) + 0.6 * math.exp(-((h - 16) ** 2) / 6)
            need = max(night, round(peak * scale * min(1.0, 0.1 + shape)))
            lines.append(f"{dt.datetime.combine(day, dt.time(j // 2, 30 * (j % 2))).isoformat()},{need}")
    return "\n".join(lines) + "\n"


def agents_csv(n: int, *, mix: bool = True) -> str:
    lines = ["agent,contract,skills,weekly_hours,unavailable,prefer_off"]
    for i in range(n):
        contract = "standard" if not mix or i % 4 < 2 else ("comprehensive" if i % 4 == 2 else "part_time")
        unavailable = (MONDAY + dt.timedelta(days=i % 7)).isoformat() if i % 5 == 0 else ""
        prefer = (MONDAY + dt.timedelta(days=(i + 3) % 7)).isoformat() if i % 3 == 0 else ""
        lines.append(f"A{i:03d},{contract},,,{unavailable},{prefer}")
    return "\n".join(lines) + "\n"
