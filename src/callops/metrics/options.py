"""Report options that KPI definitions read: service-level threshold and denominator, short abandons, FCR."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callops.errors import InvalidInput

__all__ = ["KpiOptions", "SlDenominator"]


class SlDenominator(StrEnum):
    """What service level divides by."""

    OFFERED = "offered"  # answered within T / offered (default; abandons count against)
    ANSWERED = "answered"  # answered within T / answered (ignores abandons)
    OFFERED_MINUS_SHORT = "offered_minus_short"  # answered within T / (offered - short abandons)


@dataclass(frozen=True, slots=True)
class KpiOptions:
    sl_threshold_s: float = 20.0
    sl_denominator: SlDenominator = SlDenominator.OFFERED
    short_abandon_s: float = 0.0  # abandons with wait < this are short; 0 = none
    fcr_days: int = 7  # a repeat call from the same caller within this many days breaks FCR
    fcr_min_base: int = 0  # FCR is blank (None) when fewer answered calls than this had a caller id

    def __post_init__(self) -> None:
        if self.sl_threshold_s < 0:
            raise InvalidInput("must be 0 or more seconds", field="sl-threshold")
        if self.short_abandon_s < 0:
            raise InvalidInput("must be 0 or more seconds", field="short-abandon")
        if self.fcr_days < 1:
            raise InvalidInput("must be 1 or more days", field="fcr-days")
        if self.fcr_min_base < 0:
            raise InvalidInput("must be 0 or more calls", field="fcr-min-base")

    def param(self, name: str) -> float:
        """The value of a :class:`~callops.metrics.expressions.Param` named ``name``."""
        values = {"sl_threshold_s": self.sl_threshold_s, "short_abandon_s": self.short_abandon_s,
                  "fcr_window_s": self.fcr_days * 86_400.0,
                  "fcr_min_base": float(self.fcr_min_base)}
        if name not in values:
            raise KeyError(f"no report option {name!r}")
        return values[name]
