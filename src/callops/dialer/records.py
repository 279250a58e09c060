"""The closed vocabularies of outbound contact: channels, outcomes, purposes, consent."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Channel", "Outcome", "Purpose", "LIVE_OUTCOMES"]


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"


class Outcome(StrEnum):
    """The disposition of one attempt."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    MACHINE = "machine"
    REFUSED = "refused"
    SUCCESS = "success"
    ABANDONED = "abandoned"
    CALLBACK = "callback"
    WRONG_NUMBER = "wrong_number"
    FAILED = "failed"


class Purpose(StrEnum):
    SALES = "sales"
    CARE = "care"
    COLLECTIONS = "collections"
    SURVEY = "survey"


LIVE_OUTCOMES = frozenset({Outcome.REFUSED, Outcome.SUCCESS, Outcome.ABANDONED, Outcome.CALLBACK,
                           Outcome.WRONG_NUMBER})
"""Outcomes where a live person answered: the denominator of the abandon rate."""
