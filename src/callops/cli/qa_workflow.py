"""``callops qa rules ...``, ``qa evaluations``, ``qa appeals``: the stored QA workflow from the command line.

Commands that change something act as a stored user (``--as USERNAME``), with that user's rights, on
the database named by CALLOPS_DATABASE_URL; the time is the wall clock.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import sqlalchemy as sa

from callops.cli._context import engine
from callops.cli._output import echo_json, echo_table
from callops.errors import InvalidInput, NotFound
from callops.services.accounts import User, account
from callops.services.qa_sampling import (
    draw_rule,
    eligible_csv,
    enter_randomness,
    file_rule,
    freeze_rule,
    public_draw,
    rules_and_draws,
    verify_stored,
)
from callops.store.qa_reviews import evaluation_keys, list_appeals, load_evaluations
from callops.yaml_input import load_yaml

__all__ = ["register"]


EXTENDS = "qa"  # loaded right after callops.cli.qa, whose group this module adds to


def register(group: click.Group) -> None:
    qa = group.commands.get("qa")
    if not isinstance(qa, click.Group):
        raise RuntimeError("the qa command group must be registered before qa_workflow")
    qa.add_command(rules)
    qa.add_command(evaluations)
    qa.add_command(appeals)


def _now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _user(conn: sa.Connection, username: str) -> User:
    return account(conn, username)


AS_USER = click.option("--as", "as_user", required=True, help="Act as this stored user (their rights apply).")


@click.group()
def rules() -> None:
    """Published sampling rules in the database: file, freeze, public randomness, draw, export."""


@rules.command("list")
@click.option("--json", "as_json", is_flag=True)
def rules_list(as_json: bool) -> None:
    """Filed rules with their seed commitments and how far each has got."""
    with engine().connect() as conn:
        rows = []
        for stored, draw in rules_and_draws(conn):
            stage = "filed" if draw is None else (
                "drawn" if draw.record else ("randomness" if draw.public_random else "frozen"))
            rows.append({"rule": stored.rule.rule_id, "period_start": stored.rule.period_start.isoformat(),
                         "period_end": stored.rule.period_end.isoformat(), "stage": stage,
                         "seed_commitment": stored.seed_commitment})
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["rule", "period_start", "period_end", "stage", "seed_commitment"])


@rules.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS_USER
def rules_file(path: Path, as_user: str) -> None:
    """File the rule in PATH (YAML or JSON, the published form; filed_at is now) and print its commitment."""
    data = load_yaml(path.read_text(encoding="utf-8"), file=str(path))
    if not isinstance(data, dict):
        raise InvalidInput("a rule is a mapping", file=str(path))
    data.pop("filed_at", None)
    with engine().begin() as conn:
        stored = file_rule(conn, _user(conn, as_user), data, now=_now())
    click.echo(f"{stored.rule.rule_id} filed; seed commitment {stored.seed_commitment}")


@rules.command("freeze")
@click.argument("name")
@AS_USER
def rules_freeze(name: str, as_user: str) -> None:
    """Freeze the eligible calls of NAME (after its period) and print their hash."""
    with engine().begin() as conn:
        draw = freeze_rule(conn, _user(conn, as_user), name, now=_now())
    click.echo(f"{len(draw.eligible)} eligible calls, SHA-256 {draw.eligible_hash}")


@rules.command("random")
@click.argument("name")
@click.argument("value")
@click.option("--source", type=click.Choice(["dice", "beacon"]), default="dice", show_default=True)
@AS_USER
def rules_random(name: str, value: str, source: str, as_user: str) -> None:
    """Enter public randomness for NAME; dice count once two people typed the same VALUE."""
    with engine().begin() as conn:
        _, status = enter_randomness(conn, _user(conn, as_user), name, value, now=_now(), source=source)
    click.echo(status)


@rules.command("draw")
@click.argument("name")
@AS_USER
def rules_draw(name: str, as_user: str) -> None:
    """Draw NAME's sample, assign QAs, reveal the seed."""
    with engine().begin() as conn:
        draw = draw_rule(conn, _user(conn, as_user), name, now=_now())
    assert draw.record is not None
    echo_table([{"call_id": s.call_id, "agent": s.agent, "group": s.group, "evaluator": s.evaluator or ""}
                for s in draw.record.selections], ["call_id", "agent", "group", "evaluator"])


@rules.command("export")
@click.argument("name")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True)
def rules_export(name: str, out_dir: Path) -> None:
    """Write NAME-draw.json and NAME-eligible.csv for `callops qa verify-draw`, and say whether it matches."""
    with engine().connect() as conn:
        draw = public_draw(conn, name)
    if draw.record_json is None:
        raise NotFound(f"rule {name!r} is not drawn yet")
    targets = [out_dir / f"{name}-draw.json", out_dir / f"{name}-eligible.csv"]
    if any(t.resolve().parent != out_dir.resolve() for t in targets):
        raise InvalidInput(f"rule {name!r} would write outside {out_dir}", field="name")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}-draw.json").write_text(json.dumps(draw.record_json, indent=1, ensure_ascii=False),
                                               encoding="utf-8")
    (out_dir / f"{name}-eligible.csv").write_text(eligible_csv(draw), encoding="utf-8")
    verdict = "matches" if verify_stored(draw).matches else "DIFFERS"
    click.echo(f"wrote {name}-draw.json and {name}-eligible.csv; the stored draw {verdict}")


@click.command("evaluations")
@click.option("--agent", help="Only this agent's evaluations.")
@click.option("--json", "as_json", is_flag=True)
def evaluations(agent: str | None, as_json: bool) -> None:
    """Stored evaluations at their current version, newest first."""
    with engine().connect() as conn:
        rows = [{"evaluation": s.evaluation.evaluation_id, "call_id": s.call_pk, "agent": s.evaluation.agent,
                 "qa": s.evaluation.evaluator, "score": s.evaluation.current.result.score,
                 "version": s.evaluation.current.version, "targeted": s.targeted, "decided": s.evaluation.decided}
                for s in load_evaluations(conn, evaluation_keys(conn, agent=agent))]
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["evaluation", "call_id", "agent", "qa", "score", "version", "targeted", "decided"])


@click.command("appeals")
@click.option("--state", type=click.Choice(["filed", "returned", "under_review", "decided"]))
@click.option("--json", "as_json", is_flag=True)
def appeals(state: str | None, as_json: bool) -> None:
    """Stored appeals, oldest first."""
    with engine().connect() as conn:
        rows = [{"appeal": a.appeal_id, "evaluation": a.evaluation_id, "agent": a.agent, "qa": a.evaluator,
                 "state": a.state.value, "decision": a.decision.value if a.decision else "",
                 "items": ",".join(a.disputed_items), "views": len(a.views)}
                for a in list_appeals(conn, status=state)]
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["appeal", "evaluation", "agent", "qa", "state", "decision", "items", "views"])
