"""Why callops refused or skipped something, in the viewer's language: the one table from reason texts to
message keys.

Domain code, services and importers speak English sentences (the CLI prints them as raised). The web shows
each through ``say_reason`` (``say_reason(text)`` in templates): the first entry of ``REASON_KEYS`` whose pattern
matches gives the message key, rendered with the parts the pattern names (``(?P<rule>...)`` fills ``{rule}``).
A *located* entry also reads an importer's "file, line N: " prefix and renders it as ``{where}``. A text no
entry knows is shown as raised, so a new reason is never hidden, only untranslated until it gets a line here.

Each pattern is written once, as the source words the reason, beside a comment naming the source.
``tests/test_web_reason_keys.py`` checks that every key is in both catalogs with the placeholders its pattern
fills, that every pattern still matches a text the code can produce (a reworded reason fails instead of
silently falling back to English), and that the modules it lists as translated raise no reason without an
entry here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callops.web.i18n import Translator

__all__ = ["REASON_KEYS", "ReasonKey", "say_reason"]

# an importer's "file, line N: " in front of a notice (the line is optional)
_WHERE = r"^(?P<where>.+?)(?:, line (?P<line>\d+))?: "


@dataclass(frozen=True, slots=True)
class ReasonKey:
    """A reason pattern (``body``, as the source words it) and the message key it renders."""

    body: str
    key: str
    located: bool  # the text starts with an importer's "file, line N: " (``pattern`` reads it as ``where``)
    pattern: re.Pattern[str]


def _k(body: str, key: str, *, located: bool = False) -> ReasonKey:
    return ReasonKey(body, key, located, re.compile(_WHERE + body.removeprefix("^") if located else body))


REASON_KEYS: tuple[ReasonKey, ...] = (
    # web forms and dates at the edge (web/form_input.py, web/filters.py, callops/dates.py)
    _k(r"^not a number$", "error.not_a_number"),
    _k(r"^too long$", "error.too_long"),
    _k(r"is not a date \(YYYY-MM-DD\)$", "error.v.date_parsing"),
    _k(r"is not a date \(YYYY-MM-DD\) or an ISO datetime$", "error.v.datetime_parsing"),
    _k(r"^a name has at most \d+ characters", "error.name_too_long"),
    _k(r"^a name cannot hold ", "error.name_characters"),
    _k(r"^give a whole number of calls from 1 to 100000$", "error.calls_count"),
    _k(r"is not a time zone$", "error.time_zone"),
    _k(r"^the range ends \(.*\) before it starts", "error.range_order"),
    _k(r"^rule (?P<rule>.+): filed at (?P<at>\S+), after the filing deadline (?P<deadline>\S+) "
       r"\((?P<notice>.+) before the period starts\)$", "error.rule_deadline"),
    _k(r"^give both from and to \(YYYY-MM-DD, inclusive\)$", "error.both_dates"),
    _k(r"^this user is not linked to an agent$", "error.no_agent"),
    _k(r"^no people record for (?P<who>.+)$", "error.no_people_record"),
    # any value typed or read (forms, QA answers, importers' fields)
    _k(r"^(?P<value>.+?) is not a number$", "refusal.not_a_number"),
    # the outbound contact policy's validator (dialer/policy.py)
    _k(r"the window would never open$", "outbound.perr.window_never_opens"),
    _k(r"the rules contradict$", "outbound.perr.caps_contradict"),
    _k(r"is not a time HH:MM$", "outbound.perr.time"),
    _k(r"must be a whole number from 0$", "outbound.perr.whole_number"),
    _k(r"is not a length like", "outbound.perr.length"),
    _k(r"^longer than a year$", "outbound.perr.length"),
    _k(r"^unknown zone|must be an IANA zone name", "outbound.perr.zone"),
    _k(r"must be a number of hours", "outbound.perr.hours"),
    _k(r"is not a date YYYY-MM-DD$|must be a list of at most \d+ dates", "outbound.perr.date"),
    _k(r"is not one of call, sms, email$", "outbound.perr.channel"),
    _k(r"^a second cap named", "outbound.perr.duplicate_cap"),
    _k(r"two-letter country code", "outbound.perr.calendar"),
    _k(r"^the policy must be a mapping of settings$", "outbound.perr.mapping"),
    _k(r"^must be \{start: 'HH:MM', end: 'HH:MM'\}$", "outbound.perr.window_shape"),
    _k(r"^must be a list of at most (?P<most>\d+) \{channel, limit, window\}$", "outbound.perr.caps_list"),
    _k(r"^must have exactly channel, limit and window$", "outbound.perr.cap_fields"),
    # files and settings read from YAML (dialer/policy.py, dialer/journeys.py, services/roster_rules.py, ...)
    _k(r"^larger than (?P<size>\d+ (?:bytes|KiB|MiB))$", "refusal.larger_than"),
    _k(r"^not valid YAML: (?P<detail>.+)$", "refusal.not_yaml"),
    _k(r"^YAML aliases \(\*(?P<anchor>[^)]*)\) are not accepted", "refusal.yaml_aliases"),
    _k(r"^unknown setting \(known: (?P<known>.+)\)$", "refusal.unknown_setting"),
    _k(r"^true or false$", "refusal.true_or_false"),
    # QA: evaluating and correcting (web/routes/_quality_shared.py, services/qa_reviews.py, quality/evaluations.py)
    _k(r"^choose yes or no$", "refusal.yes_or_no"),
    _k(r"^'(?P<mark>.*)' is not a time mark like 75 or 1:15$", "refusal.time_mark"),
    _k(r"^time marks are not negative$", "refusal.time_mark_negative"),
    _k(r"^you evaluated this call already \(evaluation (?P<evaluation>\S+)\); correct that one instead$",
       "refusal.evaluated_already"),
    _k(r"^call (?P<call>\d+) reached no agent; there is nobody to evaluate$", "refusal.no_agent_call"),
    _k(r"^a new version needs a reason$", "refusal.version_reason"),
    _k(r"^evaluation (?P<evaluation>\S+) is decided; nobody edits it$", "refusal.decided_no_edit"),
    _k(r"^evaluation (?P<evaluation>\S+) is decided; it cannot be appealed again$", "refusal.decided_no_appeal"),
    _k(r"^only a QA scores calls; (?P<who>.+) acts as (?P<role>\S+)$", "refusal.qa_scores"),
    _k(r"^nobody evaluates their own call$", "refusal.own_call"),
    _k(r"^a new version cannot predate the current one$", "refusal.version_predates"),
    _k(r"^only the evaluating QA \((?P<who>.+)\) corrects this evaluation$", "refusal.evaluator_corrects"),
    _k(r"^an agent acknowledges or comments$", "refusal.ack_or_comment"),
    _k(r"^no evaluation (?P<evaluation>.+)$", "refusal.no_evaluation"),
    _k(r"^no appeal (?P<appeal>.+)$", "refusal.no_appeal"),
    _k(r"^(?P<who>.+) is neither a QA nor on QA duty now$", "refusal.not_on_duty"),
    _k(r"^only the evaluated agent does this$", "refusal.evaluated_agent_only"),
    _k(r"^the (?P<role>\S+) role sees only the evaluations of their own teams$", "refusal.own_teams_evaluations"),
    _k(r"^agents see only their own evaluations here$", "refusal.own_evaluations"),
    _k(r"^give an aware start and a later end$", "refusal.period_order"),
    # QA: the rule's public draw (services/qa_sampling.py, quality/draws.py)
    _k(r"^the period of rule '(?P<rule>.+)' ends at (?P<at>\S+); freeze after that$", "refusal.freeze_early"),
    _k(r"^the eligible calls cannot be frozen before the period ends \((?P<at>\S+)\)$", "refusal.freeze_before_end"),
    _k(r"^enter the dice or beacon value \(1-200 characters\)$", "refusal.random_value"),
    _k(r"^the source is dice or beacon$", "refusal.random_source"),
    _k(r"^freeze the eligible calls of rule '(?P<rule>.+)' first$", "refusal.freeze_first"),
    _k(r"^the public randomness must arrive after the freeze$", "refusal.random_after_freeze"),
    _k(r"^the public randomness of rule '(?P<rule>.+)' is entered already$", "refusal.random_entered"),
    _k(r"^enter the public randomness of rule '(?P<rule>.+)' before drawing$", "refusal.random_before_draw"),
    _k(r"^rule '(?P<rule>.+)' has no secret seed on this server$", "refusal.no_seed"),
    _k(r"^the stored draw does not re-run: (?P<detail>.+)$", "refusal.draw_rerun"),
    # QA: notes, appeals and the panel (services/qa_reviews.py, quality/appeals.py)
    _k(r"^the comment is empty$", "refusal.comment_empty"),
    _k(r"^the note is empty$", "refusal.note_empty"),
    _k(r"^a follow-up is due in the future$", "refusal.due_future"),
    _k(r"^appeal (?P<appeal>\S+) on this evaluation is still open$", "refusal.appeal_open"),
    _k(r"^the appeal deadline passed at (?P<at>\S+)$", "refusal.appeal_deadline"),
    _k(r"^name at least one disputed item$", "refusal.disputed_items"),
    _k(r"^say why the score is disputed$", "refusal.appeal_reason"),
    _k(r"^say why the appeal is returned$", "refusal.return_reason"),
    _k(r"^appeal (?P<appeal>\S+) is (?P<state>\S+); cannot .+$", "refusal.appeal_state"),
    _k(r"^the (?P<role>\S+) on the panel has already recorded a view$", "refusal.view_recorded"),
    _k(r"^the panel has not finished: no view yet from (?P<who>.+)$", "refusal.panel_unfinished"),
    _k(r"^choose upheld, partly or rejected$", "refusal.decision"),
    _k(r"^a rejected appeal changes no answer$", "refusal.rejected_no_answers"),
    _k(r"^an upheld appeal needs the corrected answers$", "refusal.upheld_needs_answers"),
    _k(r"^items (?P<items>.+) were not disputed$", "refusal.not_disputed"),
    _k(r"^an appeal step cannot predate the previous one$", "refusal.appeal_step_predates"),
    _k(r"^only the evaluated agent \((?P<who>.+)\) files an appeal on this evaluation$", "refusal.appeal_agent_only"),
    _k(r"^an appeal cannot predate the evaluation$", "refusal.appeal_predates"),
    _k(r"^only a team lead accepts an appeal$", "refusal.lead_accepts"),
    _k(r"^only a team lead returns an appeal$", "refusal.lead_returns"),
    _k(r"^the panel is (?P<panel>.+); not (?P<role>\S+)$", "refusal.not_on_panel"),
    _k(r"^only the supervisor decides an appeal$", "refusal.supervisor_decides"),
    _k(r"^appeal (?P<appeal>\S+) is on evaluation (?P<evaluation>\S+)$", "refusal.appeal_other_evaluation"),
    # QA: library and duty (store/qa_library.py, services/qa_access.py)
    _k(r"^say what makes the call good$", "refusal.nominate_reason"),
    _k(r"^no call with id (?P<call>-?\d+)$", "refusal.no_call"),
    _k(r"^you nominated this call already$", "refusal.nominated_already"),
    _k(r"^you voted for this call already$", "refusal.voted_already"),
    _k(r"^days look like 2026-03-02$", "refusal.day_format"),
    _k(r"^the last day is before the first$", "refusal.last_before_first"),
    _k(r"^no user '(?P<who>.*)'$", "refusal.no_user"),
    _k(r"^call (?P<call>\S+) is not nominated$", "refusal.not_nominated"),
    # QA: scoring and the scorecard editor (quality/scorecards.py)
    _k(r"^item (?P<item>\S+): (?P<value>\S+) is outside 0\.\.(?P<most>\S+)$", "refusal.score_range"),
    _k(r"^item (?P<item>\S+): occurrences must be a whole number >= 0$", "refusal.occurrences"),
    _k(r"^item (?P<item>\S+) is not answered$", "refusal.not_answered"),
    _k(r"^form \S+: give the form a title$", "refusal.sc_title"),
    _k(r"^form \S+: the total (?P<total>\S+) must be above 0$", "refusal.sc_total"),
    _k(r"^form \S+: the pass score (?P<score>\S+) must lie in 0\.\.(?P<total>\S+)$", "refusal.sc_pass"),
    _k(r"^form \S+: add at least one item$", "refusal.sc_items"),
    _k(r"^form \S+: every (section|item) needs an id$", "refusal.sc_id"),
    _k(r"^form \S+ v\S+: (?P<what>section|item) ids repeat: (?P<ids>.+)$", "refusal.sc_repeat"),
    _k(r"^item (?P<item>\S+): give it a label$", "refusal.sc_label"),
    _k(r"^item (?P<item>\S+): points, cap and scale must be positive$", "refusal.sc_points"),
    _k(r"^form \S+: positive items give (?P<positive>\S+) > total (?P<total>\S+)$", "refusal.sc_positive"),
    _k(r"^the editor's form lacks the version it started from$", "refusal.sc_based_on"),
    # desk: tickets, customers, contacts and callbacks (desk/, services/desk*.py, dialer/phones.py)
    _k(r"^an assigned ticket needs an owner: give owner$", "refusal.desk_owner"),
    _k(r"^nothing to change: give state, owner", "refusal.desk_nothing"),
    _k(r"^callback (?P<callback>\d+) is (?P<status>\S+), not open$", "refusal.callback_closed"),
    _k(r"^either update an existing ticket or open a new one$", "refusal.ticket_either"),
    _k(r"^the callback must be in the future$", "refusal.callback_future"),
    _k(r"^choose resolved, open a ticket, or a ticket to update$", "refusal.contact_outcome"),
    _k(r"^a callback needs the customer's phone number$", "refusal.callback_phone"),
    _k(r"^empty phone number$", "refusal.phone_empty"),
    _k(r"^'(?P<phone>.*)' is not a (valid|phone) number", "refusal.phone_bad"),
    _k(r"^'(?P<phone>.*)' is neither a Chinese mobile", "refusal.phone_cn"),
    _k(r"^a ticket in state (?P<current>\S+) cannot move to (?P<target>\S+); from \S+ it can move to (?P<allowed>.+)$",
       "refusal.ticket_move"),
    _k(r"^(?P<value>.+?) is not one of (?P<choices>.+)$", "refusal.choice"),
    _k(r"^ticket (?P<ticket>\S+) belongs to (?P<who>.+), outside this user's tickets$", "refusal.ticket_not_yours"),
    _k(r"^limit must be 1-(?P<most>\d+)$", "refusal.limit_range"),
    _k(r"^this user cannot give tickets to (?P<who>.+)$", "refusal.cannot_assign"),
    _k(r"^lookback must be between 0 and (?P<hours>\S+) hours$", "refusal.lookback"),
    _k(r"^callback (?P<callback>\S+) belongs to (?P<who>.+)$", "refusal.callback_not_yours"),
    _k(r"^a customer's name and notes need the right view_pii$", "refusal.customer_pii"),
    # people: the coaching form (web/routes/people_pages.py)
    _k(r"^linked calls are call ids separated by spaces or commas$", "refusal.linked_calls"),
    # live agent state (services/live_agent_state.py, routing/agent_states.py, web/routes/live.py)
    _k(r"^(?P<state>\S+) is set by the phone system, not by a person$", "refusal.phone_state"),
    _k(r"^at most (?P<n>\d+) characters$", "refusal.at_most_chars"),
    _k(r"^say why the agent is away$", "refusal.away_reason"),
    _k(r"^an agent cannot go from (?P<old>\S+) to (?P<new>\S+)$", "refusal.transition"),
    _k(r"^the time is before the agent's last state change$", "refusal.state_time"),
    _k(r"^unknown state '(?P<state>.*)'$", "refusal.unknown_state"),
    _k(r"^an agent id of 1 to 80 characters$", "refusal.agent_id"),
    _k(r"^the (?P<role>\S+) role sets the states of their own teams' agents only$", "refusal.own_teams_states"),
    _k(r"^this user has no agent id$", "refusal.no_agent_id"),
    # the preview dialer's card on the agent page (store/dial_previews.py, web/routes/live.py)
    _k(r"^a skip needs a reason: one of ", "refusal.preview_skip_reason"),
    _k(r"^no preview card \d+ for agent ", "refusal.preview_not_yours"),
    _k(r"^this contact was already dialed, skipped or withdrawn$", "refusal.preview_closed"),
    _k(r" is not accepted or skipped$", "refusal.preview_decision"),
    _k(r"^a preview card number$", "refusal.preview_card"),
    # a campaign's journey (dialer/journeys.py via the campaign page's form)
    _k(r"^'(?P<value>[^']*)' is not a spacing like 36h or 7d$", "refusal.journey_spacing"),
    _k(r"^touches must be at least an hour apart$", "refusal.journey_hour_apart"),
    _k(r"^must be a list of 1 to \d+ ", "refusal.journey_touches"),
    _k(r"^1-80 letters, digits, '-', '_' or '\.'$", "refusal.journey_name"),
    _k(r"^must have after and channel", "refusal.journey_touch_fields"),
    # any role without a right (callops/permissions.py and the services' own checks)
    _k(r"^the (?P<role>\S+) role lacks the right (?P<right>.+)$", "refusal.role_lacks_right"),
    # the importers' notices and skip reasons (ingest/*.py, ingest/pipeline.py)
    _k(r"^records span (?P<first>\S+ \S+) to (?P<last>\S+ \S+) UTC$", "imports.msg.span"),
    _k(r"no calls or agent states in (?P<n>\d+) line\(s\)$", "imports.msg.nothing", located=True),
    _k(r"call (?P<call>\S+) is still open at the end of the file; not imported$", "imports.msg.open_call",
       located=True),
    _k(r"(?P<n>\d+) agent state\(s\) still open at the end of the file \(not imported\): (?P<agents>.*)$",
       "imports.msg.open_states", located=True),
    _k(r"call (?P<call>\S+) had no event for a day; not imported \(no end in the log\)$",
       "imports.msg.stale_call", located=True),
    _k(r"QUEUESTART \(Asterisk restarted\): (?P<n>\d+) call\(s\) in progress ended at their last event",
       "imports.msg.restart_closed", located=True),
    _k(r"call (?P<call>\S+) entered the queue again without an end event; not imported$",
       "imports.msg.entered_again", located=True),
    _k(r"(?P<n>\d+) row\(s\) with a negative (?P<column>\w+) \(.*\): lines (?P<lines>.*)$",
       "imports.msg.negative", located=True),
    _k(r"^comment line$", "imports.msg.comment"),
    _k(r"^QUEUESTART: Asterisk started \(calls in progress closed\)$", "imports.msg.queuestart"),
    _k(r"^(?P<event>[A-Z]+): .* (?:is|are) not stored$", "imports.msg.not_stored"),
    _k(r"^(?P<event>INFO|CONFIGRELOAD): ", "imports.msg.informational"),
    _k(r"^(?P<event>SYSCOMPAT|AGENTDUMP): ", "imports.msg.call_goes_on"),
    _k(r"^(?P<event>FULL|CLOSED|JOINEMPTY|JOINUNAVAIL): ", "imports.msg.no_call_entered"),
    _k(r"^event (?P<event>.+) is not a queue event callops reads$", "imports.msg.unknown_event"),
    _k(r"^ENTERQUEUE repeated for a call already waiting in that queue$", "imports.msg.enter_repeated"),
    _k(r"^(?P<event>\w+) without a wait time \(1\.2/1\.4 layout\) for a call whose ENTERQUEUE is not in the log$",
       "imports.msg.no_wait_no_enter"),
    _k(r"^TRANSFER without durations \(1\.2 layout\) for a call whose CONNECT is not in the log$",
       "imports.msg.transfer_no_connect"),
    _k(r"^PHANTOM \(virtual call\)$", "imports.msg.phantom"),
    _k(r"^CDR leg merged into its call$", "imports.msg.leg_merged"),
    _k(r"^not a customer call: (?P<rule>.+)$", "imports.msg.not_customer_call"),
    _k(r"^b-leg of a call already read \(bleg_uuid\)$", "imports.msg.b_leg"),
    _k(r"^filtered out by the mapping: (?P<condition>.+) does not hold$", "imports.msg.filtered"),
    # the importers: a rejected line's reason (the preview's rejections, the job page)
    _k(r"^empty file \(no lines, or only blank ones\): nothing to import", "imports.msg.empty_file"),
    _k(r"^empty$", "imports.msg.empty"),
    _k(r"^empty for an ANSWERED leg$", "imports.msg.empty_answered"),
    _k(r"^empty, and no uuid$", "imports.msg.empty_no_uuid"),
    _k(r"^missing$", "imports.msg.missing"),
    _k(r"^ends before it starts$", "imports.msg.ends_before"),
    _k(r"^before (?P<other>\w+)$", "imports.msg.before"),
    _k(r"^(?P<value>.+?) is not a whole number of seconds$", "imports.msg.not_seconds"),
    _k(r"^(?P<value>.+?) is not a Unix time(?: in seconds)?$", "imports.msg.not_unix"),
    _k(r"^(?P<value>.+?) is not a date YYMMDD(?: \(.*\))?$", "imports.msg.not_yymmdd"),
    _k(r"^(?P<value>.+?) is not a time YYYY-MM-DD HH:MM:SS$", "imports.msg.not_datetime"),
    _k(r"^(?P<value>.+?) is not a time in format (?P<fmt>.+)$", "imports.msg.not_format"),
    _k(r"^(?P<value>.+?) is not a time of day H:MM:SS$", "imports.msg.not_time_of_day"),
    _k(r"^(?P<value>.+?) is not a valid time \((?P<why>.*)\)$", "imports.msg.not_valid_time"),
    _k(r"^(?P<value>.+?) is not AGENT, HANG or PHANTOM$", "imports.msg.not_bank_outcome"),
    _k(r"^(?P<value>.+?) is not a priority digit \(0, 1 or 2\)$", "imports.msg.not_priority"),
    _k(r"^(?P<event>\S+) needs an agent$", "imports.msg.needs_agent"),
    _k(r"^(?P<n>\d+) fields, expected at least 5 \(epoch\|callid\|queue\|agent\|event\)$",
       "imports.msg.few_fields"),
    _k(r"^(?P<value>.+?) is not a direction; add it to values\.direction$", "imports.msg.not_direction"),
    _k(r"^(?P<value>.+?) is not an outcome; add it to values\.outcome$", "imports.msg.not_outcome"),
    _k(r"^(?P<value>.+?) is out of range$", "imports.msg.out_of_range"),
    _k(r"^(?P<value>.+?) is not in the value map for (?P<name>\S+)", "imports.msg.not_in_map"),
    _k(r"^no outcome rule matches the row and no outcome column or constant is mapped$",
       "imports.msg.no_outcome_rule"),
    # the importers' options and mapping files (ingest/asterisk_cdr.py, ingest/mapped_csv.py, ingest/freeswitch_cc.py)
    _k(r"^the CDR rules must be a mapping of rule name to patterns$", "imports.msg.cdr_rules"),
    _k(r"^unknown rule '(?P<rule>.*)'; rules are (?P<rules>.+)$", "imports.msg.cdr_unknown_rule"),
    _k(r"^a list of patterns \(text\) is needed$", "imports.msg.cdr_patterns"),
    _k(r"^a mapping must be a YAML mapping of keys \(source, columns, \.\.\.\)$", "imports.msg.mapping_shape"),
    _k(r"^(?P<detail>.+) \(mapping key (?P<name>.+)\)$", "imports.msg.mapping_key"),
    _k(r"^the row has no time at all$", "imports.msg.no_time"),
    _k(r"not a CSV row: .*$", "error.not_csv_row", located=True),  # csv_rows.py: the csv module could not split it
    _k(r"^unknown template '(?P<template>.*)'; choose (?P<choices>.+)$", "imports.msg.unknown_template"),
)


def say_reason(text: str, t: Translator) -> str:
    """``text`` (a refusal, an importer's notice, skip or rejection reason) in the viewer's language where an
    entry knows it, else as raised."""
    for entry in REASON_KEYS:
        found = entry.pattern.search(text)
        if found is None:
            continue
        parts = {name: value or "" for name, value in found.groupdict().items()}
        if entry.located:
            parts["where"] = t("imports.msg.where_line", file=parts["where"], line=parts["line"]) \
                if parts.get("line") else parts["where"]
        return t(entry.key, **parts)
    return text
