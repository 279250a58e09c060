"""Numbers, durations and times for display, per locale and in the viewer's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

__all__ = ["Formatter", "zone_offset"]

_DATE = {"en": "%d %b %Y", "zh-CN": "%Y年%m月%d日"}
_DAY = {"en": "%d %b", "zh-CN": "%m月%d日"}
_DURATION = {"en": ("{h} h {m} min", "{m} min {s} s", "{s} s"), "zh-CN": ("{h}小时{m}分", "{m}分{s}秒", "{s}秒")}


def zone_offset(zone: zoneinfo.ZoneInfo, at: dt.datetime) -> str:
    """``UTC+02:00`` for ``zone`` at the instant ``at``."""
    offset = at.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass(frozen=True, slots=True)
class Formatter:
    """Display formats for one viewer: ``locale`` (``zh-CN``/``en``) and time zone ``tz``."""

    locale: str
    tz: zoneinfo.ZoneInfo

    @property
    def tz_name(self) -> str:
        return self.tz.key

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        """Grouped digits: ``12,345.6`` (both locales group by thousands with a comma)."""
        if value is None:
            return "–"
        return f"{value:,.{decimals}f}"

    def percent(self, value: float | None, decimals: int = 1) -> str:
        return "–" if value is None else f"{value * 100:.{decimals}f}%"

    def duration(self, seconds: float | None) -> str:
        """``1 h 05 min`` / ``3 min 07 s`` / ``42 s`` (``3分7秒`` in Chinese)."""
        if seconds is None:
            return "–"
        total = int(round(seconds))
        h, rest = divmod(total, 3600)
        m, s = divmod(rest, 60)
        hours, minutes, secs = _DURATION[self.locale]
        if h:
            return hours.format(h=h, m=f"{m:02d}")
        if m:
            return minutes.format(m=m, s=f"{s:02d}")
        return secs.format(s=s)

    def local(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.tz)

    def datetime(self, value: dt.datetime | None, *, zone: bool = False) -> str:
        """``1999-01-03 09:14:05`` in the viewer's zone; with ``zone`` the offset follows."""
        if value is None:
            return "–"
        local = self.local(value)
        text = local.strftime("%Y-%m-%d %H:%M:%S")
        return f"{text} {zone_offset(self.tz, value)}" if zone else text

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return "–"
        if isinstance(value, dt.datetime):
            value = self.local(value).date()
        return value.strftime(_DATE[self.locale])

    def day(self, value: dt.date) -> str:
        """A short day label for charts: ``03 Jan`` / ``01月03日``."""
        return value.strftime(_DAY[self.locale])

    def zone_label(self, at: dt.datetime | None = None) -> str:
        """``Asia/Shanghai (UTC+08:00)``: the zone every time on the page is shown in."""
        return f"{self.tz.key} ({zone_offset(self.tz, at or dt.datetime.now(dt.UTC))})"
