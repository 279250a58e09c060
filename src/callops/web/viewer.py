"""The viewer of a page or API call: user (or nobody), language, time zone and formats."""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from callops.store.users import User
from callops.web.formatting import Formatter
from callops.web.i18n import DEFAULT_LOCALE, Translator, normalize_locale
from callops.web.sessions import session_locale
from callops.web.state import web_state

__all__ = ["Viewer", "viewer_for"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User | None
    locale: str
    t: Translator
    fmt: Formatter

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return self.fmt.tz


def _zone(user: User | None, site_tz: str) -> zoneinfo.ZoneInfo:
    if user is not None and user.tz:
        try:
            return zoneinfo.ZoneInfo(user.tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            _log.warning("user %s has unknown time zone %r; showing the site's %s", user.username, user.tz, site_tz)
    return zoneinfo.ZoneInfo(site_tz)


def viewer_for(conn: HTTPConnection, user: User | None) -> Viewer:
    """Language: the one chosen in this session, else the user's, else zh-CN. Zone: the user's, else the site's."""
    state = web_state(conn)
    locale = (normalize_locale(session_locale(conn)) or normalize_locale(user.locale if user else None)
              or DEFAULT_LOCALE)
    return Viewer(user=user, locale=locale, t=state.catalogs.translator(locale),
                  fmt=Formatter(locale=locale, tz=_zone(user, state.settings.site_tz)))
