"""The database schema (SQLAlchemy Core). Alembic migrations in ``migrations/`` create it.

Datetimes are ``EpochMillis`` columns: BIGINT milliseconds since the epoch, UTC. ``calls``
and ``agent_intervals`` hold canonical records from every source; ``scenario`` is NULL for
real data and names a simulation run otherwise, so simulated calls never mix with real ones.
"""

from __future__ import annotations

import sqlalchemy as sa

from callops.metrics.preaggregates import BUCKET_MS, HOUR_MS, PRESETS, STORED
from callops.metrics.zones import DAY_MS
from callops.store.types import EpochMillis

__all__ = ["metadata", "calls", "agent_intervals", "agents", "teams", "queues", "agent_skills", "forecasts",
           "forecast_points", "staffing_plans", "staffing_plan_intervals", "scenarios", "qa_scorecards",
           "qa_sampling_rules", "qa_draws", "qa_evaluations", "qa_notes", "qa_appeals", "qa_audit", "qa_nominations",
           "qa_votes", "qa_duty", "site_settings",
           "users", "login_failures", "imports", "live_events", "live_feeds", "person_spells", "coaching_sessions",
           "campaigns", "campaign_contacts", "contact_consents", "dnc_numbers", "contact_attempts", "contact_policies",
           "campaign_journeys", "dial_previews",
           "rosters", "roster_shifts", "roster_changes", "sites", "audit_log", "import_jobs", "roster_inputs",
           "roster_rule_sets", "roster_jobs", "roster_requests", "saved_reports", "customers", "customer_phones",
           "tickets", "ticket_events", "callbacks", "desk_categories", "desk_scripts", "csat_surveys",
           "desk_contacts", "nesting_plans", "FULLTEXT_OBJECTS", "is_fulltext_object",
           "kpi_buckets", "kpi_buckets_queue", "kpi_buckets_queue_hour", "kpi_wait_bins", "kpi_wait_bins_queue",
           "kpi_wait_bins_queue_hour", "kpi_buckets_day", "kpi_wait_bins_day", "KPI_LEVELS", "kpi_bucket_ms",
           "data_generation", "data_generation_days"]

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

imports = sa.Table(
    "imports", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("imported_at", EpochMillis, nullable=False),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("duplicates", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("skipped", sa.Integer, nullable=False),
)

calls = sa.Table(
    "calls", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("source_call_id", sa.String(120), nullable=False),
    sa.Column("scenario", sa.String(80)),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("queue", sa.String(80)),
    sa.Column("call_type", sa.String(80)),
    sa.Column("caller_number", sa.String(64)),
    sa.Column("priority", sa.SmallInteger, nullable=False, default=0),
    sa.Column("started_at", EpochMillis, nullable=False),
    sa.Column("ivr_entered_at", EpochMillis),
    sa.Column("ivr_exited_at", EpochMillis),
    sa.Column("queue_entered_at", EpochMillis),
    sa.Column("answered_at", EpochMillis),
    sa.Column("ended_at", EpochMillis),
    sa.Column("wait_s", sa.Float),
    sa.Column("agent", sa.String(80)),
    sa.Column("talk_s", sa.Float, nullable=False, default=0.0),
    sa.Column("hold_s", sa.Float, nullable=False, default=0.0),
    sa.Column("acw_s", sa.Float, nullable=False, default=0.0),
    sa.Column("transfer_target", sa.String(80)),
    sa.Column("recording_ref", sa.String(400)),
    sa.Column("issue_category", sa.String(20)),
    sa.Column("issue_notes", sa.Text),
    sa.Column("issue_resolved", sa.Boolean),
    sa.Column("follow_up_due_at", EpochMillis),
    sa.Column("campaign", sa.String(80)),
    sa.Column("disposition", sa.String(40)),
    sa.Column("csat", sa.SmallInteger),
    sa.Column("import_id", sa.BigInteger),
    sa.Column("next_contact_gap_ms", sa.BigInteger),  # to the caller's next call, within 90 days (store.contact_gaps)
    sa.UniqueConstraint("source", "source_call_id"),
    sa.Index(None, "started_at"),
    sa.Index(None, "queue", "started_at"),
    sa.Index(None, "agent", "started_at"),
    sa.Index(None, "scenario", "started_at"),
)

agent_intervals = sa.Table(
    "agent_intervals", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("scenario", sa.String(80)),
    sa.Column("agent", sa.String(80), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("start_at", EpochMillis, nullable=False),
    sa.Column("end_at", EpochMillis, nullable=False),
    sa.Column("reason", sa.String(80)),
    sa.Column("queue", sa.String(80)),
    sa.Column("import_id", sa.BigInteger),
    sa.UniqueConstraint("source", "agent", "state", "start_at"),
    sa.Index(None, "agent", "start_at"),
    sa.Index(None, "start_at"),
    sa.Index(None, "scenario", "start_at"),
)

teams = sa.Table(
    "teams", metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("lead", sa.String(80)),
)

agents = sa.Table(
    "agents", metadata,
    sa.Column("agent_id", sa.String(80), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("team", sa.String(80), sa.ForeignKey("teams.name")),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
)

queues = sa.Table(
    "queues", metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("description", sa.String(200)),
    sa.Column("sl_threshold_s", sa.Integer, nullable=False, default=20),
    # the service-level target (percent answered within sl_threshold_s), the abandon target (percent of
    # offered at most) and the site whose zone and holiday calendar the queue follows: migration 0016
    sa.Column("sl_target_pct", sa.Float, nullable=False, default=80.0, server_default="80"),
    sa.Column("abandon_target_pct", sa.Float, nullable=False, default=5.0, server_default="5"),
    sa.Column("site", sa.String(80), sa.ForeignKey("sites.name")),
)

agent_skills = sa.Table(
    "agent_skills", metadata,
    sa.Column("agent_id", sa.String(80), sa.ForeignKey("agents.agent_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("skill", sa.String(80), primary_key=True),
    sa.Column("level", sa.SmallInteger, nullable=False, default=1),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.String(120)),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("agent_id", sa.String(80)),
    sa.Column("locale", sa.String(10), nullable=False, default="zh-CN"),
    sa.Column("tz", sa.String(60)),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    # raised to end every session and token of the user (logout, password, role, disable): migration 0009
    sa.Column("session_epoch", sa.Integer, nullable=False, default=0, server_default="0"),
)

login_failures = sa.Table(  # failed sign-ins, counted for throttling (callops.login_throttle); pruned as they age
    "login_failures", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(10), nullable=False),  # "user" or "address"
    sa.Column("key", sa.String(80), nullable=False),  # the user name as typed, or the client address
    sa.Column("failed_at", EpochMillis, nullable=False),
    sa.Index(None, "scope", "key", "failed_at"),
    sa.Index(None, "failed_at"),
)

# --- workforce: saved forecasts and staffing plans (versioned by name) ------------------------

forecasts = sa.Table(
    "forecasts", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
    sa.Column("queue", sa.String(80)),
    sa.Column("grain_min", sa.Integer, nullable=False),
    sa.Column("model", sa.String(80), nullable=False),
    sa.Column("accuracy", sa.JSON, nullable=False),  # backtest: model -> {"mase", "wape"}
    sa.Column("overrides", sa.JSON, nullable=False),  # manual adjustments kept with the forecast
    sa.Column("tz", sa.String(60), nullable=False),
    sa.UniqueConstraint("name", "version"),
)

forecast_points = sa.Table(
    "forecast_points", metadata,
    sa.Column("forecast_id", sa.BigInteger, sa.ForeignKey("forecasts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("interval_start_at", EpochMillis, primary_key=True),
    sa.Column("calls", sa.Float, nullable=False),
    sa.Column("lo", sa.Float),
    sa.Column("hi", sa.Float),
    sa.Column("aht_s", sa.Float),
)

staffing_plans = sa.Table(
    "staffing_plans", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
    sa.Column("forecast_id", sa.BigInteger, sa.ForeignKey("forecasts.id")),
    sa.Column("queue", sa.String(80)),
    sa.Column("interval_min", sa.Integer, nullable=False),
    sa.Column("targets", sa.JSON, nullable=False),  # service level, time, shrinkage, patience, ...
    sa.Column("note", sa.Text),
    sa.UniqueConstraint("name", "version"),
)

staffing_plan_intervals = sa.Table(
    "staffing_plan_intervals", metadata,
    sa.Column("plan_id", sa.BigInteger, sa.ForeignKey("staffing_plans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("interval_start_at", EpochMillis, primary_key=True),
    sa.Column("calls", sa.Float, nullable=False),
    sa.Column("aht_s", sa.Float, nullable=False),
    sa.Column("agents", sa.Integer, nullable=False),
    sa.Column("scheduled", sa.Integer, nullable=False),
    sa.Column("service_level", sa.Float, nullable=False),
    sa.Column("asa_s", sa.Float, nullable=False),
    sa.Column("p_abandon", sa.Float, nullable=False),
    sa.Column("occupancy", sa.Float, nullable=False),
)

# --- rosters: shifts of named agents, saved in versions by name; a published version is the one kept to --

rosters = sa.Table(
    "rosters", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
    sa.Column("first_day", sa.String(10), nullable=False),  # ISO dates in the roster's zone
    sa.Column("last_day", sa.String(10), nullable=False),
    sa.Column("tz", sa.String(64), nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),  # status, objective, bound, gap, shortfall, explanations
    sa.Column("published_at", EpochMillis),
    sa.Column("published_by", sa.String(80)),
    sa.UniqueConstraint("name", "version"),
)

roster_shifts = sa.Table(
    "roster_shifts", metadata,
    sa.Column("roster_id", sa.BigInteger, sa.ForeignKey("rosters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agent", sa.String(80), primary_key=True),
    sa.Column("start_at", EpochMillis, primary_key=True),
    sa.Column("end_at", EpochMillis, nullable=False),
    sa.Column("breaks", sa.JSON, nullable=False),  # [{start_at_ms, end_at_ms, kind, paid}]
    sa.Index(None, "agent", "start_at"),
)

roster_changes = sa.Table(  # every change to a roster: who, when, what
    "roster_changes", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("roster_id", sa.BigInteger, sa.ForeignKey("rosters.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("by", sa.String(80)),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Index(None, "roster_id", "at"),
)

# --- simulation: scenario runs whose calls sit in ``calls`` with ``scenario`` = name -----------

scenarios = sa.Table(
    "scenarios", metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
    sa.Column("definition", sa.JSON, nullable=False),  # the scenario as given (parsed YAML)
    sa.Column("replications", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),  # KPI -> {"mean", "ci95"}
)

# --- quality: scorecards, published sampling rules and draws, evaluations (versioned), appeals,
# the append-only audit log, the best-call library and QA-duty rotation -------------------------

qa_scorecards = sa.Table(
    "qa_scorecards", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("queue", sa.String(80)),
    sa.Column("campaign", sa.String(80)),
    sa.Column("definition", sa.JSON, nullable=False),  # sections, items, deduction catalogue
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
    sa.UniqueConstraint("name", "version"),
)

qa_sampling_rules = sa.Table(
    "qa_sampling_rules", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
    sa.Column("definition", sa.JSON, nullable=False),
    sa.Column("period_start_at", EpochMillis, nullable=False),
    sa.Column("period_end_at", EpochMillis, nullable=False),
    sa.Column("filed_at", EpochMillis, nullable=False),
    sa.Column("filed_by", sa.String(80), nullable=False),
    sa.Column("seed_commitment", sa.String(64), nullable=False),  # SHA-256 hex of the secret seed
    sa.Column("secret_seed", sa.String(200)),  # kept server-side; published only in the draw record (0005)
)

qa_draws = sa.Table(
    "qa_draws", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("rule_id", sa.BigInteger, sa.ForeignKey("qa_sampling_rules.id"), nullable=False, unique=True),
    sa.Column("frozen_at", EpochMillis, nullable=False),
    sa.Column("eligible_hash", sa.String(64), nullable=False),
    sa.Column("eligible", sa.JSON, nullable=False),  # the frozen eligible call list
    sa.Column("public_random", sa.String(200)),
    sa.Column("public_random_at", EpochMillis),  # when the public randomness was entered (0005)
    sa.Column("seed", sa.String(200)),  # revealed after the draw
    sa.Column("record", sa.JSON),  # the whole public draw record (selection, evaluators)
    sa.Column("drawn_at", EpochMillis),
)

qa_evaluations = sa.Table(
    "qa_evaluations", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("evaluation_key", sa.String(40), nullable=False),  # shared by all versions of one evaluation
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("call_id", sa.BigInteger, sa.ForeignKey("calls.id"), nullable=False),
    sa.Column("agent", sa.String(80), nullable=False),
    sa.Column("evaluator", sa.String(80), nullable=False),
    sa.Column("scorecard_id", sa.BigInteger, sa.ForeignKey("qa_scorecards.id"), nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),  # item -> answer, time marks, comments
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("failed", sa.Boolean, nullable=False),  # a critical item failed
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("draw_id", sa.BigInteger, sa.ForeignKey("qa_draws.id")),
    sa.Column("targeted", sa.Boolean, nullable=False, default=False),  # picked outside a published rule
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("reason", sa.String(200)),  # why this version exists (e.g. "appeal 4 upheld")
    sa.UniqueConstraint("evaluation_key", "version"),
    sa.Index(None, "agent", "created_at"),
    sa.Index(None, "evaluator", "created_at"),
)

qa_notes = sa.Table(
    "qa_notes", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("evaluation_key", sa.String(40), nullable=False, index=True),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # acknowledgement, agent_comment, coaching, follow_up
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("due_at", EpochMillis),
)

qa_appeals = sa.Table(
    "qa_appeals", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("evaluation_key", sa.String(40), nullable=False, index=True),
    sa.Column("agent", sa.String(80), nullable=False),
    sa.Column("evaluator", sa.String(80), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("state", sa.JSON, nullable=False),  # the appeal as the domain state machine sees it
    sa.Column("filed_at", EpochMillis, nullable=False),
    sa.Column("deadline_at", EpochMillis),
    sa.Column("decided_at", EpochMillis),
)

qa_audit = sa.Table(  # append-only: triggers refuse UPDATE and DELETE (migration 0004)
    "qa_audit", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(80), nullable=False),  # e.g. "appeal:4", "evaluation:ab12"
    sa.Column("details", sa.JSON, nullable=False),
)

qa_nominations = sa.Table(
    "qa_nominations", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.BigInteger, sa.ForeignKey("calls.id"), nullable=False),
    sa.Column("nominator", sa.String(80), nullable=False),  # never shown to agents
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("picked_by", sa.String(80)),
    sa.Column("picked_at", EpochMillis),
    sa.UniqueConstraint("call_id", "nominator"),
)

qa_votes = sa.Table(
    "qa_votes", metadata,
    sa.Column("nomination_id", sa.BigInteger, sa.ForeignKey("qa_nominations.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("voter", sa.String(80), primary_key=True),
    sa.Column("created_at", EpochMillis, nullable=False),
)

qa_duty = sa.Table(  # rotation of agents into QA duty: the qa role granted for a period
    "qa_duty", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("start_at", EpochMillis, nullable=False),
    sa.Column("end_at", EpochMillis, nullable=False),
    sa.Column("granted_by", sa.String(80), nullable=False),
)

site_settings = sa.Table(
    "site_settings", metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

data_generation = sa.Table(  # one row: raised in the transaction of every write KPI reads see (store.data_generation)
    "data_generation", metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
    sa.Column("whole", sa.BigInteger, nullable=False, server_default="0"),  # the last write that may touch any day
)

data_generation_days = sa.Table(  # per UTC day (epoch ms // 86,400,000): the generation of the last write touching it
    "data_generation_days", metadata,
    sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
)

live_events = sa.Table(  # the durable live event log (callops.live.events), appended before anything acts on it
    "live_events", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("call_id", sa.String(120)),
    sa.Column("queue", sa.String(80)),
    sa.Column("agent", sa.String(80)),
    sa.Column("caller", sa.String(64)),
    sa.Column("state", sa.String(20)),
    sa.Column("reason", sa.String(80)),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("appended_at", EpochMillis, nullable=False),
    sa.Index(None, "at"),
    sa.Index(None, "agent", "at"),
)

live_feeds = sa.Table(  # where each PBX feed follower is: byte offset, the file it belongs to, what it counted
    "live_feeds", metadata,
    sa.Column("feed", sa.String(300), primary_key=True),  # "<format>:<absolute path>" or "<protocol>:<host:port>"
    sa.Column("fingerprint", sa.String(64), nullable=False),  # hash of the file's first line: a rotated file differs
    sa.Column("offset", sa.BigInteger, nullable=False),  # bytes of complete lines written
    sa.Column("lines", sa.BigInteger, nullable=False),
    sa.Column("calls", sa.BigInteger, nullable=False),
    sa.Column("intervals", sa.BigInteger, nullable=False),
    sa.Column("events", sa.BigInteger, nullable=False),
    sa.Column("skipped", sa.BigInteger, nullable=False),  # lines skipped: unknown or informational events
    sa.Column("rejected", sa.BigInteger, nullable=False),  # lines that could not be read
    sa.Column("last_problem", sa.Text),
    sa.Column("status", sa.String(20), nullable=False),  # following, reconnecting, stopped
    sa.Column("updated_at", EpochMillis, nullable=False),
)

person_spells = sa.Table(  # people records (PII, view_pii): one row per position spell; see callops.people
    "person_spells", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("person", sa.String(80), sa.ForeignKey("agents.agent_id", ondelete="CASCADE"), nullable=False),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("end_on", sa.Date),  # the first day after the spell; NULL while it lasts
    sa.Column("team", sa.String(80), sa.ForeignKey("teams.name")),
    sa.Column("position", sa.String(20), nullable=False),
    sa.Column("contract", sa.String(40)),
    sa.Column("exit_reason", sa.String(20)),  # only on the last spell of a stint that ended
    sa.Column("destination", sa.String(120)),  # where a released person went
    sa.UniqueConstraint("person", "start_on"),
)

coaching_sessions = sa.Table(  # seed 004: QA as help; an evaluation leads to coaching, not only a deduction
    "coaching_sessions", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("agent", sa.String(80), sa.ForeignKey("agents.agent_id", ondelete="CASCADE"), nullable=False),
    sa.Column("lead", sa.String(80), nullable=False),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # coaching, one_to_one, recognition
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("call_ids", sa.JSON, nullable=False),
    sa.Column("evaluation_keys", sa.JSON, nullable=False),
    sa.Column("actions", sa.Text, nullable=False),
    sa.Column("follow_up_on", sa.Date),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Index(None, "agent", "held_on"),
)

nesting_plans = sa.Table(  # a new hire's nesting: easier skills and a buddy for [starts_on, ends_on) (issue 15)
    "nesting_plans", metadata,
    sa.Column("person", sa.String(80), sa.ForeignKey("agents.agent_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("starts_on", sa.Date, primary_key=True),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("skills", sa.JSON, nullable=False),  # {skill: level} while nesting
    sa.Column("buddy", sa.String(80)),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
)

# Outbound (issue 13): campaigns, their contact lists, consent and do-not-call records, attempts.
campaigns = sa.Table(
    "campaigns", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("purpose", sa.String(20), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("caller_number", sa.String(32), nullable=False),
    sa.Column("script", sa.Text, nullable=False),
    sa.Column("abandon_cap", sa.Float, nullable=False),
    sa.Column("retry", sa.JSON, nullable=False),  # outcome -> {after_min, max}
    sa.Column("created_at", EpochMillis, nullable=False),
)

campaign_contacts = sa.Table(
    "campaign_contacts", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    sa.Column("member", sa.String(80), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("zone", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(200), nullable=False),
    sa.UniqueConstraint("campaign_id", "member"),
)

contact_consents = sa.Table(
    "contact_consents", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("member", sa.String(80), nullable=False, index=True),
    sa.Column("channel", sa.String(10)),  # NULL = every channel
    sa.Column("purpose", sa.String(20)),  # NULL = every purpose
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
)

dnc_numbers = sa.Table(
    "dnc_numbers", metadata,
    sa.Column("phone", sa.String(32), primary_key=True),
    sa.Column("added_at", EpochMillis, nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
)

contact_attempts = sa.Table(
    "contact_attempts", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    sa.Column("member", sa.String(80), nullable=False),
    sa.Column("phone", sa.String(32)),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("agent", sa.String(80)),
    sa.Column("talk_s", sa.Float, nullable=False),
    sa.Column("wrap_s", sa.Float, nullable=False),
    sa.Index("ix_contact_attempts_campaign_id_at", "campaign_id", "at"),
    sa.Index("ix_contact_attempts_member_at", "member", "at"),
    sa.UniqueConstraint("campaign_id", "member", "channel", "at"),
)

# The site's contact policy (issue 13): every saved version kept, the newest in force (migration 0021).
contact_policies = sa.Table(
    "contact_policies", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("settings", sa.JSON, nullable=False),  # the mapping dialer.policy.policy_from_mapping reads
    sa.Column("saved_at", EpochMillis, nullable=False),
    sa.Column("saved_by", sa.String(80), nullable=False),
    sa.Column("note", sa.String(200), nullable=False),
)

# Each campaign's stored journey (the mapping dialer.journeys.journey_from_mapping reads; migration 0024).
campaign_journeys = sa.Table(
    "campaign_journeys", metadata,
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("saved_at", EpochMillis, nullable=False),
    sa.Column("saved_by", sa.String(80), nullable=False),
)

# The preview dialer's cards (migration 0024): a contact shown to an agent, then accepted (dialed), skipped with a
# reason (no call: not a contact attempt), timed out (auto-dialed) or withdrawn (the agent left ready, the run ended).
dial_previews = sa.Table(
    "dial_previews", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    sa.Column("agent", sa.String(80), nullable=False),
    sa.Column("member", sa.String(80), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("offered_at", EpochMillis, nullable=False),
    sa.Column("decision", sa.String(20)),  # NULL while open; accepted | skipped | timeout | withdrawn
    sa.Column("reason", sa.String(40)),  # a skip's reason
    sa.Column("decided_at", EpochMillis),
    sa.Column("reoffered_because", sa.String(20)),  # migration 0026: NULL on a first offer; pbx_unreachable
    sa.Index("ix_dial_previews_agent_decision", "agent", "decision"),
)


# --- site administration (migration 0016) ------------------------------------------------------

sites = sa.Table(  # a site: its zone and the holiday calendar its queues' forecasts use
    "sites", metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("tz", sa.String(60), nullable=False),
    sa.Column("holidays", sa.String(10)),  # a country code of callops.forecast.calendar; NULL: no calendar
)

audit_log = sa.Table(  # append-only: every administrative change, who and when, before -> after
    "audit_log", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("entity", sa.String(20), nullable=False),  # user, team, agent, queue, site
    sa.Column("entity_key", sa.String(120), nullable=False),  # the user name, team name, agent id, ...
    sa.Column("action", sa.String(40), nullable=False),  # e.g. user.created, queue.saved
    sa.Column("before", sa.JSON),  # NULL when created
    sa.Column("after", sa.JSON),
    sa.Index(None, "at"),
    sa.Index(None, "entity", "entity_key"),
)


import_jobs = sa.Table(  # imports started from the web page, run by a worker thread: progress, then the result
    "import_jobs", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("status", sa.String(10), nullable=False),  # queued, running, done, failed
    sa.Column("phase", sa.String(10), nullable=False),  # queued, reading, writing, finished
    sa.Column("file_name", sa.String(200), nullable=False),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("zone", sa.String(64), nullable=False),
    sa.Column("encoding", sa.String(20), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("done_bytes", sa.BigInteger, nullable=False),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("updated_at", EpochMillis, nullable=False),
    sa.Column("finished_at", EpochMillis),
    sa.Column("result", sa.JSON),  # ImportReport.as_dict() once done
    sa.Column("error", sa.Text),  # why it failed (file, line, field), nothing written
    sa.Column("rejects_csv", sa.Text),  # the rejects file (UTF-8 CSV), bounded
    sa.Index(None, "created_at"),
)


# --- roster builds from the web and shift requests: what a roster was solved from (agents, requirement,
# rules), stored rule files, background solve jobs, and agents' swap and time-off requests -------------

roster_inputs = sa.Table(  # what a saved roster version was solved from, so it can be checked and charted later
    "roster_inputs", metadata,
    sa.Column("roster_id", sa.BigInteger, sa.ForeignKey("rosters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agents", sa.JSON, nullable=False),  # [{agent, contract, skills, weekly_hours, unavailable, ...}]
    sa.Column("requirements", sa.JSON, nullable=False),  # [[local ISO start, required, skill]]
    sa.Column("rules_text", sa.Text),  # the rules YAML; NULL: the China default
)

roster_rule_sets = sa.Table(  # working-time rules files kept by name for the roster build form
    "roster_rule_sets", metadata,
    sa.Column("name", sa.String(120), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
)

roster_jobs = sa.Table(  # a roster solve run in the background: queued, running, done or failed
    "roster_jobs", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False),  # the roster it saves (the next version)
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
    sa.Column("started_at", EpochMillis),
    sa.Column("finished_at", EpochMillis),
    sa.Column("params", sa.JSON, nullable=False),  # first_day, last_day, tz, time_limit_s, sources
    sa.Column("agents", sa.JSON, nullable=False),
    sa.Column("requirements", sa.JSON, nullable=False),
    sa.Column("rules_text", sa.Text),
    sa.Column("roster_version", sa.Integer),
    sa.Column("summary", sa.JSON),
    sa.Column("error", sa.Text),
    sa.Index(None, "status", "created_at"),
)

roster_requests = sa.Table(  # an agent's shift swap or time off: asked, accepted by the colleague, decided
    "roster_requests", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("roster_id", sa.BigInteger, sa.ForeignKey("rosters.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # swap or time_off
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("agent", sa.String(80), nullable=False),  # who asks
    sa.Column("start_at", EpochMillis, nullable=False),  # the asker's shift
    sa.Column("other_agent", sa.String(80)),  # swap: the colleague
    sa.Column("other_start_at", EpochMillis),  # swap: the colleague's shift
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("created_by", sa.String(80)),
    sa.Column("answered_at", EpochMillis),  # the colleague accepted or declined
    sa.Column("decided_at", EpochMillis),
    sa.Column("decided_by", sa.String(80)),
    sa.Column("outcome", sa.JSON, nullable=False),  # why refused: [{agent, rule, date, detail}], or a reason
    sa.Index(None, "roster_id", "status"),
    sa.Index(None, "agent"),
    sa.Index(None, "other_agent"),
)


saved_reports = sa.Table(
    "saved_reports", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(80), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),  # the builder's query without its range
    sa.Column("start_day", sa.Date),  # the range of an unscheduled report; scheduled ones cover the last period
    sa.Column("end_day", sa.Date),
    sa.Column("schedule", sa.String(10), nullable=False),  # none, daily, weekly
    sa.Column("delivery", sa.String(10), nullable=False),  # none, folder, email
    sa.Column("recipients", sa.String(500), nullable=False, default=""),
    sa.Column("file_format", sa.String(10), nullable=False),  # csv, csv-gb18030, xlsx
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("tz", sa.String(64), nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("last_period", sa.String(40)),  # the last period delivered: 1999-01-04 or 1999-W01
    sa.Column("last_run_at", EpochMillis),
    sa.Column("last_error", sa.Text),
    sa.UniqueConstraint("owner", "name"),
)


# Service desk (issue 16): customers keyed by normalised phone numbers, tickets with their audited events,
# callbacks (回访). See callops.desk for the rules and docs/desk.md.
customers = sa.Table(  # name and notes are PII (view_pii)
    "customers", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200)),
    sa.Column("notes", sa.Text),
    sa.Column("created_at", EpochMillis, nullable=False),
)

customer_phones = sa.Table(  # E.164 numbers (callops.dialer.phones.normalise_phone); linking merges customers
    "customer_phones", metadata,
    sa.Column("phone", sa.String(32), primary_key=True),
    sa.Column("customer_id", sa.BigInteger, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("added_at", EpochMillis, nullable=False),
)

tickets = sa.Table(
    "tickets", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("ref", sa.String(80), nullable=False, unique=True),  # the ticket's key (imported or T<id>)
    sa.Column("customer_id", sa.BigInteger, sa.ForeignKey("customers.id")),
    sa.Column("phone", sa.String(32)),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("priority", sa.String(10), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("owner", sa.String(80)),  # an agent id
    sa.Column("team", sa.String(80)),
    sa.Column("department", sa.String(80)),  # another department it waits for (seed 003's interfaces)
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("opened_at", EpochMillis, nullable=False),
    sa.Column("first_response_at", EpochMillis),
    sa.Column("response_due_at", EpochMillis),
    sa.Column("resolution_due_at", EpochMillis),
    sa.Column("resolved_at", EpochMillis),
    sa.Column("closed_at", EpochMillis),
    sa.Column("escalated", sa.Boolean, nullable=False),
    sa.Column("escalation_level", sa.SmallInteger, nullable=False),
    sa.Column("wants_escalation", sa.Boolean, nullable=False),
    sa.Column("contacts", sa.Integer, nullable=False),
    sa.Column("updated_at", EpochMillis, nullable=False),
    sa.Column("import_id", sa.BigInteger),
    sa.Column("category_key", sa.String(40)),  # the node of the category tree (desk_categories); NULL: top level
    sa.Index(None, "opened_at"),
    sa.Index(None, "state", "opened_at"),
    sa.Index(None, "category", "opened_at"),
    sa.Index(None, "state", "category", "opened_at"),
    sa.Index(None, "owner", "state"),
    sa.Index(None, "customer_id", "opened_at"),
)

ticket_events = sa.Table(  # every change of a ticket: who, when, what (one transaction with the change)
    "ticket_events", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.BigInteger, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # opened, transition, note, update, escalated, imported
    sa.Column("from_state", sa.String(20)),
    sa.Column("to_state", sa.String(20)),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Index(None, "ticket_id", "at"),
)

callbacks = sa.Table(  # 回访: from tickets, abandoned calls and the IVR's callback option
    "callbacks", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.BigInteger, sa.ForeignKey("customers.id")),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.BigInteger, sa.ForeignKey("tickets.id", ondelete="CASCADE")),
    sa.Column("call_id", sa.BigInteger),  # the abandoned or IVR call it answers
    sa.Column("source", sa.String(20), nullable=False),  # ticket, abandoned, ivr, agent
    sa.Column("due_at", EpochMillis, nullable=False),
    sa.Column("owner", sa.String(80)),
    sa.Column("status", sa.String(20), nullable=False),  # open, done, failed, cancelled
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(40)),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("done_at", EpochMillis),
    sa.UniqueConstraint("source", "call_id"),
    sa.Index(None, "status", "due_at"),
    sa.Index(None, "customer_id", "due_at"),
    sa.Index(None, "owner", "status", "due_at"),
)

# The desk's configurable category tree (two levels; each node has a kind, one of the six fixed categories that
# SLAs, escalation and the ticket KPIs use), knowledge scripts per category, post-call surveys, and the agent's
# saved contact forms with the after-call work they measured (migration 0023).
desk_categories = sa.Table(
    "desk_categories", metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("parent", sa.String(40), sa.ForeignKey("desk_categories.key")),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("label_en", sa.String(80), nullable=False),
    sa.Column("label_zh", sa.String(80), nullable=False),
    sa.Column("sort", sa.Integer, nullable=False),
    sa.Column("created_at", EpochMillis, nullable=False),
    sa.Column("retired_at", EpochMillis),  # retired: no longer offered; tickets keep it
)

desk_scripts = sa.Table(  # short answers / scripts per category, searchable from the agent screen
    "desk_scripts", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("category_key", sa.String(40), sa.ForeignKey("desk_categories.key"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("language", sa.String(10), nullable=False),  # zh-CN or en: decides the reading-time unit
    sa.Column("updated_at", EpochMillis, nullable=False),
    sa.Column("updated_by", sa.String(80), nullable=False),
    sa.Column("retired_at", EpochMillis),
    # callops.desk.search_terms.index_terms(title, body), kept by store.desk_catalog; the full-text index over it
    # is dialect-specific and lives outside this metadata (FULLTEXT_OBJECTS, migration 0025)
    sa.Column("search_terms", sa.Text, nullable=False, server_default=""),
    sa.Index(None, "category_key", "retired_at"),
)

# The scripts' full-text index, made by migration 0025 and unknown to this metadata (autogenerate leaves them
# alone): on PostgreSQL a GIN index over the terms as an array, on SQLite an FTS5 table (with its shadow tables)
# kept by triggers on desk_scripts.
FULLTEXT_OBJECTS = ("ix_desk_scripts_search_terms", "desk_scripts_fts")


def is_fulltext_object(name: str | None) -> bool:
    """Whether a reflected table, index or trigger belongs to the scripts' full-text index."""
    return name is not None and any(name == n or name.startswith(n + "_") for n in FULLTEXT_OBJECTS)


csat_surveys = sa.Table(  # one post-call survey per call; its score is also the call's csat (the KPI reads that)
    "csat_surveys", metadata,
    sa.Column("call_id", sa.BigInteger, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("score", sa.SmallInteger, nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),  # ivr or sms
    sa.Column("at", EpochMillis, nullable=False),
    sa.Column("entered_by", sa.String(80), nullable=False),  # import or the agent's user name
    sa.Column("import_id", sa.BigInteger),
)

desk_contacts = sa.Table(  # each saved contact form: what the agent recorded and the after-call work it ended
    "desk_contacts", metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("agent", sa.String(80)),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("live_call_id", sa.String(120)),
    sa.Column("phone", sa.String(32)),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("category_key", sa.String(40)),
    sa.Column("ticket_id", sa.BigInteger, sa.ForeignKey("tickets.id", ondelete="SET NULL")),
    sa.Column("resolved", sa.Boolean, nullable=False),
    sa.Column("call_ended_at", EpochMillis),
    sa.Column("saved_at", EpochMillis, nullable=False),
    sa.Column("acw_s", sa.Float),  # saved_at - call_ended_at; NULL when the call's end is unknown
    sa.Index(None, "saved_at"),
    sa.Index(None, "agent", "saved_at"),
)

# The customer timeline reads a caller's calls by number; the agent screen's pop finds a live call's caller by id.
sa.Index("ix_calls_caller_number_started_at", calls.c.caller_number, calls.c.started_at)
sa.Index("ix_live_events_call_id_at", live_events.c.call_id, live_events.c.at)

# --- KPI pre-aggregates (callops.store.kpi_aggregates keeps them; `callops db rebuild-aggregates`) ----------
# Per UTC bucket (``bucket_at``, epoch ms), scenario and dimension values: one column per stored measure
# (callops.metrics.preaggregates.STORED), and wait-time histograms (``kind`` numbers BINNED). Four levels: per
# 15 minutes by queue, call type, priority and source with the agent (agent and team reports, a team lead's
# scope) and without (reports by those dimensions), per hour by queue alone (the dashboard and reports by
# queue over days to years in whole-hour zones), and per UTC day by queue, call type, priority and source (the
# whole UTC days of weeks to years; kpi_aggregates reads the ragged edges a zone's offset leaves from a finer
# level). Each table's bucket width is in its ``info`` (kpi_bucket_ms).


_KPI_DIMS = ("queue", "call_type", "priority", "source", "agent")  # each level keeps some of these


def _kpi_dims(dims: tuple[str, ...]) -> list[sa.Column[object]]:
    columns: dict[str, sa.Column[object]] = {
        "queue": sa.Column("queue", sa.String(80)), "call_type": sa.Column("call_type", sa.String(80)),
        "priority": sa.Column("priority", sa.SmallInteger, nullable=False),
        "source": sa.Column("source", sa.String(40), nullable=False), "agent": sa.Column("agent", sa.String(80))}
    return [sa.Column("bucket_at", sa.BigInteger, nullable=False), sa.Column("scenario", sa.String(80)),
            *(columns[d] for d in _KPI_DIMS if d in dims)]


def _kpi_buckets(name: str, dims: tuple[str, ...], bucket_ms: int) -> sa.Table:
    measures = [sa.Column(m.name, sa.Float if m.agg == "max" else sa.BigInteger, nullable=m.agg == "max")
                for m in (*STORED, *PRESETS)]  # counts; sums in whole microseconds; maxima in seconds
    return sa.Table(name, metadata, *_kpi_dims(dims), *measures, sa.Index(None, "scenario", "bucket_at"),
                    info={"bucket_ms": bucket_ms})


def _kpi_wait_bins(name: str, dims: tuple[str, ...], bucket_ms: int) -> sa.Table:
    return sa.Table(name, metadata, *_kpi_dims(dims), sa.Column("kind", sa.SmallInteger, nullable=False),
                    sa.Column("bin", sa.Integer, nullable=False), sa.Column("n", sa.BigInteger, nullable=False),
                    sa.Index(None, "scenario", "bucket_at"), info={"bucket_ms": bucket_ms})


def kpi_bucket_ms(table: sa.Table) -> int:
    """The width of a pre-aggregate table's buckets (ms)."""
    return int(table.info["bucket_ms"])


_BY_AGENT, _BY_QUEUE = _KPI_DIMS, _KPI_DIMS[:-1]
kpi_buckets = _kpi_buckets("kpi_buckets", _BY_AGENT, BUCKET_MS)
kpi_buckets_queue = _kpi_buckets("kpi_buckets_queue", _BY_QUEUE, BUCKET_MS)
kpi_buckets_queue_hour = _kpi_buckets("kpi_buckets_queue_hour", ("queue",), HOUR_MS)
kpi_wait_bins = _kpi_wait_bins("kpi_wait_bins", _BY_AGENT, BUCKET_MS)
kpi_wait_bins_queue = _kpi_wait_bins("kpi_wait_bins_queue", _BY_QUEUE, BUCKET_MS)
kpi_wait_bins_queue_hour = _kpi_wait_bins("kpi_wait_bins_queue_hour", ("queue",), HOUR_MS)
kpi_buckets_day = _kpi_buckets("kpi_buckets_day", _BY_QUEUE, DAY_MS)
kpi_wait_bins_day = _kpi_wait_bins("kpi_wait_bins_day", _BY_QUEUE, DAY_MS)
KPI_LEVELS: tuple[tuple[sa.Table, sa.Table], ...] = (
    (kpi_buckets_day, kpi_wait_bins_day), (kpi_buckets_queue_hour, kpi_wait_bins_queue_hour),
    (kpi_buckets_queue, kpi_wait_bins_queue), (kpi_buckets, kpi_wait_bins),
)  # coarsest first; the last is the finest (from calls), and every other level's dimensions are among it and
#    its bucket a multiple of a later level's holding its dimensions (kpi_aggregates fills it from that one)
