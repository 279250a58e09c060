"""API under /api/qa: scorecards, sampling rules and draws, evaluations, appeals, library, duty, reports.

Rights: ``callops.permissions`` and the domain's roles decide; an agent sees their own evaluations
(others' only with the site's transparency setting) and never who nominated a call; nothing changes an
evaluation after an appeal on it is decided (409).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field
from starlette.responses import FileResponse, JSONResponse, Response

from callops.errors import InvalidInput, NotFound
from callops.permissions import Permission
from callops.quality import Decision, plan_capacity, rule_to_mapping
from callops.services.qa_access import agents_see_others, duty_periods, grant_qa_duty, require_any, set_transparency
from callops.services.qa_library import library_calls, nominate_call, pick_call, vote_for_call
from callops.services.qa_recordings import AUDIO_TYPES, call_recording_file, set_recordings_dir
from callops.services.qa_reports import EVALUATION_COLUMNS, evaluation_rows, qa_report
from callops.services.qa_reviews import (
    accept,
    agent_note,
    appeal_evaluation,
    audit_entries,
    coach,
    correct_evaluation,
    decide,
    open_appeal,
    open_evaluation,
    panel_view,
    score_call,
    send_back,
    visible_appeals,
    visible_evaluations,
)
from callops.services.qa_sampling import (
    StoredDraw,
    StoredRule,
    draw_rule,
    eligible_csv,
    enter_randomness,
    file_rule,
    freeze_rule,
    public_draw,
    rule_and_draw,
    rules_and_draws,
    verify_stored,
)
from callops.services.qa_transparency import redacted_draw
from callops.services.qa_work import my_queue
from callops.services.spreadsheet_export import Column, csv_encoding, table_csv
from callops.services.team_scope import team_scope
from callops.store.qa_forms import list_scorecards, save_scorecard, scorecard_from_json, scorecard_to_json
from callops.web.deps import AgentLabelDep, ConnDep, CurrentUser, ViewerDep
from callops.web.downloads import attachment
from callops.web.routes._quality_shared import (
    AnswerIn,
    AppealOut,
    ClockDep,
    EvaluationOut,
    EvidenceOut,
    NoteOut,
    answers_in,
    appeal_out,
    evaluation_out,
    evidence_out,
)

router = APIRouter(prefix="/api/qa", tags=["quality"])


# --- scorecards ------------------------------------------------------------------------------------

class ScorecardOut(BaseModel):
    scorecard_id: int
    name: str
    version: int
    definition: dict[str, Any]


class ScorecardIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    definition: dict[str, Any]


@router.get("/scorecards", response_model=list[ScorecardOut])
def api_scorecards(conn: ConnDep, user: CurrentUser) -> list[ScorecardOut]:
    """Every version of every scorecard, with its deduction catalogue."""
    return [ScorecardOut(scorecard_id=s.scorecard_id, name=s.form.form_id, version=s.form.version,
                         definition=scorecard_to_json(s.form)) for s in list_scorecards(conn)]


@router.post("/scorecards", response_model=ScorecardOut, status_code=201)
def api_save_scorecard(body: ScorecardIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> ScorecardOut:
    """Save a form as the next version of its name (manage_qa)."""
    require_any(user, Permission.MANAGE_QA)
    stored = save_scorecard(conn, scorecard_from_json(body.name, 1, body.definition), by=user.username, now=now)
    return ScorecardOut(scorecard_id=stored.scorecard_id, name=stored.form.form_id, version=stored.form.version,
                        definition=scorecard_to_json(stored.form))


# --- sampling rules and draws -------------------------------------------------------------------------

class RuleOut(BaseModel):
    name: str
    rule: dict[str, Any]
    filed_by: str
    seed_commitment: str
    frozen: bool
    eligible_hash: str | None
    eligible_count: int | None
    public_random: str | None
    drawn: bool
    seed: str | None  # revealed only with the draw


def _rule_out(stored: StoredRule, draw: StoredDraw | None) -> RuleOut:
    return RuleOut(name=stored.rule.rule_id, rule=rule_to_mapping(stored.rule), filed_by=stored.filed_by,
                   seed_commitment=stored.seed_commitment, frozen=draw is not None,
                   eligible_hash=None if draw is None else draw.eligible_hash,
                   eligible_count=None if draw is None else len(draw.eligible),
                   public_random=None if draw is None else draw.public_random,
                   drawn=draw is not None and draw.record is not None,
                   seed=None if draw is None or draw.record is None else draw.record.seed)


class PublicRandomIn(BaseModel):
    value: str = Field(min_length=1, max_length=200)
    source: str = Field(default="dice", pattern="^(dice|beacon)$")


class PublicRandomOut(BaseModel):
    status: str  # "waiting" for a second person's matching dice entry, or "confirmed"
    rule: RuleOut


@router.get("/rules", response_model=list[RuleOut])
def api_rules(conn: ConnDep, user: CurrentUser) -> list[RuleOut]:
    """Published rules with their seed commitments (everyone may read them)."""
    return [_rule_out(r, d) for r, d in rules_and_draws(conn)]


@router.post("/rules", response_model=RuleOut, status_code=201)
def api_file_rule(conn: ConnDep, user: CurrentUser, now: ClockDep,
                  body: Annotated[dict[str, Any], Body()]) -> RuleOut:
    """File a rule in its published form (see docs/quality.md); at least a day before its period."""
    stored = file_rule(conn, user, body, now=now)
    return _rule_out(*rule_and_draw(conn, stored.rule.rule_id))


@router.get("/rules/{name}", response_model=RuleOut)
def api_rule(name: str, conn: ConnDep, user: CurrentUser) -> RuleOut:
    return _rule_out(*rule_and_draw(conn, name))


@router.post("/rules/{name}/freeze", response_model=RuleOut)
def api_freeze(name: str, conn: ConnDep, user: CurrentUser, now: ClockDep) -> RuleOut:
    """Freeze the eligible calls after the period ends."""
    freeze_rule(conn, user, name, now=now)
    return _rule_out(*rule_and_draw(conn, name))


@router.post("/rules/{name}/public-random", response_model=PublicRandomOut)
def api_public_random(name: str, body: PublicRandomIn, conn: ConnDep, user: CurrentUser,
                      now: ClockDep) -> PublicRandomOut:
    """Enter the public randomness after the freeze: dice count once two people typed the same value."""
    _, status = enter_randomness(conn, user, name, body.value, now=now, source=body.source)
    return PublicRandomOut(status=status, rule=_rule_out(*rule_and_draw(conn, name)))


@router.post("/rules/{name}/draw", response_model=RuleOut)
def api_draw(name: str, conn: ConnDep, user: CurrentUser, now: ClockDep) -> RuleOut:
    """Draw the sample and assign evaluators; the seed is revealed."""
    draw_rule(conn, user, name, now=now)
    return _rule_out(*rule_and_draw(conn, name))


class VerificationOut(BaseModel):
    matches: bool
    discrepancies: list[dict[str, str]]
    command: str


@router.get("/draws/{name}/verify", response_model=VerificationOut)
def api_verify(name: str, conn: ConnDep, user: CurrentUser) -> VerificationOut:
    """Re-run the stored draw from its public inputs; anyone may."""
    check = verify_stored(public_draw(conn, name))
    return VerificationOut(matches=check.matches,
                           discrepancies=[{"kind": d.kind, "detail": d.detail} for d in check.discrepancies],
                           command=f"callops qa verify-draw {name}-draw.json --calls {name}-eligible.csv")


@router.get("/draws/{name}/record.json")
def api_draw_record(name: str, conn: ConnDep, user: CurrentUser, label: AgentLabelDep) -> Response:
    """The public draw record, as ``callops qa verify-draw`` reads it (for agents, other agents pseudonymous)."""
    draw = redacted_draw(public_draw(conn, name), label)
    if draw.record_json is None:
        raise NotFound(f"rule {name!r} is not drawn yet")
    return JSONResponse(draw.record_json,
                        headers=attachment(f"{name}-draw.json"))


@router.get("/draws/{name}/eligible.csv")
def api_draw_eligible(name: str, conn: ConnDep, user: CurrentUser, label: AgentLabelDep) -> Response:
    """The frozen eligible calls, as ``callops qa verify-draw --calls`` reads them (for agents, other agents
    pseudonymous): UTF-8 with a BOM so Excel shows it right; the headers and UTC times stay as the verifier
    reads them."""
    text = eligible_csv(redacted_draw(public_draw(conn, name), label))  # a BOM for Excel; verify-draw skips it
    return Response(("\ufeff" + text).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment(f"{name}-eligible.csv"))


class QueueItemOut(BaseModel):
    rule: str
    call_id: int
    agent: str
    group: str


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    qas: int
    reviews_per_day: float
    qas_needed: int
    coverage: float | None


@router.get("/queue", response_model=QueueOut)
def api_queue(conn: ConnDep, user: CurrentUser, now: ClockDep) -> QueueOut:
    """The drawn calls assigned to me and not scored yet, and the QA capacity for the drawn sample."""
    queue = my_queue(conn, user, now=now)
    cap = plan_capacity(queue.reviews_per_day, qas=queue.qas)
    return QueueOut(items=[QueueItemOut(rule=i.rule, call_id=i.call_pk, agent=i.agent, group=i.group)
                           for i in queue.items], qas=queue.qas, reviews_per_day=queue.reviews_per_day,
                    qas_needed=cap.qas_needed, coverage=cap.coverage)


# --- evaluations -------------------------------------------------------------------------------------

class EvaluateIn(BaseModel):
    call_id: int
    answers: dict[str, AnswerIn]
    scorecard: str | None = None


class CorrectIn(BaseModel):
    answers: dict[str, AnswerIn]
    reason: str = Field(min_length=1, max_length=180)


class NoteIn(BaseModel):
    kind: str = Field(pattern="^(acknowledgement|agent_comment|coaching|follow_up)$")
    text: str = Field(default="", max_length=4000)
    due_at: dt.datetime | None = None


class EvaluationFileOut(BaseModel):
    evaluation: EvaluationOut
    notes: list[NoteOut]
    appeals: list[AppealOut]


@router.post("/evaluations", response_model=EvaluationOut, status_code=201)
def api_evaluate(body: EvaluateIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> EvaluationOut:
    """A QA scores a call (version 1); a call no draw assigned to them is labelled targeted."""
    stored = score_call(conn, user, body.call_id, answers_in(body.answers), now=now, scorecard=body.scorecard)
    return evaluation_out(stored)


@router.get("/evaluations", response_model=list[EvaluationOut])
def api_evaluations(conn: ConnDep, user: CurrentUser, agent: str | None = None,
                    evaluator: str | None = None) -> list[EvaluationOut]:
    """Evaluations newest first; a team lead gets their teams'; an agent their own unless the site lets agents
    see others'."""
    return [evaluation_out(s) for s in visible_evaluations(conn, user, agent=agent, evaluator=evaluator)]


@router.get("/evaluations/{key}", response_model=EvaluationFileOut)
def api_evaluation(key: str, conn: ConnDep, user: CurrentUser) -> EvaluationFileOut:
    file = open_evaluation(conn, user, key)
    return EvaluationFileOut(evaluation=evaluation_out(file.stored), notes=[NoteOut.of(n) for n in file.notes],
                             appeals=[appeal_out(a) for a in file.appeals])


@router.post("/evaluations/{key}/versions", response_model=EvaluationOut, status_code=201)
def api_correct(key: str, body: CorrectIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> EvaluationOut:
    """The evaluating QA corrects the evaluation: a new version; 409 once an appeal on it is decided."""
    stored = correct_evaluation(conn, user, key, answers_in(body.answers), reason=body.reason, now=now)
    return evaluation_out(stored)


@router.post("/evaluations/{key}/notes", response_model=NoteOut, status_code=201)
def api_note(key: str, body: NoteIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> NoteOut:
    """The agent acknowledges or comments; QA, team lead or supervisor coach (with a due date: follow-up)."""
    if body.kind in ("acknowledgement", "agent_comment"):
        note = agent_note(conn, user, key, kind=body.kind, text=body.text, now=now)
    else:
        if body.kind == "follow_up" and body.due_at is None:
            raise InvalidInput("a follow-up needs due_at", field="due_at")
        note = coach(conn, user, key, text=body.text, now=now, due_at=body.due_at)
    return NoteOut.of(note)


# --- appeals ---------------------------------------------------------------------------------------

class AppealIn(BaseModel):
    disputed_items: list[str] = Field(min_length=1, max_length=50)
    reason: str = Field(min_length=1, max_length=4000)


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)


class ViewIn(BaseModel):
    view: Decision
    comment: str = Field(default="", max_length=4000)


class DecisionIn(BaseModel):
    decision: Decision
    corrected_answers: dict[str, AnswerIn] = Field(default_factory=dict)
    comment: str = Field(default="", max_length=4000)


class DecisionOut(BaseModel):
    appeal: AppealOut
    evaluation: EvaluationOut


@router.post("/evaluations/{key}/appeals", response_model=AppealOut, status_code=201)
def api_file_appeal(key: str, body: AppealIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> AppealOut:
    """The evaluated agent appeals (disputed items, reason) within the deadline."""
    appeal = appeal_evaluation(conn, user, key, items=body.disputed_items, reason=body.reason, now=now)
    return appeal_out(appeal)


@router.get("/appeals", response_model=list[AppealOut])
def api_appeals(conn: ConnDep, user: CurrentUser, state: str | None = None) -> list[AppealOut]:
    """Appeals (oldest first): all of them for QAs and supervisors, their teams' for team leads; an agent's own
    for agents."""
    return [appeal_out(a) for a in visible_appeals(conn, user, state=state)]


@router.get("/appeals/{appeal_id}", response_model=EvidenceOut)
def api_appeal(appeal_id: str, conn: ConnDep, user: CurrentUser) -> EvidenceOut:
    """The appeal with its evidence: every panel member gets the same answer."""
    appeal, file = open_appeal(conn, user, appeal_id)
    return evidence_out(appeal, file)


@router.post("/appeals/{appeal_id}/accept", response_model=AppealOut)
def api_accept(appeal_id: str, conn: ConnDep, user: CurrentUser, now: ClockDep) -> AppealOut:
    appeal = accept(conn, user, appeal_id, now=now)
    return appeal_out(appeal)


@router.post("/appeals/{appeal_id}/return", response_model=AppealOut)
def api_return(appeal_id: str, body: ReturnIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> AppealOut:
    appeal = send_back(conn, user, appeal_id, reason=body.reason, now=now)
    return appeal_out(appeal)


@router.post("/appeals/{appeal_id}/views", response_model=AppealOut)
def api_view(appeal_id: str, body: ViewIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> AppealOut:
    appeal = panel_view(conn, user, appeal_id, view=body.view, comment=body.comment, now=now)
    return appeal_out(appeal)


@router.post("/appeals/{appeal_id}/decision", response_model=DecisionOut)
def api_decide(appeal_id: str, body: DecisionIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> DecisionOut:
    """The supervisor decides; upheld needs the corrected answers of the disputed items."""
    appeal, stored = decide(conn, user, appeal_id, decision=body.decision,
                            corrected=answers_in(body.corrected_answers) or None, comment=body.comment, now=now)
    return DecisionOut(appeal=appeal_out(appeal), evaluation=evaluation_out(stored))


class AuditOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


@router.get("/audit", response_model=list[AuditOut])
def api_audit(conn: ConnDep, user: CurrentUser, subject: str | None = None) -> list[AuditOut]:
    """The append-only audit log (team leads, QAs, supervisors)."""
    return [AuditOut(at=r.at, actor=r.actor, action=r.action, subject=r.subject, details=r.details)
            for r in audit_entries(conn, user, subject=subject)]


# --- library, duty, settings ------------------------------------------------------------------------

class LibraryOut(BaseModel):
    """A nominated call; who nominated it is never part of the answer."""

    call_id: int
    agent: str | None
    nominations: int
    reasons: list[str]
    votes: int
    picked: bool


class NominateIn(BaseModel):
    call_id: int
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/library", response_model=list[LibraryOut])
def api_library(conn: ConnDep, user: CurrentUser, label: AgentLabelDep, picked: bool = False) -> list[LibraryOut]:
    """The best-call library: nominations (anonymous), votes, the supervisor's picks first (for agents, other
    agents pseudonymous)."""
    return [LibraryOut(call_id=e.call_pk, agent=label(call.agent), nominations=e.nominations, reasons=list(e.reasons),
                       votes=e.votes, picked=e.picked) for e, call in library_calls(conn, picked_only=picked)]


@router.post("/library", status_code=201, response_model=LibraryOut)
def api_nominate(body: NominateIn, conn: ConnDep, user: CurrentUser, now: ClockDep,
                 label: AgentLabelDep) -> LibraryOut:
    """Nominate a call (your own or a colleague's) anonymously."""
    entry, call = nominate_call(conn, user, body.call_id, reason=body.reason, now=now)
    return LibraryOut(call_id=entry.call_pk, agent=label(call.agent), nominations=entry.nominations,
                      reasons=list(entry.reasons), votes=entry.votes, picked=entry.picked)


@router.post("/library/{call_id}/vote", status_code=204)
def api_vote(call_id: int, conn: ConnDep, user: CurrentUser, now: ClockDep) -> Response:
    vote_for_call(conn, user, call_id, now=now)
    return Response(status_code=204)


@router.post("/library/{call_id}/pick", status_code=204)
def api_pick(call_id: int, conn: ConnDep, user: CurrentUser, now: ClockDep) -> Response:
    """The supervisor picks a nominated call for the library (decide_appeals)."""
    pick_call(conn, user, call_id, now=now)
    return Response(status_code=204)


class DutyIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    start_at: dt.datetime
    end_at: dt.datetime


class DutyOut(BaseModel):
    username: str
    start_at: dt.datetime
    end_at: dt.datetime
    granted_by: str


@router.get("/duty", response_model=list[DutyOut])
def api_duty(conn: ConnDep, user: CurrentUser) -> list[DutyOut]:
    return [DutyOut(username=d.username, start_at=d.start_at, end_at=d.end_at, granted_by=d.granted_by)
            for d in duty_periods(conn)]


@router.post("/duty", response_model=DutyOut, status_code=201)
def api_grant_duty(body: DutyIn, conn: ConnDep, user: CurrentUser, now: ClockDep) -> DutyOut:
    """Rotate a user into QA duty for a period (manage_qa): they score calls as a QA then."""
    duty = grant_qa_duty(conn, user, body.username, start_at=body.start_at, end_at=body.end_at)
    return DutyOut(username=duty.username, start_at=duty.start_at, end_at=duty.end_at, granted_by=duty.granted_by)


class SettingsIO(BaseModel):
    agents_see_others: bool


@router.get("/settings", response_model=SettingsIO)
def api_settings(conn: ConnDep, user: CurrentUser) -> SettingsIO:
    return SettingsIO(agents_see_others=agents_see_others(conn))


@router.put("/settings", response_model=SettingsIO)
def api_put_settings(body: SettingsIO, conn: ConnDep, user: CurrentUser) -> SettingsIO:
    """Turn the agents' right to see others' scores and recordings on or off (manage_qa)."""
    set_transparency(conn, user, body.agents_see_others)
    return body


class RecordingsDirIn(BaseModel):
    folder: str | None = Field(default=None, max_length=1000)


@router.put("/settings/recordings-dir", status_code=204)
def api_recordings_dir(body: RecordingsDirIn, conn: ConnDep, user: CurrentUser) -> Response:
    """The server folder recording files are served from (administrators only); null turns serving off."""
    set_recordings_dir(conn, user, body.folder)
    return Response(status_code=204)


@router.get("/calls/{call_id}/recording")
def api_recording(call_id: int, conn: ConnDep, user: CurrentUser) -> Response:
    """The call's recording file, when it lies in the recordings folder; staff, the agent, or agents with the right."""
    path = call_recording_file(conn, user, call_id)
    return FileResponse(path, media_type=AUDIO_TYPES[path.suffix.lower()])


# --- reports ---------------------------------------------------------------------------------------

def _staff(user: CurrentUser) -> None:
    require_any(user, Permission.VIEW_REPORTS)


@router.get("/reports")
def api_reports(conn: ConnDep, user: CurrentUser) -> dict[str, Any]:
    """Score distributions by agent, team, QA, item and week; appeal rates; calibration (alpha, ICC)."""
    _staff(user)
    report = qa_report(conn, agents=team_scope(conn, user))
    out = asdict(report)
    for key in ("appeals_by_qa", "appeals_by_agent"):
        for row, rate in zip(out[key], getattr(report, key), strict=True):
            row["rate"] = rate.rate
    return out


@router.get("/reports/evaluations.csv")
def api_reports_csv(conn: ConnDep, user: CurrentUser, viewer: ViewerDep,
                    encoding: Annotated[str | None, Query(description="utf-8 (with BOM, default) or gb18030")]
                    = None) -> Response:
    """One row per evaluation for Excel: headers in the reader's language, times in their zone, UTF-8 with a
    BOM (or GB18030)."""
    _staff(user)
    codec = csv_encoding(encoding)
    zone = viewer.tz.key
    columns = [Column(key, viewer.t(f"qa.csv.{key}") + (f" ({zone})" if key.endswith("_at") else ""), kind)
               for key, kind in EVALUATION_COLUMNS]
    rows = [{k: (viewer.t("qa.yes") if v else viewer.t("qa.no")) if isinstance(v, bool) else v
             for k, v in row.items()} for row in evaluation_rows(conn, tz=viewer.tz, agents=team_scope(conn, user))]
    charset = "gb18030" if codec == "gb18030" else "utf-8"
    return Response(table_csv(rows, columns, encoding=codec), media_type=f"text/csv; charset={charset}",
                    headers=attachment("qa-evaluations.csv"))

