"""The pure service-desk rules: ticket moves, business-hours arithmetic with holidays and swapped working days,
SLA due times per category, and complaint escalation levels."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.desk import (
    TRANSITIONS,
    BusinessCalendar,
    Category,
    EscalationReason,
    EscalationRules,
    SlaPolicy,
    TicketState,
    TransitionError,
    assess,
    check_transition,
)
from callops.errors import InvalidInput

SH = dt.timezone(dt.timedelta(hours=8))
LUNCH = BusinessCalendar.from_mapping({
    "tz": "Asia/Shanghai",
    "hours": {d: ["09:00-12:00", "13:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-10-01", "2026-10-02"], "workdays": ["2026-10-10"]})


def test_every_state_has_moves_and_illegal_ones_name_both_states() -> None:
    """Each state can move somewhere; closed → resolved is refused naming both and the allowed targets."""
    assert set(TRANSITIONS) == set(TicketState) and all(TRANSITIONS.values())
    check_transition(TicketState.RESOLVED, TicketState.IN_PROGRESS)  # reopen
    with pytest.raises(TransitionError) as err:
        check_transition(TicketState.CLOSED, TicketState.RESOLVED)
    assert err.value.field == "state" and "closed" in str(err.value) and "resolved" in str(err.value)
    assert "in_progress" in str(err.value)


def test_business_minutes_skip_lunch_nights_weekends_and_holidays() -> None:
    """Friday 17:00 + 2 h is Monday 10:00; 11:30 + 1 h skips lunch to 13:30; the National Day holidays have no
    hours while the swapped Saturday 10 October has."""
    friday = dt.datetime(2026, 3, 6, 17, 0, tzinfo=SH)
    assert LUNCH.add_business_minutes(friday, 120) == dt.datetime(2026, 3, 9, 10, 0, tzinfo=SH)
    assert LUNCH.add_business_minutes(dt.datetime(2026, 3, 9, 11, 30, tzinfo=SH), 60) == \
        dt.datetime(2026, 3, 9, 13, 30, tzinfo=SH)
    assert LUNCH.add_business_minutes(dt.datetime(2026, 9, 30, 17, 0, tzinfo=SH), 120) == \
        dt.datetime(2026, 10, 5, 10, 0, tzinfo=SH)  # 1-2 Oct holidays, 3-4 Oct weekend
    assert LUNCH.spans_on(dt.date(2026, 10, 10)) and not LUNCH.spans_on(dt.date(2026, 10, 11))
    assert LUNCH.business_minutes_between(friday, dt.datetime(2026, 3, 9, 10, 0, tzinfo=SH)) == 120


@given(st.integers(0, 60 * 24 * 30), st.integers(1, 5000))
def test_adding_then_measuring_business_time_agrees(offset_min: int, minutes: int) -> None:
    """For any start and duration, the business minutes between start and start + duration are the duration."""
    start = dt.datetime(2026, 9, 20, tzinfo=SH) + dt.timedelta(minutes=offset_min)
    end = LUNCH.add_business_minutes(start, minutes)
    assert LUNCH.business_minutes_between(start, end) == pytest.approx(minutes)


def test_a_calendar_with_overlapping_hours_names_the_day() -> None:
    """Overlapping spans on Tuesday are an error naming hours.tue; a bad span and a day both holiday and
    working day name their fields too."""
    with pytest.raises(InvalidInput) as err:
        BusinessCalendar.from_mapping({"hours": {"tue": ["09:00-12:30", "12:00-18:00"]}})
    assert err.value.field == "hours.tue" and "overlaps" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        BusinessCalendar.from_mapping({"hours": {"mon": ["18:00-09:00"]}})
    assert err.value.field == "hours.mon"
    with pytest.raises(InvalidInput) as err:
        BusinessCalendar.from_mapping({"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]})
    assert err.value.field == "workdays"


def test_sla_due_times_per_category() -> None:
    """A complaint opened Monday 17:30 is due a first response at 09:30 Tuesday (60 min) under the default
    policy; a configured repair order SLA names its field when the response comes after the resolution."""
    opened = dt.datetime(2026, 3, 9, 17, 30, tzinfo=SH)
    due = SlaPolicy.default().due(Category.COMPLAINT, opened, LUNCH)
    assert due.response_at == dt.datetime(2026, 3, 10, 9, 30, tzinfo=SH)
    assert due.resolution_at == dt.datetime(2026, 3, 10, 17, 30, tzinfo=SH)  # 8 h: 0.5 + 3 + 4.5
    with pytest.raises(InvalidInput) as err:
        SlaPolicy.from_mapping({"repair_order": {"first_response_min": 600, "resolution_min": 60}})
    assert err.value.field == "first_response_min"


def _assess(**kw: object) -> tuple[int, tuple[EscalationReason, ...]]:
    base: dict[str, object] = {"category": Category.COMPLAINT, "state": TicketState.IN_PROGRESS, "contacts": 1,
                               "wants_escalation": False, "resolution_due_at": None,
                               "now": dt.datetime(2026, 3, 9, 10, tzinfo=SH), "current_level": 0,
                               "calendar": LUNCH, "rules": EscalationRules()}
    base.update(kw)
    found = assess(**base)  # type: ignore[arg-type]  # the test's keyword table
    return found.level, found.reasons


def test_escalation_levels() -> None:
    """One reason tells the team lead (1), two the manager (2); a resolved complaint or an inquiry does not
    escalate; a level never falls."""
    assert _assess() == (0, ())
    assert _assess(contacts=3) == (1, (EscalationReason.REPEAT_CONTACTS,))
    due = dt.datetime(2026, 3, 9, 9, tzinfo=SH)
    assert _assess(contacts=3, resolution_due_at=due)[0] == 2
    assert _assess(resolution_due_at=dt.datetime(2026, 3, 5, 9, tzinfo=SH))[0] == 2  # 8+ business hours late
    assert _assess(category=Category.INQUIRY, contacts=9) == (0, ())
    assert _assess(state=TicketState.RESOLVED, contacts=9, current_level=1) == (1, ())
    assert _assess(current_level=2, contacts=3)[0] == 2
    assert EscalationRules().wants_escalation("他说要找领导") and not EscalationRules().wants_escalation("谢谢")
