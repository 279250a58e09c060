"""Request and answer models of the roster API (``rosters_api``) and the one parser of a shift's start that the
API and the forms share; no router here."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from callops.errors import InvalidInput


def parse_start(text: str, field: str) -> dt.datetime:
    """A shift's start as sent back by a page or client: ISO with its UTC offset (400 naming ``field`` if not)."""
    try:
        at = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date and time", field=field) from None
    if at.tzinfo is None:
        raise InvalidInput(f"{text!r} has no UTC offset", field=field)
    return at


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BuildIn(_In):
    """A build as the web form takes it; files as their text. Give ``plan`` or ``requirements_csv``."""

    name: str = Field(min_length=1, max_length=120)
    first_day: str = Field("", max_length=10)
    last_day: str = Field("", max_length=10)
    time_limit_s: float = Field(20.0, ge=1, le=120)
    plan: str = Field("", max_length=130)
    requirements_csv: str = ""
    team: str = Field("", max_length=80)
    contract: str = Field("standard", max_length=20)
    agents_csv: str = ""
    rules_name: str = Field("", max_length=120)
    rules_yaml: str = ""
    save_rules_as: str = Field("", max_length=120)


class PublishIn(_In):
    version: int = Field(ge=1)


class RequestIn(_In):
    roster_id: int = Field(ge=1)
    kind: Literal["swap", "time_off"]
    start: str = Field(max_length=40, description="the asker's shift start, ISO with offset")
    other_agent: str | None = Field(None, max_length=80)
    other_start: str | None = Field(None, max_length=40)
    note: str = Field("", max_length=500)


class AnswerIn(_In):
    answer: Literal["accept", "decline", "withdraw"]


class DecideIn(_In):
    decision: Literal["approve", "decline"]
    reason: str = Field("", max_length=500)


class RosterListOut(BaseModel):
    name: str
    version: int
    created_at: str
    published_at: str | None


class BreakOut(BaseModel):
    start: str
    end: str
    kind: str
    paid: bool


class ShiftOut(BaseModel):
    agent: str
    start: str
    end: str
    breaks: list[BreakOut]


class ViolationOut(BaseModel):
    agent: str
    rule: str
    date: str
    detail: str


class CoverageOut(BaseModel):
    start: str
    required: int
    scheduled: float


class RosterOut(BaseModel):
    name: str
    version: int
    first_day: str
    last_day: str
    tz: str
    published_at: str | None
    summary: dict[str, object]
    shifts: list[ShiftOut]
    violations: list[ViolationOut] | None = Field(
        description="null: saved without its inputs, so not checkable; checked with the adjacent published rosters")
    context_shifts: int = Field(description="shifts of the other published rosters (14 days before and after) the "
                                            "check read with this one")
    coverage: list[CoverageOut]
    shortfall: float


class JobOut(BaseModel):
    id: int
    name: str
    status: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    roster_version: int | None
    summary: dict[str, object] | None
    error: str | None


class RequestOut(BaseModel):
    id: int
    roster_id: int
    kind: str
    status: str
    agent: str
    start: str
    other_agent: str | None
    other_start: str | None
    note: str
    created_at: str
    decided_by: str | None
    outcome: dict[str, object]


class DecisionOut(BaseModel):
    request: RequestOut | None = Field(description="null when the request was refused before it was kept")
    violations: list[ViolationOut]


class RequestsOut(BaseModel):
    mine: list[RequestOut]
    to_decide: list[RequestOut]


class AdherenceOut(BaseModel):
    agent: str | None
    scheduled_s: float
    in_adherence_s: float
    worked_s: float
    adherence: float | None
    conformance: float | None
