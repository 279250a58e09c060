"""Settings, read once from the environment (``CALLOPS_*``) at the edges and passed inward."""

from __future__ import annotations

import ipaddress
import os
import secrets
import zoneinfo
from dataclasses import dataclass

__all__ = ["Settings", "DEFAULT_DATABASE_URL", "DEFAULT_TZ"]

DEFAULT_DATABASE_URL = "sqlite:///callops.db"
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    site_tz: str = DEFAULT_TZ
    secret_key: str = ""
    environment: str = "development"  # "production" refuses a missing secret key
    debug: bool = False
    # addresses or networks of reverse proxies whose X-Forwarded-For is believed; none by default
    trusted_proxies: tuple[str, ...] = ()
    # the live floor's fan-out bus across processes (several web workers, a follower); none: in-process only
    redis_url: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        settings = cls(
            database_url=env.get("CALLOPS_DATABASE_URL", DEFAULT_DATABASE_URL),
            site_tz=env.get("CALLOPS_TZ", DEFAULT_TZ),
            secret_key=env.get("CALLOPS_SECRET_KEY", ""),
            environment=env.get("CALLOPS_ENV", "development"),
            debug=env.get("CALLOPS_DEBUG", "") in {"1", "true", "yes"},
            trusted_proxies=tuple(p.strip() for p in env.get("CALLOPS_TRUSTED_PROXIES", "").split(",") if p.strip()),
            redis_url=env.get("CALLOPS_REDIS_URL") or None,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        from callops.errors import InvalidInput

        try:
            zoneinfo.ZoneInfo(self.site_tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(f"unknown time zone {self.site_tz!r}", field="CALLOPS_TZ") from exc
        if self.environment == "production" and not self.secret_key:
            raise InvalidInput("set CALLOPS_SECRET_KEY in production", field="CALLOPS_SECRET_KEY")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError as exc:
                raise InvalidInput(f"{proxy!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)",
                                   field="CALLOPS_TRUSTED_PROXIES") from exc

    def session_secret(self) -> str:
        """The signing key for sessions; a random one per process in development."""
        return self.secret_key or _DEV_SECRET


_DEV_SECRET = secrets.token_urlsafe(32)
