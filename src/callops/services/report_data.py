"""What the report pages read besides the KPI layer (``store.kpi_query``, the pages' read model).

    data = report_data(conn, "storm")       # a saved scenario's calls (None: real calls), and the saved ones
    latest_day(conn, data, tz="Asia/Shanghai")  # the last local day with a call of that choice
    site_queue_targets(conn)                # each configured queue's targets (others: ``QueueTargets()``)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa

from callops.store.call_volume import last_day_with_calls
from callops.store.queue_targets import QueueTargets, queue_targets
from callops.store.records import CallFilter
from callops.store.scenarios import SavedScenario, get_scenario, list_scenarios

__all__ = ["QueueTargets", "ReportData", "latest_day", "report_data", "site_queue_targets"]


@dataclass(frozen=True, slots=True)
class ReportData:
    """What a report page shows: real calls (``scenario`` None) or a saved scenario, and the saved ones to pick."""

    scenario: SavedScenario | None
    saved: list[SavedScenario]

    @property
    def name(self) -> str | None:
        return None if self.scenario is None else self.scenario.name

    @property
    def choice_key(self) -> tuple[object, ...]:
        """What a page shows of the choice and the saved runs to pick from, as a key for a kept page."""
        return (self.name, tuple((s.name, s.calls, s.first_call_at, s.last_call_at) for s in self.saved))

    @property
    def query(self) -> str:
        """``scenario=NAME`` for links that keep the choice; empty for real calls."""
        return "" if self.scenario is None else urlencode({"scenario": self.scenario.name})


def report_data(conn: sa.Connection, scenario: str | None) -> ReportData:
    """The data choice ``scenario`` names (real calls when empty); NotFound for a scenario never saved."""
    return ReportData(get_scenario(conn, scenario) if scenario else None, list_scenarios(conn))


def latest_day(conn: sa.Connection, data: ReportData, *, tz: str) -> dt.date | None:
    """The last local day in ``tz`` with a call of ``data``'s choice (None without calls)."""
    return last_day_with_calls(conn, CallFilter(scenario=data.name), tz=tz)


def site_queue_targets(conn: sa.Connection) -> dict[str, QueueTargets]:
    """Every configured queue's service-level and abandon targets by name."""
    return queue_targets(conn)
