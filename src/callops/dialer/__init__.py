"""Outbound contact: the contact policy (who may be contacted when, and why not) and dialer pacing.

Pure: no database, web or CLI. ``policy`` holds the rules as data, ``history`` the past attempts in columns,
``contact_check`` the vectorised decision with its explanation, ``contact_check_loop`` the per-member
baseline, ``consent`` consent and do-not-call records, ``phones`` number normalisation and zones;
``pacing`` the dialing pacers (progressive, VICIdial-style adaptive, callops' abandon budget),
``outbound_sim`` the outbound simulator they run in and ``pacing_runs`` its replications; ``blended_pacing``
callops' pacer for blended agents, used by the campaigns the simulator runs on the routing core
(``callops.simulation.outbound``).
"""

from callops.dialer.consent import ConsentRecord, consent_missing, on_dnc, read_consent_csv, read_dnc_text
from callops.dialer.contact_check import NEVER, ContactDecisions, check_contacts, holiday_dates
from callops.dialer.contact_check_loop import check_member_loop, check_members_loop
from callops.dialer.history import ContactHistory, HistoryRow, read_history_csv
from callops.dialer.outbound_sim import OutboundRun, OutboundSetup, max_window_rate, simulate_outbound
from callops.dialer.pacing import PACINGS, AdaptivePacer, BudgetPacer, FloorView, ProgressivePacer, make_pacer
from callops.dialer.pacing_runs import PacingSummary, simulate_pacing
from callops.dialer.phones import PhoneError, normalise_phone, zone_for_phone
from callops.dialer.policy import Cap, ContactPolicy, PolicyError, china_default, load_policy, policy_from_mapping
from callops.dialer.records import LIVE_OUTCOMES, Channel, Outcome, Purpose

__all__ = [
    "NEVER", "LIVE_OUTCOMES", "PACINGS", "AdaptivePacer", "BudgetPacer", "FloorView", "OutboundRun",
    "OutboundSetup", "PacingSummary", "ProgressivePacer", "make_pacer", "max_window_rate", "simulate_outbound",
    "simulate_pacing", "Cap", "Channel", "ConsentRecord", "ContactDecisions", "ContactHistory",
    "ContactPolicy", "HistoryRow", "Outcome", "PhoneError", "PolicyError", "Purpose", "check_contacts",
    "check_member_loop", "check_members_loop", "china_default", "consent_missing", "holiday_dates",
    "load_policy", "normalise_phone", "on_dnc", "policy_from_mapping", "read_consent_csv", "read_dnc_text",
    "read_history_csv", "zone_for_phone",
]
