"""Settings, read once from the environment (``CALLOPS_*``) at the edges and passed inward."""

from __future__ import annotations

import ipaddress
import math
import os
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Settings", "DEFAULT_DATABASE_URL", "DEFAULT_TZ", "ENVIRONMENTS", "MIN_SECRET_KEY_BITS",
           "MIN_SECRET_KEY_CHARS", "weak_key_reason"]

DEFAULT_DATABASE_URL = "sqlite:///callops.db"
DEFAULT_TZ = "Asia/Shanghai"
ENVIRONMENTS = ("development", "production")
MIN_SECRET_KEY_CHARS = 32  # 32 random bytes: python -c "import secrets; print(secrets.token_urlsafe(32))"
MIN_SECRET_KEY_BITS = 160


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    site_tz: str = DEFAULT_TZ
    secret_key: str = ""
    environment: str = "development"  # "production" refuses a missing or weak secret key
    debug: bool = False
    # addresses or networks of reverse proxies whose X-Forwarded-For is believed; none by default
    trusted_proxies: tuple[str, ...] = ()
    # the live floor's fan-out bus across processes (several web workers, a follower); none: in-process only
    redis_url: str | None = None
    idle_timeout_min: int = 30  # a cookie session unused this long is over
    db_pool_timeout_s: float = 3.0  # a request waiting longer for a pooled connection is answered 503
    db_busy_timeout_s: float = 5.0  # SQLite: how long a write waits for another writer before 503
    max_body_bytes: int = 10 * 1024 * 1024  # larger request bodies are answered 413
    job_time_limit_s: float = 60.0  # heavy work in one request (simulation, plan check, forecast) stops then: 503
    import_max_bytes: int = 200 * 1024 * 1024  # the largest file the web import page takes (plain or gzip as sent)
    kpi_cache_entries: int = 256  # KPI reports kept per web process until the data change (0: none kept)

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
            idle_timeout_min=_number(env, "CALLOPS_IDLE_TIMEOUT_MIN", 30, int),
            db_pool_timeout_s=_number(env, "CALLOPS_DB_POOL_TIMEOUT_S", 3.0, float),
            db_busy_timeout_s=_number(env, "CALLOPS_DB_BUSY_TIMEOUT_S", 5.0, float),
            max_body_bytes=_number(env, "CALLOPS_MAX_BODY_BYTES", 10 * 1024 * 1024, int),
            job_time_limit_s=_number(env, "CALLOPS_JOB_TIME_LIMIT_S", 60.0, float),
            import_max_bytes=_number(env, "CALLOPS_IMPORT_MAX_BYTES", 200 * 1024 * 1024, int),
            kpi_cache_entries=_number(env, "CALLOPS_KPI_CACHE_ENTRIES", 256, int),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        from callops.errors import InvalidInput

        try:
            zoneinfo.ZoneInfo(self.site_tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a file
            raise InvalidInput(f"unknown time zone {self.site_tz!r}", field="CALLOPS_TZ") from exc
        if self.environment not in ENVIRONMENTS:
            raise InvalidInput(f"unknown environment {self.environment!r}: use one of {', '.join(ENVIRONMENTS)}",
                               field="CALLOPS_ENV")
        if self.environment == "production":
            if not self.secret_key:
                raise InvalidInput("set CALLOPS_SECRET_KEY in production", field="CALLOPS_SECRET_KEY")
            weak = weak_key_reason(self.secret_key)
            if weak is not None:
                raise InvalidInput(f"CALLOPS_SECRET_KEY is too weak for production ({weak}): give 32 random bytes, "
                                   "e.g. python -c \"import secrets; print(secrets.token_urlsafe(32))\"",
                                   field="CALLOPS_SECRET_KEY")
        for name, value, low in (("CALLOPS_IDLE_TIMEOUT_MIN", self.idle_timeout_min, 1),
                                 ("CALLOPS_DB_POOL_TIMEOUT_S", self.db_pool_timeout_s, 0.1),
                                 ("CALLOPS_DB_BUSY_TIMEOUT_S", self.db_busy_timeout_s, 0.0),
                                 ("CALLOPS_MAX_BODY_BYTES", self.max_body_bytes, 1024),
                                 ("CALLOPS_JOB_TIME_LIMIT_S", self.job_time_limit_s, 0.001),
                                 ("CALLOPS_IMPORT_MAX_BYTES", self.import_max_bytes, 1024),
                                 ("CALLOPS_KPI_CACHE_ENTRIES", self.kpi_cache_entries, 0)):
            if not low <= value <= 10**9:
                raise InvalidInput(f"{value!r} is out of range (at least {low})", field=name)
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError as exc:
                raise InvalidInput(f"{proxy!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)",
                                   field="CALLOPS_TRUSTED_PROXIES") from exc



def weak_key_reason(key: str) -> str | None:
    """Why ``key`` is clearly not 32 random bytes, or None.

    The rule is at least ``MIN_SECRET_KEY_CHARS`` characters whose character frequencies carry at least
    ``MIN_SECRET_KEY_BITS`` bits (length × Shannon entropy per character): ``k9`` has 2 bits,
    ``secrets.token_urlsafe(32)`` about 220, ``secrets.token_hex(32)`` about 250, 40 × ``a`` none. It cannot
    prove randomness; it refuses what is clearly not random.
    """
    if len(key) < MIN_SECRET_KEY_CHARS:
        return f"it has {len(key)} characters, fewer than {MIN_SECRET_KEY_CHARS}"
    counts = Counter(key)
    bits = -len(key) * sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    if bits < MIN_SECRET_KEY_BITS:
        return f"its characters carry about {max(bits, 0.0):.0f} bits, fewer than {MIN_SECRET_KEY_BITS}"
    return None


_N = TypeVar("_N", int, float)


def _number(env: dict[str, str], name: str, default: _N, kind: type[_N]) -> _N:
    from callops.errors import InvalidInput

    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return kind(raw)
    except ValueError as exc:
        raise InvalidInput(f"{raw!r} is not a number", field=name) from exc
