"""Additive measures: counts, sums and maxima computed per finest bucket, from which every KPI is built.

Each measure is defined once here as data. Counts and sums add across buckets and dimensions; maxima
combine by ``max``; so a report at any coarser grain, or a total, is an exact combination of the
finest buckets, and every ratio is computed once, from measures, in :mod:`callops.metrics.kpis`.

Rows of ``calls`` carry the columns of the store's ``calls`` table plus ``next_contact_gap_s``
(seconds until the same caller's next inbound call; NULL when none). Rows of ``agent_intervals``
carry ``state``, ``reason`` and ``duration_s``. Rows of ``tickets`` (the service desk, issue 16) carry
``category``, ``escalated``, ``contacts``, ``customer_id``, ``resolved_ms``, ``resolution_h`` and
``next_issue_gap_s`` (seconds until the same customer's next ticket of the same category); a ticket counts in the
bucket of its ``opened_at``. Rows of ``desk_contacts`` (the agent's saved contact forms) carry ``acw_s`` and
count in the bucket of their ``saved_at``.

A median is not additive: a :class:`Sample` keeps the values themselves, per bucket, and a median KPI is
computed from the values of the whole period.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from callops.metrics.expressions import All, Always, AnyOf, Compare, IsNull, IsTrue, NotNull, OneOf, Param, Predicate
from callops.records import AgentState, Outcome

__all__ = ["Measure", "Table", "MEASURES", "measure", "OFFERED", "ANSWERED", "Sample", "SAMPLES", "sample",
           "TICKET_MEASURES",
           "DESK_CONTACT_MEASURES", "ROSTER_MEASURES"]


class Table(StrEnum):
    CALLS = "calls"
    AGENT_INTERVALS = "agent_intervals"
    TICKETS = "tickets"
    DESK_CONTACTS = "desk_contacts"
    ROSTER = "roster"  # published roster against agent states, per agent and bucket (callops.store.roster_kpi)


@dataclass(frozen=True, slots=True)
class Measure:
    """``agg`` of ``value`` (or of 1 for a count) over the rows of ``table`` where ``when`` holds."""

    name: str
    table: Table
    agg: Literal["count", "sum", "max"]
    when: Predicate
    value: str | None = None


OFFERED = tuple(o.value for o in Outcome if o.offered)
ANSWERED = tuple(o.value for o in Outcome if o.answered)
_HANDLING = tuple(s.value for s in AgentState if s.handling)
_LOGGED_IN = tuple(s.value for s in AgentState if s.logged_in)

_INBOUND = OneOf("direction", ("inbound",))
_OUTBOUND = OneOf("direction", ("outbound",))
_OFFERED_IN = All((_INBOUND, OneOf("outcome", OFFERED)))
_ANSWERED_IN = All((_INBOUND, OneOf("outcome", ANSWERED)))
_ABANDONED_IN = All((_INBOUND, OneOf("outcome", (Outcome.ABANDONED.value,))))
_CONNECTED_OUT = All((_OUTBOUND, OneOf("outcome", ANSWERED)))


def _calls(name: str, agg: Literal["count", "sum", "max"], when: Predicate, value: str | None = None) -> Measure:
    return Measure(name, Table.CALLS, agg, when, value)


def _states(name: str, when: Predicate) -> Measure:
    return Measure(name, Table.AGENT_INTERVALS, "sum", when, "duration_s")


MEASURES: tuple[Measure, ...] = (
    # inbound volume
    _calls("offered", "count", _OFFERED_IN),
    _calls("answered", "count", _ANSWERED_IN),
    _calls("abandoned", "count", _ABANDONED_IN),
    _calls("short_abandoned", "count", All((_ABANDONED_IN, Compare("wait_s", "<", Param("short_abandon_s"))))),
    _calls("timed_out", "count", All((_INBOUND, OneOf("outcome", (Outcome.TIMEOUT.value,))))),
    _calls("callback", "count", All((_INBOUND, OneOf("outcome", (Outcome.CALLBACK.value,))))),
    _calls("transferred", "count", All((_INBOUND, OneOf("outcome", (Outcome.TRANSFERRED.value,))))),
    _calls("ivr_self_service", "count", All((_INBOUND, OneOf("outcome", (Outcome.IVR_SELF_SERVICE.value,))))),
    _calls("ivr_hangup", "count", All((_INBOUND, OneOf("outcome", (Outcome.IVR_HANGUP.value,))))),
    # speed of answer
    _calls("answered_within_t", "count", All((_ANSWERED_IN, Compare("wait_s", "<=", Param("sl_threshold_s"))))),
    _calls("answered_wait_s", "sum", _ANSWERED_IN, "wait_s"),
    _calls("abandoned_wait_s", "sum", _ABANDONED_IN, "wait_s"),
    _calls("longest_wait_s", "max", _OFFERED_IN, "wait_s"),
    # handle time of answered inbound calls
    _calls("talk_s", "sum", _ANSWERED_IN, "talk_s"),
    _calls("hold_s", "sum", _ANSWERED_IN, "hold_s"),
    _calls("acw_s", "sum", _ANSWERED_IN, "acw_s"),
    # outcome
    _calls("fcr_eligible", "count", All((_ANSWERED_IN, NotNull("caller_number")))),
    _calls("fcr_no_repeat", "count", All((_ANSWERED_IN, NotNull("caller_number"), AnyOf((
        IsNull("next_contact_gap_s"), Compare("next_contact_gap_s", ">", Param("fcr_window_s"))))))),
    _calls("resolved_flagged", "count", All((_ANSWERED_IN, NotNull("issue_resolved")))),
    _calls("resolved", "count", All((_ANSWERED_IN, IsTrue("issue_resolved")))),
    _calls("csat_responses", "count", All((_INBOUND, NotNull("csat")))),
    _calls("csat_sum", "sum", All((_INBOUND, NotNull("csat"))), "csat"),
    # outbound (seed 000)
    _calls("dials", "count", _OUTBOUND),
    _calls("connects", "count", _CONNECTED_OUT),
    _calls("successful_contacts", "count", All((_CONNECTED_OUT, OneOf("disposition", ("contacted", "converted"))))),
    _calls("conversions", "count", All((_CONNECTED_OUT, OneOf("disposition", ("converted",))))),
    _calls("refusals", "count", All((_CONNECTED_OUT, OneOf("disposition", ("refused",))))),
    _calls("outbound_talk_s", "sum", _CONNECTED_OUT, "talk_s"),
    # agent states
    _states("handle_state_s", OneOf("state", _HANDLING)),
    _states("available_s", OneOf("state", (AgentState.READY.value,))),
    _states("logged_in_s", OneOf("state", _LOGGED_IN)),
    _states("away_s", OneOf("state", (AgentState.AWAY.value,))),
)

def _tickets(name: str, when: Predicate) -> Measure:
    return Measure(name, Table.TICKETS, "count", when)


_COMPLAINT = OneOf("category", ("complaint",))
_RESOLVED = NotNull("resolved_ms")

TICKET_MEASURES: tuple[Measure, ...] = (
    _tickets("tickets", Always()),
    _tickets("complaints", _COMPLAINT),
    _tickets("escalated_complaints", All((_COMPLAINT, IsTrue("escalated")))),
    _tickets("resolved_tickets", _RESOLVED),
    _tickets("resolved_first_contact",
             All((_RESOLVED, Compare("contacts", ">=", 1.0), Compare("contacts", "<=", 1.0)))),
    _tickets("repeat_complaints", All((_COMPLAINT, Compare("contacts", ">=", 2.0)))),
    # FCR with the N-day repeat rule: a resolved ticket of a known customer, one contact, and no ticket of the
    # same customer and category opened within fcr_window_s after it (next_issue_gap_s: NULL when none)
    _tickets("fcr_ticket_eligible", All((_RESOLVED, NotNull("customer_id")))),
    _tickets("fcr_ticket_no_repeat", All((_RESOLVED, NotNull("customer_id"), Compare("contacts", ">=", 1.0),
                                          Compare("contacts", "<=", 1.0), AnyOf((
                                              IsNull("next_issue_gap_s"),
                                              Compare("next_issue_gap_s", ">", Param("fcr_window_s"))))))),
)
MEASURES += TICKET_MEASURES

# The agent's saved contact forms (desk_contacts): after-call work measured from the call's end to the save
DESK_CONTACT_MEASURES: tuple[Measure, ...] = (
    Measure("desk_contacts", Table.DESK_CONTACTS, "count", Always()),
    Measure("desk_acw_measured", Table.DESK_CONTACTS, "count", NotNull("acw_s")),
    Measure("desk_acw_s", Table.DESK_CONTACTS, "sum", NotNull("acw_s"), "acw_s"),
)
MEASURES += DESK_CONTACT_MEASURES

# --- rosters: adherence and conformance (issue 11) ---------------------------------------------------------
# Rows of ``roster`` are one agent's share of one bucket, computed by callops.scheduling.adherence (the same
# counting as ``callops adherence``): seconds on shift, seconds in the scheduled state, seconds logged in.
ROSTER_MEASURES: tuple[Measure, ...] = tuple(
    Measure(name, Table.ROSTER, "sum", Always(), name) for name in ("scheduled_s", "in_adherence_s", "roster_worked_s"))
MEASURES += ROSTER_MEASURES

_BY_NAME = {m.name: m for m in MEASURES}


def measure(name: str) -> Measure:
    """The measure named ``name``."""
    return _BY_NAME[name]


@dataclass(frozen=True, slots=True)
class Sample:
    """The values of ``value`` over the rows of ``table`` where ``when`` holds: for medians (not additive)."""

    name: str
    table: Table
    when: Predicate
    value: str


SAMPLES: tuple[Sample, ...] = (
    Sample("resolution_h", Table.TICKETS, _RESOLVED, "resolution_h"),
)
_SAMPLES_BY_NAME = {s.name: s for s in SAMPLES}


def sample(name: str) -> Sample:
    """The sample named ``name``."""
    return _SAMPLES_BY_NAME[name]
