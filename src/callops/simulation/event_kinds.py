"""The kinds of event on the simulator's heap, and what each is about.

An event is a tuple ``(time, kind, sequence, about)``. At equal times the smaller kind comes first (agents
free up before calls arrive); the sequence number makes every remaining tie reproducible. The numbers are
part of the simulator's output: changing them reorders ties and changes results for a seed.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["EventKind"]


class EventKind(IntEnum):
    TALK_END = 0  # about: the agent; the conversation ends (after-call work, recovery, break or next call)
    ACW_END = 1  # about: the agent; after-call work is over
    RECOVERY_END = 2  # about: the agent; recovery after a distressing call is over
    AWAY_END = 3  # about: the agent; away after a ring with no answer is over
    STAFF = 4  # about: interval k; log agents in or out to the interval's counts and draw its arrivals
    RING_END = 5  # about: the agent; it picks up, or it does not answer and goes away
    ARRIVAL = 6  # about: (queue, attempt, when the caller entered the IVR or None); a call reaches its queue
    PATIENCE_END = 7  # about: the call; the caller abandons if still waiting
    OVERFLOW = 8  # about: the call; it has waited past its queue's overflow threshold
    MAX_WAIT = 9  # about: the call; the system times it out if still waiting
    CALLBACK_OFFER = 10  # about: the call; a share of callers still waiting take a callback
    WARMUP_END = 11  # about: nothing; occupancy starts counting
    HORIZON = 12  # about: nothing; occupancy stops counting
    IVR_ENTRY = 13  # about: nothing; a caller enters the IVR
    BREAK_START = 14  # about: (group index, the break); agents of the group go on break
    BREAK_END = 15  # about: the agent; its break is over
    IVR_EXIT = 16  # about: the IVR call number; only on the live floor: a caller ends in the IVR
    # An outbound campaign's dialer (``callops.simulation.outbound``), only when the scenario has one. After the
    # inbound kinds, so a scenario without a campaign keeps its ties and its results.
    OUT_PACE = 17  # about: nothing; the pacer decides how many lines to dial now
    OUT_SAMPLE = 18  # about: nothing; the pacer's one-second sample (VICIdial-style adaptive)
    OUT_LINE = 19  # about: the line; its outcome is known (live person, machine, no answer; after AMD)
    OUT_GRACE = 20  # about: the line; a live answer still without an agent is abandoned
    OUT_TALK_END = 21  # about: the agent; an outbound conversation ends
    OUT_ACW_END = 22  # about: the agent; after-call work of an outbound call is over
