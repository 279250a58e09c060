"""Every KPI, defined once: its names (zh-CN, English), formula and how it is computed from measures.

A KPI is ``numerator / denominator`` where each side is a weighted sum of measures (a count KPI has
no denominator). A ratio is ``None`` when its denominator is 0: a rate of nothing is unknown, not 0.
A median KPI (``median=``) is the median of a sample's values over the period (None for no values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from callops.errors import InvalidInput
from callops.metrics.options import KpiOptions, SlDenominator

__all__ = ["Kpi", "Linear", "KPIS", "kpi", "compute_kpis", "measures_for", "DEFAULT_KPIS", "AGENT_KPIS",
           "TICKET_KPIS", "samples_for", "is_ticket_kpi", "PEOPLE_KPIS", "PEOPLE_MEASURES", "is_people_kpi",
           "ROSTER_KPIS", "is_roster_kpi"]


@dataclass(frozen=True, slots=True)
class Linear:
    """``sum(weight * measure)``; None when a measure is None (a maximum over no rows) or absent."""

    terms: tuple[tuple[str, float], ...]

    def evaluate(self, measures: Mapping[str, float | None]) -> float | None:
        total = 0.0
        for name, weight in self.terms:
            value = measures.get(name)
            if value is None:
                return None
            total += weight * value
        return total


def _m(*names: str) -> Linear:
    return Linear(tuple((n, 1.0) for n in names))


_SL_DENOMINATORS = {
    SlDenominator.OFFERED: _m("offered"),
    SlDenominator.ANSWERED: _m("answered"),
    SlDenominator.OFFERED_MINUS_SHORT: Linear((("offered", 1.0), ("short_abandoned", -1.0))),
}


@dataclass(frozen=True, slots=True)
class Kpi:
    key: str
    zh: str
    en: str
    unit: Literal["count", "fraction", "seconds", "hours", "per_hour", "score"]
    formula: str
    numerator: Linear
    denominator: Linear | Literal["sl_denominator"] | None = None
    min_base: str | None = None  # a report option: a denominator below it makes the ratio unknown (None)
    median: str | None = None  # a sample's name: the KPI is the median of its values

    def compute(self, measures: Mapping[str, float | None], options: KpiOptions,
                samples: Mapping[str, Sequence[float]] | None = None) -> float | None:
        if self.median is not None:
            return _median((samples or {}).get(self.median, ()))
        num = self.numerator.evaluate(measures)
        if self.denominator is None or num is None:
            return num
        den_expr = _SL_DENOMINATORS[options.sl_denominator] if self.denominator == "sl_denominator" \
            else self.denominator
        den = den_expr.evaluate(measures)
        if not den or (self.min_base is not None and den < options.param(self.min_base)):
            return None
        return num / den

    @property
    def measures(self) -> tuple[str, ...]:
        sides = [self.numerator]
        if self.denominator == "sl_denominator":
            sides.extend(_SL_DENOMINATORS.values())
        elif self.denominator is not None:
            sides.append(self.denominator)
        return tuple(dict.fromkeys(name for side in sides for name, _ in side.terms))


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


_HANDLE = _m("talk_s", "hold_s", "acw_s")

KPIS: tuple[Kpi, ...] = (
    Kpi("offered", "呼入量", "Offered", "count", "calls presented to the ACD (queued or routed to an agent): "
        "outcome answered, transferred, abandoned, timeout or callback", _m("offered")),
    Kpi("answered", "接听量", "Answered", "count", "offered calls an agent answered (answered, transferred)",
        _m("answered")),
    Kpi("abandoned", "放弃量", "Abandoned", "count", "offered calls the caller left before an agent answered",
        _m("abandoned")),
    Kpi("short_abandoned", "短时放弃量", "Short abandons", "count",
        "abandoned calls with wait < the short-abandon threshold (default 0 s: none)", _m("short_abandoned")),
    Kpi("lost", "呼损量", "Lost (call loss)", "count", "offered - answered (not answered for any reason)",
        Linear((("offered", 1.0), ("answered", -1.0)))),
    Kpi("answer_rate", "接通率", "Answer rate", "fraction", "answered / offered", _m("answered"), _m("offered")),
    Kpi("service_level", "服务水平", "Service level", "fraction",
        "answered with wait <= T / denominator (offered by default; or answered; or offered - short abandons)",
        _m("answered_within_t"), "sl_denominator"),
    Kpi("abandon_rate", "放弃率", "Abandon rate", "fraction", "abandoned / offered", _m("abandoned"), _m("offered")),
    Kpi("loss_rate", "呼损率", "Call-loss rate", "fraction", "(offered - answered) / offered",
        Linear((("offered", 1.0), ("answered", -1.0))), _m("offered")),
    Kpi("asa_s", "平均应答速度", "Average speed of answer", "seconds", "sum of wait of answered calls / answered",
        _m("answered_wait_s"), _m("answered")),
    Kpi("avg_abandon_s", "平均放弃时长", "Average time to abandon", "seconds",
        "sum of wait of abandoned calls / abandoned", _m("abandoned_wait_s"), _m("abandoned")),
    Kpi("longest_wait_s", "最长等待时长", "Longest wait", "seconds", "max wait of an offered call",
        _m("longest_wait_s")),
    Kpi("aht_s", "平均处理时长", "Average handle time", "seconds", "(talk + hold + after-call work) / answered",
        _HANDLE, _m("answered")),
    Kpi("avg_talk_s", "平均通话时长", "Average talk time", "seconds", "talk / answered", _m("talk_s"), _m("answered")),
    Kpi("avg_hold_s", "平均保持时长", "Average hold time", "seconds", "hold / answered", _m("hold_s"), _m("answered")),
    Kpi("avg_acw_s", "平均话后处理时长", "Average after-call work", "seconds", "after-call work / answered",
        _m("acw_s"), _m("answered")),
    Kpi("transfer_rate", "转接率", "Transfer rate", "fraction", "transferred / answered", _m("transferred"),
        _m("answered")),
    Kpi("ivr_containment", "IVR自助率", "IVR containment", "fraction",
        "IVR self-service / (IVR self-service + IVR hang-up + offered)", _m("ivr_self_service"),
        _m("ivr_self_service", "ivr_hangup", "offered")),
    Kpi("fcr", "一次性问题解决率", "First-contact resolution", "fraction",
        "answered calls with a known caller and no inbound call from that caller within N days after "
        "(default 7) / answered calls with a known caller; blank when fewer than the minimum base (0 in the CLI, "
        "30 in the web pages) had a known caller", _m("fcr_no_repeat"), _m("fcr_eligible"), min_base="fcr_min_base"),
    Kpi("fcr_base", "一次性解决率基数", "FCR base (answered calls with a caller id)", "count",
        "answered calls with a known caller: what FCR divides by", _m("fcr_eligible")),
    Kpi("fcr_flag", "一次性问题解决率(坐席标记)", "FCR by resolved flag", "fraction",
        "answered calls the agent marked resolved / answered calls with the flag set", _m("resolved"),
        _m("resolved_flagged")),
    Kpi("csat", "客户满意度", "CSAT", "score",
        "sum of post-call survey scores (1-5) / surveyed inbound calls (the call's csat: set by the CDR or by a "
        "survey imported or entered on the desk)", _m("csat_sum"), _m("csat_responses")),
    Kpi("csat_responses", "满意度评价量", "CSAT responses", "count", "inbound calls with a post-call survey score",
        _m("csat_responses")),
    Kpi("occupancy", "占用率", "Occupancy", "fraction",
        "handling time (on call, hold, after-call work, outbound) / (handling + ready time)",
        _m("handle_state_s"), _m("handle_state_s", "available_s")),
    Kpi("utilisation", "利用率", "Utilisation", "fraction", "handling time / logged-in time",
        _m("handle_state_s"), _m("logged_in_s")),
    Kpi("away_s", "离座时长", "Away time", "seconds", "time in the away state (by reason code in the agent report)",
        _m("away_s")),
    Kpi("dials", "拨打量", "Dials", "count", "outbound calls placed", _m("dials")),
    Kpi("connects", "接通量", "Connects", "count", "outbound calls the called party answered", _m("connects")),
    Kpi("successful_contacts", "成功访问量", "Successful contacts", "count",
        "connects with disposition contacted or converted", _m("successful_contacts")),
    Kpi("conversions", "成功办理量", "Conversions", "count", "connects with disposition converted",
        _m("conversions")),
    Kpi("refusal_rate", "拒访率", "Refusal rate", "fraction", "connects with disposition refused / connects",
        _m("refusals"), _m("connects")),
    Kpi("outbound_talk_s", "外呼通话时长", "Outbound talk time", "seconds", "talk time of connects",
        _m("outbound_talk_s")),
    Kpi("work_hours", "工作时长", "Work hours", "hours", "logged-in time / 3600", Linear((("logged_in_s", 1 / 3600),))),
    Kpi("efficiency", "工作时效", "Efficiency", "per_hour", "successful contacts / work hours",
        Linear((("successful_contacts", 3600.0),)), _m("logged_in_s")),
)

TICKET_KPIS: tuple[Kpi, ...] = (  # the service desk (issue 16); a ticket counts on the day it was opened
    Kpi("tickets", "工单量", "Tickets", "count", "tickets opened", _m("tickets")),
    Kpi("complaints", "投诉量", "Complaints", "count", "tickets of category complaint opened", _m("complaints")),
    Kpi("escalated_share", "投诉升级率", "Escalated share", "fraction", "escalated complaints / complaints",
        _m("escalated_complaints"), _m("complaints")),
    Kpi("fcr_ticket", "一次性解决率(工单)", "FCR by tickets", "fraction",
        "resolved tickets with one contact (contacts = 1) / resolved tickets", _m("resolved_first_contact"),
        _m("resolved_tickets")),
    Kpi("median_resolution_h", "解决时长中位数", "Median time to resolve", "hours",
        "median of hours from opened to resolved, over resolved tickets", Linear(()), median="resolution_h"),
    Kpi("repeat_complaints", "重复投诉量", "Repeat complaints", "count",
        "complaints the customer contacted us about twice or more (contacts >= 2)", _m("repeat_complaints")),
    Kpi("fcr_ticket_repeat", "一次性解决率(工单,N天不重复)", "FCR by tickets, no repeat in N days", "fraction",
        "resolved tickets of a known customer with one contact and no ticket of the same customer and category "
        "opened within N days after (--fcr-days, default 7) / resolved tickets of a known customer",
        _m("fcr_ticket_no_repeat"), _m("fcr_ticket_eligible")),
    Kpi("fcr_ticket_base", "一次性解决率(工单)基数", "FCR by tickets base (resolved, known customer)", "count",
        "resolved tickets of a known customer: what fcr_ticket_repeat divides by", _m("fcr_ticket_eligible")),
    Kpi("desk_contacts", "登记来电量", "Contacts recorded", "count",
        "contact forms saved on the agent screen (counted on the day saved)", _m("desk_contacts")),
    Kpi("desk_acw_s", "话后处理时长(表单)", "After-call work (form)", "seconds",
        "seconds from the live call's end to the save of its contact form / forms with a known call end",
        _m("desk_acw_s"), _m("desk_acw_measured")),
)
KPIS += TICKET_KPIS

# People records (issue 15): measured per calendar period (month, quarter, year), not summed from day buckets,
# so they are kept out of KPIS (the call / agent / ticket KPIs a report may mix); ``kpi()`` knows them.
PEOPLE_KPIS: tuple[Kpi, ...] = (
    Kpi("headcount", "在职人数", "Headcount", "count",
        "people employed on the period's last day (someone leaving on day d counts up to d - 1)",
        _m("headcount_end")),
    Kpi("hires", "入职人数", "Hires", "count", "stints whose hire date falls in the period", _m("hires")),
    Kpi("exits", "离职人数", "Exits", "count", "stints whose exit date falls in the period", _m("exits")),
    Kpi("voluntary_exits", "主动离职人数", "Voluntary exits", "count",
        "exits for a voluntary reason (pay, monotony, no growth, study, health, other)", _m("voluntary_exits")),
    Kpi("attrition_rate", "流失率", "Attrition rate", "fraction",
        "exits / mean(headcount on the first day, headcount on the last day)", _m("exits"),
        Linear((("headcount_start", 0.5), ("headcount_end", 0.5)))),
)
PEOPLE_MEASURES: tuple[str, ...] = ("headcount_start", "headcount_end", "hires", "exits", "voluntary_exits")

# --- rosters: adherence (遵时率) and conformance against the newest published roster (issue 11) -----------
ROSTER_KPIS: tuple[Kpi, ...] = (
    Kpi("adherence", "遵时率", "Adherence", "fraction",
        "seconds on shift in the scheduled state (on the phones while scheduled to work, off them during a break "
        "or the huddle) / seconds on shift, against the newest published roster", _m("in_adherence_s"),
        _m("scheduled_s")),
    Kpi("conformance", "出勤符合率", "Conformance", "fraction",
        "seconds logged in (any state but logged out, on shift or not) / seconds on shift", _m("roster_worked_s"),
        _m("scheduled_s")),
    Kpi("scheduled_s", "排班时长", "Scheduled time", "seconds",
        "seconds on shift in the newest published roster, breaks included", _m("scheduled_s")),
    Kpi("in_adherence_s", "遵时时长", "Time in adherence", "seconds",
        "seconds on shift in the scheduled state", _m("in_adherence_s")),
)
KPIS += ROSTER_KPIS

_BY_KEY = {k.key: k for k in (*KPIS, *PEOPLE_KPIS)}

DEFAULT_KPIS: tuple[str, ...] = (
    "offered", "answered", "abandoned", "short_abandoned", "lost", "answer_rate", "service_level",
    "abandon_rate", "loss_rate", "asa_s", "avg_abandon_s", "longest_wait_s", "aht_s", "avg_talk_s", "avg_hold_s",
    "avg_acw_s", "transfer_rate", "ivr_containment", "fcr", "fcr_flag", "csat")
AGENT_KPIS: tuple[str, ...] = ("occupancy", "utilisation", "away_s")


def kpi(key: str) -> Kpi:
    """The KPI named ``key``; an unknown key is an input error naming the known ones."""
    if key not in _BY_KEY:
        raise InvalidInput(f"unknown KPI {key!r}; known: {', '.join(_BY_KEY)}", field="kpis")
    return _BY_KEY[key]


def measures_for(keys: Sequence[str]) -> tuple[str, ...]:
    """The measures that the KPIs ``keys`` need, in a stable order."""
    return tuple(dict.fromkeys(name for key in keys for name in kpi(key).measures))


def samples_for(keys: Sequence[str]) -> tuple[str, ...]:
    """The samples (value lists, for medians) that the KPIs ``keys`` need."""
    return tuple(dict.fromkeys(m for key in keys if (m := kpi(key).median) is not None))


def is_ticket_kpi(key: str) -> bool:
    """Whether ``key`` is computed from tickets (the service desk) rather than calls or agent states."""
    return any(k.key == key for k in TICKET_KPIS)


def is_people_kpi(key: str) -> bool:
    """Whether ``key`` is computed from people records (month, quarter or year periods) rather than summed rows."""
    return any(k.key == key for k in PEOPLE_KPIS)


def is_roster_kpi(key: str) -> bool:
    """Whether ``key`` is computed from the published rosters and agent states (adherence, conformance)."""
    return any(k.key == key for k in ROSTER_KPIS)


def compute_kpis(measures: Mapping[str, float | None], keys: Sequence[str], options: KpiOptions,
                 samples: Mapping[str, Sequence[float]] | None = None) -> dict[str, float | None]:
    """The KPIs ``keys`` from one bucket's (or one total's) measures and samples; counts come back as ``int``."""
    out: dict[str, float | None] = {}
    for key in keys:
        definition = kpi(key)
        value = definition.compute(measures, options, samples)
        out[key] = round(value) if value is not None and definition.unit == "count" else value
    return out
