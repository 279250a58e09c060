"""Service level at each queue's own threshold: by queue, and the queues combined, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from callops.metrics import Grain, KpiOptions, KpiRequest, SlDenominator
from callops.services.queue_service_level import kpi_report_at_queue_thresholds, queue_thresholds
from callops.store.kpi_query import kpi_report
from callops.store.queue_targets import QueueTargets, queue_targets
from report_targets_site import DAY, load_two_queues

KPIS = ("offered", "answered", "service_level")


def _request(**kw: object) -> KpiRequest:
    base = KpiRequest(start=DAY, end=DAY, grain=Grain.TOTAL, tz="UTC", kpis=KPIS, agent_states=False)
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_each_queue_at_its_own_threshold(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        load_two_queues(conn)
    with engine.connect() as conn:
        targets = queue_targets(conn)
        assert targets["support"] == QueueTargets(0.70, 0.10, 60, from_queue=True)
        thresholds = queue_thresholds(targets, 20.0)
        flat = {dict(r.dims)["queue"]: r.kpis for r in kpi_report(conn, _request(dims=("queue",)))}
        own = {
            dict(r.dims)["queue"]: r.kpis
            for r in kpi_report_at_queue_thresholds(conn, _request(dims=("queue",), compare_previous=True), thresholds)
        }
        combined = kpi_report_at_queue_thresholds(conn, _request(), thresholds)
        at_20 = kpi_report(conn, _request())
    assert flat["support"]["service_level"] == pytest.approx(0.2)  # 1 of 5 within 20 s
    assert own["support"]["service_level"] == pytest.approx(0.8)  # 4 of 5 within its 60 s
    assert own["sales"]["service_level"] == pytest.approx(0.6) and own["sales"]["offered"] == 5
    assert combined[0].kpis["service_level"] == pytest.approx(0.7) and combined[0].kpis["offered"] == 10
    assert at_20[0].kpis["service_level"] == pytest.approx(0.4)


def test_denominator_previous_period_and_one_threshold(engine: sa.Engine) -> None:
    """The combined service level divides by the request's denominator; a previous period without calls
    stays unknown; when every queue has the request's threshold nothing changes."""
    with engine.begin() as conn:
        load_two_queues(conn)
    with engine.connect() as conn:
        thresholds = queue_thresholds(queue_targets(conn), 20.0)
        by_answered = kpi_report_at_queue_thresholds(
            conn, _request(options=KpiOptions(sl_denominator=SlDenominator.ANSWERED), compare_previous=True), thresholds
        )
        same = queue_thresholds({"sales": QueueTargets(), "support": QueueTargets()}, 20.0)
        unchanged = kpi_report_at_queue_thresholds(conn, _request(dims=("queue",)), same)
        plain = kpi_report(conn, _request(dims=("queue",)))
    assert by_answered[0].kpis["service_level"] == pytest.approx(7 / 8)  # 3 + 4 within T of 8 answered
    assert by_answered[0].previous is not None and by_answered[0].previous["service_level"] is None
    assert unchanged == plain
