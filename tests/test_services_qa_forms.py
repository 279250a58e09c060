"""The QA settings and rules forms, read by services (not by the route): typed text in, checked domain calls out."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput, PermissionDenied
from callops.records import Role
from callops.services.qa_access import grant_qa_duty_days
from callops.services.qa_sampling import rule_from_form
from callops.store.qa_library import list_duty
from callops.store.users import User, add_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_rule_from_form_reads_local_days_inclusive() -> None:
    published = rule_from_form(rule_id=" r1 ", period_start="2026-03-02", period_end="2026-03-08",
                               timezone="Asia/Shanghai", per="agent", pick_kind="random", n=2, after=" 09:00 ")
    assert published["rule_id"] == "r1"
    assert published["period"] == {"start": "2026-03-02T00:00:00+08:00", "end": "2026-03-09T00:00:00+08:00"}
    assert published["filters"] == {"longer_than_s": 0.0, "after": "09:00"}
    for changes, field in (({"period_end": "8 March"}, "period_end"), ({"period_start": ""}, "period_start"),
                           ({"timezone": "Mars/Base"}, "timezone")):
        args = {"rule_id": "r", "period_start": "2026-03-02", "period_end": "2026-03-08", "timezone": "UTC",
                "per": "agent", "pick_kind": "random", "n": 1} | changes
        with pytest.raises(InvalidInput) as caught:
            rule_from_form(**args)  # type: ignore[arg-type]
        assert caught.value.field == field


def test_duty_days_are_checked_in_the_service(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        boss = add_user(conn, "boss", password="pw-123456789", role=Role.MANAGER)
        add_user(conn, "amy", password="pw-123456789", role=Role.AGENT, agent_id="a1")
        duty = grant_qa_duty_days(conn, boss, "amy", first_day="2026-03-02", last_day="2026-03-03", tz=SHANGHAI)
        assert (duty.start_at, duty.end_at) == (dt.datetime(2026, 3, 1, 16, tzinfo=dt.UTC),
                                                dt.datetime(2026, 3, 3, 16, tzinfo=dt.UTC))
        with pytest.raises(InvalidInput, match="before the first"):
            grant_qa_duty_days(conn, boss, "amy", first_day="2026-03-03", last_day="2026-03-02", tz=SHANGHAI)
        with pytest.raises(InvalidInput) as caught:
            grant_qa_duty_days(conn, boss, "amy", first_day="03/02", last_day="2026-03-02", tz=SHANGHAI)
        assert caught.value.field == "first_day"
        with pytest.raises(InvalidInput) as unknown:
            grant_qa_duty_days(conn, boss, "nobody", first_day="2026-03-02", last_day="2026-03-02", tz=SHANGHAI)
        assert unknown.value.field == "username" and "nobody" in unknown.value.reason
        agent = User(id=0, username="amy", role=Role.AGENT)
        with pytest.raises(PermissionDenied):
            grant_qa_duty_days(conn, agent, "amy", first_day="2026-03-02", last_day="2026-03-02", tz=SHANGHAI)
        assert [d.username for d in list_duty(conn)] == ["amy"]
