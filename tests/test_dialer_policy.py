"""Contact policy YAML: defaults, validation naming the field, contradictions, bounded YAML; phone numbers."""

from __future__ import annotations

import pytest

from callops.dialer import Channel, PhoneError, PolicyError, china_default, load_policy, normalise_phone, zone_for_phone


def test_china_default() -> None:
    """The default is 08:00-21:00 Asia/Shanghai, <=5 calls/24 h, <=3/5 min, 2 after refusal, 72 h quiet."""
    p = china_default()
    assert (p.timezone, p.window_start_min, p.window_end_min) == ("Asia/Shanghai", 480, 1260)
    assert {c.name: c.limit for c in p.caps_for(Channel.CALL)} == {"calls_per_24h": 5, "calls_per_5min": 3}
    assert (p.refusal_cap, p.quiet_after_abandon_s) == (2, 72 * 3600)


def test_yaml_with_weekly_caps_per_channel() -> None:
    """Weekly and monthly caps per channel are read from YAML and named <channel>_per_<window>."""
    p = load_policy("caps:\n - {channel: sms, limit: 3, window: 7d}\n - {channel: email, limit: 8, window: 30d}\n"
                    "refusal_cap: 0\n")
    assert [c.name for c in p.caps] == ["sms_per_7d", "emails_per_30d"]
    assert p.refusal_cap == 0


@pytest.mark.parametrize(("text", "field"), [
    ("calling_window: {start: '21:00', end: '08:00'}", "calling_window.end"),
    ("calling_window: {start: '8am', end: '21:00'}", "calling_window.start"),
    ("caps:\n - {channel: call, limit: 5, window: 5min}\n - {channel: call, limit: 3, window: 24h}", "caps[1].limit"),
    ("caps:\n - {channel: call, limit: 5, window: 24h}\n - {channel: call, limit: 2, window: 24h}", "caps[1]"),
    ("caps:\n - {channel: fax, limit: 5, window: 24h}", "caps[0].channel"),
    ("caps:\n - {channel: call, limit: -1, window: 24h}", "caps[0].limit"),
    ("caps:\n - {channel: call, limit: 1, window: soon}", "caps[0].window"),
    ("refusal_cap: two", "refusal_cap"),
    ("quiet_after_abandon_h: -3", "quiet_after_abandon_h"),
    ("holidays: ['2026-13-01']", "holidays[0]"),
    ("timezone: Mars/Olympus", "timezone"),
    ("calls_per_day: 5", "calls_per_day"),
])
def test_bad_policies_name_the_field(text: str, field: str) -> None:
    """Each bad or contradictory setting is refused with its field named."""
    with pytest.raises(PolicyError) as err:
        load_policy(text)
    assert err.value.field == field


def test_yaml_aliases_and_huge_files_are_refused() -> None:
    """Anchors/aliases (the billion-laughs shape) and files over 64 kB never get expanded."""
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(PolicyError, match="aliases"):
        load_policy(bomb)
    with pytest.raises(PolicyError, match="larger"):
        load_policy("#" * 70_000)
    with pytest.raises(PolicyError, match="mapping"):
        load_policy("- 1\n- 2\n")


@pytest.mark.parametrize(("raw", "e164", "zone"), [
    ("138 0013 8000", "+8613800138000", "Asia/Shanghai"),
    ("+86-138-0013-8000", "+8613800138000", "Asia/Shanghai"),
    ("0086 13800138000", "+8613800138000", "Asia/Shanghai"),
    ("010-8888 6666", "+861088886666", "Asia/Shanghai"),
    ("(0755) 8888 6666", "+8675588886666", "Asia/Shanghai"),
    ("+1 212 555 0100", "+12125550100", "America/New_York"),
    ("+44 20 7946 0958", "+442079460958", "Europe/London"),
])
def test_phone_normalisation_and_zone(raw: str, e164: str, zone: str) -> None:
    """Chinese mobiles/landlines and E.164 numbers normalise to E.164 and get the zone they are called in."""
    assert normalise_phone(raw) == e164
    assert zone_for_phone(e164, "UTC") == zone


@pytest.mark.parametrize("raw", ["12345", "2380013800", "+86 123", "abc", ""])
def test_malformed_numbers_are_refused(raw: str) -> None:
    """Too short, wrong prefix, letters or empty: a PhoneError saying why."""
    with pytest.raises(PhoneError):
        normalise_phone(raw)
