"""The published-rule workflow: file (with a seed commitment), freeze, public randomness, draw, verify.

    file_rule        at least a day before the period; locked from the filing deadline on
    freeze_rule      after the period ends: the eligible calls and their SHA-256 are fixed
    enter_randomness after the freeze: dice typed in by two people (or a beacon value)
    draw_rule        runs the SHA-256 counter draw, assigns evaluators, reveals the seed
    verify_stored    re-runs the stored record against the frozen calls (anyone may)
    rule_from_form   the published rule from the page's form fields (local days in the rule's zone)
    rules, rule_view the filed rules; one rule with its draw, the draw's verification and the random entries
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from callops.cell_text import safe_cell
from callops.dates import require_date
from callops.errors import Conflict, InvalidInput, NotFound
from callops.metrics import zone as time_zone
from callops.permissions import Permission
from callops.quality import (
    Discrepancy,
    Verification,
    check_filing,
    draw_sample,
    eligible_calls,
    eligible_hash,
    revise_rule,
    rule_fingerprint,
    rule_from_mapping,
    seed_commitment,
    verify_draw,
)
from callops.records import Role
from callops.services.qa_access import require_any
from callops.store.qa_library import on_duty
from callops.store.qa_reviews import list_audit, write_audit
from callops.store.qa_sampling import (
    StoredDraw,
    StoredRule,
    call_summaries,
    get_draw,
    get_rule,
    insert_freeze,
    insert_rule,
    list_rules,
    replace_rule,
    set_draw_record,
    set_public_random,
    summary_to_json,
)
from callops.store.users import User, list_users

__all__ = ["rule_from_form", "file_rule", "freeze_rule", "enter_randomness", "draw_rule", "verify_stored",
           "eligible_csv", "evaluator_pool", "ELIGIBLE_COLUMNS", "RuleView", "rules", "rule_view", "StoredRule",
           "StoredDraw", "rule_and_draw", "rules_and_draws", "public_draw"]

ELIGIBLE_COLUMNS = ("call_id", "agent", "queue", "started_at", "duration_s", "outcome")


def rule_from_form(*, rule_id: str, period_start: str, period_end: str, timezone: str, per: str, pick_kind: str,
                   n: int, longer_than_s: float = 0.0, after: str = "", description: str = "") -> dict[str, object]:
    """The published form of a rule typed into the rules page: the period runs from the start day to the end day
    inclusive, both local days in ``timezone``. Bad text is InvalidInput naming its form field."""
    start = require_date(period_start, field="period_start", missing="dates look like 2026-03-02")
    end = require_date(period_end, field="period_end", missing="dates look like 2026-03-02") + dt.timedelta(days=1)
    try:
        zone = time_zone(timezone)
    except InvalidInput:
        raise InvalidInput(f"{timezone!r} is not a time zone", field="timezone") from None
    filters: dict[str, object] = {"longer_than_s": longer_than_s}
    if after.strip():
        filters["after"] = after.strip()
    return {"rule_id": rule_id.strip(), "description": description.strip(), "timezone": timezone, "per": per,
            "period": {"start": dt.datetime.combine(start, dt.time(), zone).isoformat(),
                       "end": dt.datetime.combine(end, dt.time(), zone).isoformat()},
            "select": {"pick": pick_kind, "n": n}, "filters": filters}


def _may_run(user: User) -> None:
    require_any(user, Permission.MANAGE_QA, Permission.EVALUATE_CALLS)


def file_rule(conn: sa.Connection, user: User, published: Mapping[str, object], *, now: dt.datetime) -> StoredRule:
    """File a rule (its published form, ``filed_at`` set to ``now``) and commit to a fresh secret seed.

    Filing the same rule id again revises it, which is refused (Conflict) from a day before its period.
    """
    _may_run(user)
    rule = rule_from_mapping({**published, "filed_at": now.isoformat()}, source="rule")
    try:
        filed = get_rule(conn, rule.rule_id)
    except NotFound:
        filed = None
    if filed is not None:
        revised = revise_rule(filed.rule, rule, now=now)
        stored = replace_rule(conn, revised, by=user.username)
        write_audit(conn, at=now, actor=user.username, action="rule.revised", subject=f"rule:{rule.rule_id}",
                    details={"fingerprint": rule_fingerprint(revised)})
        return stored
    check_filing(rule)
    seed = secrets.token_hex(32)
    stored = insert_rule(conn, rule, by=user.username, commitment=seed_commitment(seed), secret_seed=seed)
    write_audit(conn, at=now, actor=user.username, action="rule.filed", subject=f"rule:{rule.rule_id}",
                details={"fingerprint": rule_fingerprint(rule), "seed_commitment": stored.seed_commitment})
    return stored


def freeze_rule(conn: sa.Connection, user: User, name: str, *, now: dt.datetime) -> StoredDraw:
    """Fix the eligible calls of a rule whose period has ended, and publish their hash."""
    _may_run(user)
    stored = get_rule(conn, name)
    rule = stored.rule
    if now < rule.period_end:
        raise Conflict(f"the period of rule {name!r} ends at {rule.period_end.isoformat()}; freeze after that")
    eligible = eligible_calls(rule, call_summaries(conn, rule.period_start, rule.period_end))
    draw = insert_freeze(conn, stored, frozen_at=now, eligible_hash=eligible_hash(eligible), eligible=eligible)
    write_audit(conn, at=now, actor=user.username, action="rule.frozen", subject=f"rule:{name}",
                details={"eligible_count": len(eligible), "eligible_hash": draw.eligible_hash})
    return draw


def enter_randomness(conn: sa.Connection, user: User, name: str, value: str, *, now: dt.datetime,
                     source: str = "dice") -> tuple[StoredDraw, str]:
    """Record the public randomness after the freeze; returns the draw and ``confirmed`` or ``waiting``.

    Dice are typed in by two people: the first entry waits, and the value counts once a second person
    types the same value (a different value waits for a third to settle it). A beacon value (published
    by someone else, checkable by anyone) counts at once.
    """
    _may_run(user)
    text = " ".join(value.split())
    if not text or len(text) > 200:
        raise InvalidInput("enter the dice or beacon value (1-200 characters)", field="public_random")
    if source not in ("dice", "beacon"):
        raise InvalidInput("the source is dice or beacon", field="source")
    get_rule(conn, name)
    try:
        draw = get_draw(conn, name)
    except NotFound:
        raise Conflict(f"freeze the eligible calls of rule {name!r} first") from None
    if now <= draw.frozen_at:
        raise Conflict("the public randomness must arrive after the freeze")
    if draw.public_random is not None:
        raise Conflict(f"the public randomness of rule {name!r} is entered already")
    subject = f"rule:{name}"
    earlier = [r for r in list_audit(conn, subject=subject) if r.action == "rule.random_entry"
               and r.actor != user.username and r.details.get("source") == source]
    write_audit(conn, at=now, actor=user.username, action="rule.random_entry", subject=subject,
                details={"source": source, "value": text})
    witnesses = sorted({r.actor for r in earlier if r.details.get("value") == text})
    if source == "dice" and not witnesses:
        return draw, "waiting"
    draw = set_public_random(conn, draw, value=text, at=now)
    write_audit(conn, at=now, actor=user.username, action="rule.public_random", subject=subject,
                details={"public_random": text, "source": source, "entered_by": [*witnesses, user.username]})
    return draw, "confirmed"


def evaluator_pool(conn: sa.Connection, now: dt.datetime) -> tuple[str, ...]:
    """The QAs a draw assigns at random: users of the QA role and users on QA duty now, by name."""
    duty = on_duty(conn, now)
    return tuple(sorted(u.username for u in list_users(conn) if u.role is Role.QA or u.username in duty))


def draw_rule(conn: sa.Connection, user: User, name: str, *, now: dt.datetime) -> StoredDraw:
    """Draw the sample, assign the evaluators, reveal the seed, store the record and check it re-runs."""
    _may_run(user)
    stored = get_rule(conn, name)
    draw = get_draw(conn, name)
    if draw.public_random is None or draw.public_random_at is None:
        raise Conflict(f"enter the public randomness of rule {name!r} before drawing")
    if stored.secret_seed is None:
        raise Conflict(f"rule {name!r} has no secret seed on this server")
    record = draw_sample(stored.rule, draw.eligible, seed=stored.secret_seed, public_random=draw.public_random,
                         frozen_at=draw.frozen_at, public_random_at=draw.public_random_at,
                         evaluators=evaluator_pool(conn, now))
    drawn = set_draw_record(conn, draw, record, at=now)
    check = verify_stored(drawn)
    if not check.matches:
        raise Conflict(f"the stored draw does not re-run: {check.discrepancies[0].detail}")
    write_audit(conn, at=now, actor=user.username, action="rule.drawn", subject=f"rule:{name}",
                details={"selected": len(record.selections), "seed": record.seed})
    return drawn


def verify_stored(draw: StoredDraw) -> Verification:
    """Re-run the stored record from its public inputs and the frozen eligible calls."""
    if draw.record is None:
        return Verification((Discrepancy("selection", "the sample is not drawn yet"),))
    return verify_draw(draw.record, draw.eligible)


def eligible_csv(draw: StoredDraw) -> str:
    """The frozen eligible calls as the CSV ``callops qa verify-draw --calls`` reads (formula-like text is
    neutralised with a leading apostrophe, which that reader removes again)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ELIGIBLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for call in draw.eligible:
        row = summary_to_json(call)
        duration = float(row["duration_s"])
        row["duration_s"] = str(int(duration)) if duration.is_integer() else repr(duration)
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()


def rules(conn: sa.Connection) -> list[StoredRule]:
    """Every filed rule (the public list: anyone signed in may read it)."""
    return list_rules(conn)


def public_draw(conn: sa.Connection, name: str) -> StoredDraw:
    """The draw of rule ``name`` (``NotFound`` before the freeze): anyone may read and verify it."""
    return get_draw(conn, name)


def _draw_or_none(conn: sa.Connection, name: str) -> StoredDraw | None:
    try:
        return get_draw(conn, name)
    except NotFound:
        return None


def rule_and_draw(conn: sa.Connection, name: str) -> tuple[StoredRule, StoredDraw | None]:
    """The rule ``name`` (``NotFound`` if none) and its draw (None before the freeze)."""
    return get_rule(conn, name), _draw_or_none(conn, name)


def rules_and_draws(conn: sa.Connection) -> list[tuple[StoredRule, StoredDraw | None]]:
    """Every filed rule with its draw (None before the freeze)."""
    return [(stored, _draw_or_none(conn, stored.rule.rule_id)) for stored in list_rules(conn)]


@dataclass(frozen=True, slots=True)
class RuleView:
    """One rule's public page: the rule, its draw (None before the freeze), the draw's verification (None
    before the draw) and who entered public randomness from which source."""

    stored: StoredRule
    draw: StoredDraw | None
    check: Verification | None
    entries: tuple[tuple[str, str], ...]


def rule_view(conn: sa.Connection, name: str) -> RuleView:
    """The rule ``name`` (``NotFound`` if none) and its public draw, verified against the frozen calls."""
    stored, draw = rule_and_draw(conn, name)
    check = verify_stored(draw) if draw is not None and draw.record is not None else None
    entries = tuple((r.actor, str(r.details.get("source", ""))) for r in list_audit(conn, subject=f"rule:{name}")
                    if r.action == "rule.random_entry")
    return RuleView(stored=stored, draw=draw, check=check, entries=entries)
