"""The KPI request vocabulary: one builder from text for CLI and web, and the bound on the work it may cause."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.dates import parse_date, require_date
from callops.errors import InvalidInput
from callops.metrics import (
    DEFAULT_KPIS,
    DIMENSION_FANOUT,
    MAX_REPORT_CELLS,
    MAX_REPORT_DAYS,
    Grain,
    KpiRequest,
    SlDenominator,
    kpi_request_from_text,
)


def _build(**overrides: object) -> KpiRequest:
    args: dict[str, object] = {"start": "2026-03-01", "end": "2026-03-31", "tz": None, "site_tz": "Asia/Shanghai"}
    args.update(overrides)
    return kpi_request_from_text(**args)  # type: ignore[arg-type]


def test_builds_the_request_from_text() -> None:
    request = _build(grain="30min", by="queue, agent", kpis="offered,service_level", sl_denominator="answered",
                     tz="UTC", scenario="")
    assert request == KpiRequest(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), grain=Grain.MIN30, tz="UTC",
                                 dims=("queue", "agent"), kpis=("offered", "service_level"),
                                 options=request.options, scenario=None)
    assert request.options.sl_denominator is SlDenominator.ANSWERED
    assert _build().kpis == DEFAULT_KPIS and _build().tz == "Asia/Shanghai"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"start": None}, "from"), ({"end": "2026-3-1x"}, "to"), ({"end": "2026-02-01"}, "to"),
    ({"grain": "fortnight"}, "grain"), ({"by": "colour"}, "by"), ({"by": "queue,queue"}, "by"),
    ({"tz": "Mars/Olympus"}, None), ({"kpis": "nope"}, None), ({"sl_denominator": "x"}, "sl-denominator"),
])
def test_bad_text_names_its_field(overrides: dict[str, object], field: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        _build(**overrides)
    if field is not None:
        assert caught.value.field == field


def test_work_is_bounded_before_any_query() -> None:
    """Span x grain x dimensions: 15-minute buckets by queue and agent for a year is refused, naming the limit;
    the same year by day, or 15-minute buckets for a month, pass."""
    with pytest.raises(InvalidInput, match=f"{MAX_REPORT_CELLS:,}") as caught:
        _build(start="2025-01-01", end="2025-12-31", grain="15min", by="queue,agent")
    assert caught.value.field == "grain"
    year_by_day = _build(start="2025-01-01", end="2025-12-31", grain="day", by="queue,agent")
    assert year_by_day.work_cells == 365 * DIMENSION_FANOUT ** 2 <= MAX_REPORT_CELLS
    month = _build(grain="15min", by="agent", compare_previous=True)
    assert month.work_cells == 31 * 96 * 2 * DIMENSION_FANOUT <= MAX_REPORT_CELLS
    with pytest.raises(InvalidInput, match=f"at most {MAX_REPORT_DAYS:,}"):
        _build(start="2000-01-01", end="2026-12-31", grain="total")


def test_one_date_parser() -> None:
    assert parse_date(" 2026-03-07 ", field="from") == dt.date(2026, 3, 7)
    assert parse_date("", field="from") is None and parse_date(None, field="from") is None
    with pytest.raises(InvalidInput, match="not a date") as caught:
        parse_date("07/03/2026", field="day")
    assert caught.value.field == "day"
    with pytest.raises(InvalidInput, match="give it") as caught:
        require_date(None, field="to", missing="give it")
    assert caught.value.field == "to"
