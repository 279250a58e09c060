"""Contact-center KPIs, each defined once as data and pure functions (no database, no I/O).

Engines (SQLite, PostgreSQL, DuckDB; see ``callops.store.kpi_query``) compute additive *measures*
per finest bucket; this package combines them into periods and computes every KPI from them.
"""

from callops.metrics.evaluate import combine_measures, evaluate_measures, evaluate_samples, holds
from callops.metrics.expressions import (
    All,
    Always,
    AnyOf,
    Compare,
    IsNull,
    IsTrue,
    NotNull,
    OneOf,
    Param,
    Predicate,
    shared_conditions,
)
from callops.metrics.grains import (
                                    Grain,
                                    bucket_start,
                                    parse_grain,
                                    period_label,
                                    period_start,
                                    shift_back,
                                    shift_forward,
)
from callops.metrics.kpis import (
    AGENT_KPIS,
    DEFAULT_KPIS,
    KPIS,
    PEOPLE_KPIS,
    PEOPLE_MEASURES,
    ROSTER_KPIS,
    TICKET_KPIS,
    Kpi,
    Linear,
    compute_kpis,
    is_people_kpi,
    is_roster_kpi,
    is_ticket_kpi,
    kpi,
    measures_for,
    samples_for,
)
from callops.metrics.measures import ANSWERED, MEASURES, OFFERED, SAMPLES, Measure, Sample, Table, measure, sample
from callops.metrics.options import KpiOptions, SlDenominator
from callops.metrics.request import (
    CALL_DIMENSIONS,
    DIMENSION_FANOUT,
    MAX_REPORT_CELLS,
    MAX_REPORT_DAYS,
    STATE_DIMENSIONS,
    TICKET_DIMENSIONS,
    KpiRequest,
    kpi_request_from_text,
    parse_dims,
    parse_kpis,
    parse_span,
    report_zone,
)
from callops.metrics.rollup import BucketMeasures, ReportRow, report_rows, roll_up
from callops.metrics.zones import OffsetSegment, local_range_ms, offset_segments, zone

__all__ = [
    "AGENT_KPIS", "ANSWERED", "CALL_DIMENSIONS", "DIMENSION_FANOUT", "KpiRequest", "MAX_REPORT_CELLS",
    "MAX_REPORT_DAYS", "STATE_DIMENSIONS", "kpi_request_from_text", "parse_dims", "parse_kpis", "parse_span",
    "report_zone", "shared_conditions", "All", "Always", "AnyOf", "BucketMeasures", "Compare", "DEFAULT_KPIS", "Grain",
    "IsNull", "IsTrue", "KPIS", "Kpi", "KpiOptions", "Linear", "MEASURES", "Measure", "NotNull", "OFFERED",
    "OffsetSegment", "OneOf", "Param", "Predicate", "ReportRow", "SlDenominator", "Table", "bucket_start",
    "combine_measures", "compute_kpis", "evaluate_measures", "holds", "kpi", "local_range_ms", "measure",
    "measures_for", "offset_segments", "parse_grain", "period_label", "period_start", "report_rows", "roll_up",
    "shift_back", "shift_forward", "zone",
    "TICKET_KPIS", "TICKET_DIMENSIONS", "evaluate_samples", "SAMPLES", "Sample", "is_ticket_kpi", "sample",
    "samples_for", "PEOPLE_KPIS", "PEOPLE_MEASURES", "is_people_kpi", "ROSTER_KPIS", "is_roster_kpi",
]
