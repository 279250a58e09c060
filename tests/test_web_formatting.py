"""Display formats: numbers per locale, durations, and times in the viewer's zone with the zone shown."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from callops.web.formatting import Formatter, zone_offset

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_numbers_and_percentages() -> None:
    """Thousands are grouped and decimals fixed; None shows a dash."""
    fmt = Formatter(locale="en", tz=SHANGHAI)
    assert fmt.number(1234567) == "1,234,567"
    assert fmt.number(1234.567, 1) == "1,234.6"
    assert fmt.percent(0.8039) == "80.4%"
    assert fmt.number(None) == "–"


def test_durations_per_locale() -> None:
    """187 s reads '3 min 07 s' in English and '3分07秒' in Chinese."""
    assert Formatter(locale="en", tz=SHANGHAI).duration(187) == "3 min 07 s"
    assert Formatter(locale="zh-CN", tz=SHANGHAI).duration(187) == "3分07秒"
    assert Formatter(locale="en", tz=SHANGHAI).duration(3900) == "1 h 05 min"
    assert Formatter(locale="zh-CN", tz=SHANGHAI).duration(42) == "42秒"


def test_times_in_zone_with_offset() -> None:
    """A UTC instant is shown at the zone's wall clock, with the offset when asked."""
    at = dt.datetime(2026, 1, 5, 17, 30, tzinfo=dt.UTC)
    fmt = Formatter(locale="zh-CN", tz=SHANGHAI)
    assert fmt.datetime(at) == "2026-01-06 01:30:00"
    assert fmt.datetime(at, zone=True) == "2026-01-06 01:30:00 UTC+08:00"
    assert fmt.date(at) == "2026年01月06日"
    assert fmt.zone_label(at) == "Asia/Shanghai (UTC+08:00)"


def test_offset_follows_daylight_saving() -> None:
    """Jerusalem is UTC+02:00 in winter and UTC+03:00 in summer."""
    jerusalem = zoneinfo.ZoneInfo("Asia/Jerusalem")
    assert zone_offset(jerusalem, dt.datetime(1999, 1, 10, tzinfo=dt.UTC)) == "UTC+02:00"
    assert zone_offset(jerusalem, dt.datetime(1999, 7, 10, tzinfo=dt.UTC)) == "UTC+03:00"
    assert zone_offset(zoneinfo.ZoneInfo("America/St_Johns"), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "UTC-03:30"
