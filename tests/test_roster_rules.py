"""Working-time rules as data: the China default, YAML overrides, contradictions and unsafe YAML refused."""

from __future__ import annotations

import pytest

from callops.errors import InvalidInput
from callops.scheduling.work_rules import WorkSystem, china_rules
from callops.services.roster_rules import parse_rules, rules_as_dict


def test_china_default_names_the_law() -> None:
    """The default carries the law's numbers: 8 h/40 h, 1 rest day, 4 h/24 h part-time, 1/3/36 h overtime,
    150/200/300 % pay."""
    rules = china_rules()
    std = rules.system(WorkSystem.STANDARD)
    assert (std.max_daily_h, std.max_weekly_h, std.min_rest_days_per_week) == (8.0, 40.0, 1)
    pt = rules.system(WorkSystem.PART_TIME)
    assert (pt.max_daily_h, pt.max_weekly_h) == (4.0, 24.0)
    assert (rules.overtime.max_daily_h, rules.overtime.max_daily_special_h, rules.overtime.max_monthly_h) == (1, 3, 36)
    assert (rules.pay.overtime_workday, rules.pay.rest_day, rules.pay.holiday) == (1.5, 2.0, 3.0)
    assert rules.system(WorkSystem.COMPREHENSIVE).period == "month"
    assert rules.system(WorkSystem.FLEXIBLE).max_weekly_h is None


def test_yaml_overrides_keep_the_rest() -> None:
    """A YAML file replaces the keys it names; the rest stays the China default; the dict form reads back."""
    rules = parse_rules("rest:\n  min_between_shifts_h: 12\nnight:\n  max_per_week: 2\n"
                        "systems:\n  comprehensive:\n    period: quarter\n")
    assert rules.rest.min_between_shifts_h == 12
    assert rules.rest.max_consecutive_days == 6
    assert rules.night.max_per_week == 2
    assert rules.system(WorkSystem.COMPREHENSIVE).period == "quarter"
    assert rules.system(WorkSystem.STANDARD).max_weekly_h == 40
    import yaml

    again = parse_rules(yaml.safe_dump(rules_as_dict(rules)))
    assert again == rules


@pytest.mark.parametrize(("text", "field"), [
    ("rest: {min_between_shifts_h: 13}\nsystems: {comprehensive: {shift_lengths_h: [12]}}",
     "rest.min_between_shifts_h"),
    ("systems: {part_time: {max_daily_h: 5}}", "systems.part_time.max_daily_h"),
    ("systems: {standard: {max_weekly_h: 44}}", "systems.standard.max_weekly_h"),
    ("overtime: {max_monthly_h: 48}", "overtime.max_monthly_h"),
    ("overtime: {max_daily_h: 4, max_daily_special_h: 3}", "overtime.max_daily_h"),
    ("systems: {standard: {shift_lengths_h: [9]}}", "systems.standard.shift_lengths_h"),
    ("rest: {max_consecutive_days: 0}", "rest.max_consecutive_days"),
    ("rest: {min_rest_h: 3}", "rest.min_rest_h"),
    ("night: {start: '25:00'}", "night.start"),
    ("systems: {casual: {max_daily_h: 4}}", "systems.casual"),
])
def test_contradictions_name_the_field(text: str, field: str) -> None:
    """Rules that contradict each other or the law are refused naming the field."""
    with pytest.raises(InvalidInput) as info:
        parse_rules(text, file="rules.yaml")
    assert info.value.field == field
    assert "rules.yaml" in str(info.value)


def test_aliases_and_big_files_are_refused() -> None:
    """YAML anchors/aliases (alias bombs) and files over 64 KiB are refused before they are expanded."""
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(InvalidInput, match="aliases"):
        parse_rules(bomb)
    with pytest.raises(InvalidInput, match="64 KiB"):
        parse_rules("# " + "x" * 70_000)
    with pytest.raises(InvalidInput, match="mapping"):
        parse_rules("- 1\n- 2\n")
