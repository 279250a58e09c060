"""Sites: a name, a time zone and a holiday calendar; each queue may belong to one.

Forecasts and plans of a queue use its site's zone and calendar (``site_of_queue``); for all queues together,
the one site they share, if they share one.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import InvalidInput, NotFound
from callops.metrics import zone
from callops.store.schema import queues, sites

__all__ = ["Site", "check_holidays", "get_site", "list_sites", "save_site", "site_of_queue"]

MAX_NAME_CHARS = 80


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    tz: str
    holidays: str | None  # a country code of callops.forecast.calendar (CN, US, IL), None: no calendar

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "tz": self.tz, "holidays": self.holidays}


def check_holidays(code: str | None) -> str | None:
    """The calendar code upper-cased (None for none or empty); ``InvalidInput`` on field holidays otherwise."""
    from callops.forecast.calendar import COUNTRIES  # the forecast package loads slowly: on first use

    if code is None or not code.strip() or code.strip().lower() == "none":
        return None
    upper = code.strip().upper()
    if upper not in COUNTRIES:
        raise InvalidInput(f"no holiday calendar {code!r}; use one of {', '.join(COUNTRIES)} or none",
                           field="holidays")
    return upper


def save_site(conn: sa.Connection, name: str, *, tz: str, holidays: str | None) -> Site:
    """Create the site or change its zone and calendar; the zone must be an IANA name (Asia/Shanghai)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"a site needs a name of 1-{MAX_NAME_CHARS} characters", field="name")
    zone(tz)
    site = Site(name=name, tz=tz, holidays=check_holidays(holidays))
    values = {"tz": site.tz, "holidays": site.holidays}
    if conn.execute(sa.select(sites.c.name).where(sites.c.name == name)).first():
        conn.execute(sites.update().where(sites.c.name == name).values(**values))
    else:
        conn.execute(sites.insert().values(name=name, **values))
    return site


def get_site(conn: sa.Connection, name: str) -> Site:
    row = conn.execute(sa.select(sites).where(sites.c.name == name)).first()
    if row is None:
        raise NotFound(f"no site {name!r}")
    return Site(name=row.name, tz=row.tz, holidays=row.holidays)


def list_sites(conn: sa.Connection) -> list[Site]:
    return [Site(name=r.name, tz=r.tz, holidays=r.holidays)
            for r in conn.execute(sa.select(sites).order_by(sites.c.name))]


def site_of_queue(conn: sa.Connection, queue: str | None) -> Site | None:
    """The site of ``queue``; for None (all queues) the site every queue with a site shares, when exactly one
    site is named. None when there is no such site."""
    query = sa.select(sites).join(queues, queues.c.site == sites.c.name)
    if queue is not None:
        query = query.where(queues.c.name == queue)
    rows = {r.name: r for r in conn.execute(query.distinct())}
    if len(rows) != 1:
        return None
    row = next(iter(rows.values()))
    return Site(name=row.name, tz=row.tz, holidays=row.holidays)
