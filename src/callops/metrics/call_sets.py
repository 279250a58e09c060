"""The calls a KPI counts, so that a report value can open the calls behind it (the Calls page's ``kpi`` filter).

A count KPI names its calls (``offered``, ``answered``, ``abandoned``, ``lost``); a rate opens the calls of its
numerator that a manager acts on: abandon rate its abandoned calls, call-loss rate its lost calls, answer rate
its answered calls, and service level the offered calls that missed it (not answered within T), whose number
is offered - answered within T. Every set is of inbound calls, by the outcomes of ``callops.records.Outcome``.
"""

from __future__ import annotations

from enum import StrEnum

from callops.records import Outcome

__all__ = ["CallSet", "KPI_CALL_SETS", "call_set_outcomes"]


class CallSet(StrEnum):
    OFFERED = "offered"  # presented to the ACD
    ANSWERED = "answered"  # answered or transferred
    ABANDONED = "abandoned"  # the caller left the queue
    LOST = "lost"  # offered, not answered for any reason
    SL_MISSED = "sl_missed"  # offered, not answered within the service-level threshold T

    @property
    def needs_threshold(self) -> bool:
        return self is CallSet.SL_MISSED


KPI_CALL_SETS: dict[str, CallSet] = {
    "offered": CallSet.OFFERED,
    "answered": CallSet.ANSWERED,
    "abandoned": CallSet.ABANDONED,
    "lost": CallSet.LOST,
    "answer_rate": CallSet.ANSWERED,
    "abandon_rate": CallSet.ABANDONED,
    "loss_rate": CallSet.LOST,
    "service_level": CallSet.SL_MISSED,
}


def call_set_outcomes(call_set: CallSet) -> frozenset[Outcome]:
    """The outcomes of the inbound calls in ``call_set`` (for ``SL_MISSED``: those that may have missed T; an
    answered one missed it only when it waited longer than T)."""
    offered = frozenset(o for o in Outcome if o.offered)
    answered = frozenset(o for o in Outcome if o.answered)
    return {
        CallSet.OFFERED: offered,
        CallSet.ANSWERED: answered,
        CallSet.ABANDONED: frozenset({Outcome.ABANDONED}),
        CallSet.LOST: offered - answered,
        CallSet.SL_MISSED: offered,
    }[call_set]
