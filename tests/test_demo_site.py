"""`callops demo load` puts the Israeli demo queues into a site with zone Asia/Jerusalem and the Israeli holiday
calendar, so forecasts of the demo follow its data's zone and never apply the Chinese calendar."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pytest import fixture

from callops.demo import DEMO_SITE, DEMO_TZ
from callops.services.workforce import forecast_history, place_of
from callops.store.audit_log import list_entries
from callops.store.directory import list_queues
from callops.store.sites import get_site


@fixture
def engine(demo_engine: sa.Engine) -> sa.Engine:
    return demo_engine


def test_demo_queues_belong_to_the_jerusalem_site(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        site = get_site(conn, DEMO_SITE)
        queues = list_queues(conn)
        place = place_of(conn, None, fallback_tz="Asia/Shanghai")
        audit = list_entries(conn, actor="demo")
    assert (site.tz, site.holidays) == ("Asia/Jerusalem", "IL") and DEMO_TZ == site.tz
    assert queues and {q.site for q in queues} == {DEMO_SITE}
    assert (place.tz, place.holidays, place.site) == ("Asia/Jerusalem", "IL", DEMO_SITE)
    assert place.last_day == dt.date(1999, 1, 31)  # in Asia/Shanghai the last calls fall on 1 February
    assert [e.action for e in audit].count("site.created") == 1
    assert [e.action for e in audit].count("queue.changed") == len(queues)


def test_a_demo_forecast_uses_the_site_zone_and_calendar(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        made = forecast_history(conn, queue="PS", start=dt.date(1999, 1, 1), end=dt.date(1999, 1, 31),
                                tz="Asia/Shanghai", grain_min=60, horizon_days=7)
    assert made.tz == "Asia/Jerusalem" and made.run.holidays == "IL"
    assert made.history.starts[-1].date() == dt.date(1999, 1, 31) and made.starts[0] >= dt.datetime(1999, 2, 1)
