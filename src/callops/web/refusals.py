"""Why a service refused a form's value, in the viewer's language: the ``InvalidInput`` and ``Conflict``
messages the QA, live and account services raise, matched by pattern to ``refusal.*`` keys
(``locales/refusals.<locale>.json``). ``form_input.reason_message`` looks here after its own patterns; a
message matched by neither is shown as raised.
"""

from __future__ import annotations

import re

__all__ = ["REFUSALS"]

_RAW = (
    # QA: evaluating and correcting (web/routes/_quality_shared.py, services/qa_reviews.py, quality/evaluations.py)
    (r"^choose yes or no$", "refusal.yes_or_no"),
    (r"^'.*' is not a number$", "refusal.not_a_number"),
    (r"^'(?P<mark>.*)' is not a time mark like 75 or 1:15$", "refusal.time_mark"),
    (r"^time marks are not negative$", "refusal.time_mark_negative"),
    (
        r"^you evaluated this call already \(evaluation (?P<evaluation>\S+)\); correct that one instead$",
        "refusal.evaluated_already",
    ),
    (r"^call (?P<call>\d+) reached no agent; there is nobody to evaluate$", "refusal.no_agent_call"),
    (r"^a new version needs a reason$", "refusal.version_reason"),
    (r"^evaluation (?P<evaluation>\S+) is decided; nobody edits it$", "refusal.decided_no_edit"),
    (r"^evaluation (?P<evaluation>\S+) is decided; it cannot be appealed again$", "refusal.decided_no_appeal"),
    # QA: the rule's public draw (services/qa_sampling.py, quality/draws.py)
    (r"^the period of rule '(?P<rule>.+)' ends at (?P<at>\S+); freeze after that$", "refusal.freeze_early"),
    (r"^the eligible calls cannot be frozen before the period ends \((?P<at>\S+)\)$", "refusal.freeze_before_end"),
    (r"^enter the dice or beacon value \(1-200 characters\)$", "refusal.random_value"),
    (r"^the source is dice or beacon$", "refusal.random_source"),
    (r"^freeze the eligible calls of rule '(?P<rule>.+)' first$", "refusal.freeze_first"),
    (r"^the public randomness must arrive after the freeze$", "refusal.random_after_freeze"),
    (r"^the public randomness of rule '(?P<rule>.+)' is entered already$", "refusal.random_entered"),
    (r"^enter the public randomness of rule '(?P<rule>.+)' before drawing$", "refusal.random_before_draw"),
    (r"^rule '(?P<rule>.+)' has no secret seed on this server$", "refusal.no_seed"),
    (r"^the stored draw does not re-run: (?P<detail>.+)$", "refusal.draw_rerun"),
    # QA: notes, appeals and the panel (services/qa_reviews.py, quality/appeals.py)
    (r"^the comment is empty$", "refusal.comment_empty"),
    (r"^the note is empty$", "refusal.note_empty"),
    (r"^a follow-up is due in the future$", "refusal.due_future"),
    (r"^appeal (?P<appeal>\S+) on this evaluation is still open$", "refusal.appeal_open"),
    (r"^the appeal deadline passed at (?P<at>\S+)$", "refusal.appeal_deadline"),
    (r"^name at least one disputed item$", "refusal.disputed_items"),
    (r"^say why the score is disputed$", "refusal.appeal_reason"),
    (r"^say why the appeal is returned$", "refusal.return_reason"),
    (r"^appeal (?P<appeal>\S+) is (?P<state>\S+); cannot .+$", "refusal.appeal_state"),
    (r"^the (?P<role>\S+) on the panel has already recorded a view$", "refusal.view_recorded"),
    (r"^the panel has not finished: no view yet from (?P<who>.+)$", "refusal.panel_unfinished"),
    (r"^choose upheld, partly or rejected$", "refusal.decision"),
    (r"^a rejected appeal changes no answer$", "refusal.rejected_no_answers"),
    (r"^an upheld appeal needs the corrected answers$", "refusal.upheld_needs_answers"),
    (r"^items (?P<items>.+) were not disputed$", "refusal.not_disputed"),
    # QA: library and duty (store/qa_library.py, services/qa_access.py)
    (r"^say what makes the call good$", "refusal.nominate_reason"),
    (r"^no call with id (?P<call>-?\d+)$", "refusal.no_call"),
    (r"^you nominated this call already$", "refusal.nominated_already"),
    (r"^you voted for this call already$", "refusal.voted_already"),
    (r"^days look like 2026-03-02$", "refusal.day_format"),
    (r"^the last day is before the first$", "refusal.last_before_first"),
    (r"^no user '(?P<who>.*)'$", "refusal.no_user"),
    # QA: scoring and the scorecard editor (quality/scorecards.py)
    (r"^item (?P<item>\S+): (?P<value>\S+) is outside 0\.\.(?P<most>\S+)$", "refusal.score_range"),
    (r"^item (?P<item>\S+): occurrences must be a whole number >= 0$", "refusal.occurrences"),
    (r"^item (?P<item>\S+) is not answered$", "refusal.not_answered"),
    (r"^form \S+: give the form a title$", "refusal.sc_title"),
    (r"^form \S+: the total (?P<total>\S+) must be above 0$", "refusal.sc_total"),
    (r"^form \S+: the pass score (?P<score>\S+) must lie in 0\.\.(?P<total>\S+)$", "refusal.sc_pass"),
    (r"^form \S+: add at least one item$", "refusal.sc_items"),
    (r"^form \S+: every (section|item) needs an id$", "refusal.sc_id"),
    (r"^form \S+ v\d+: (?P<what>section|item) ids repeat: (?P<ids>.+)$", "refusal.sc_repeat"),
    (r"^item (?P<item>\S+): give it a label$", "refusal.sc_label"),
    (r"^item (?P<item>\S+): points, cap and scale must be positive$", "refusal.sc_points"),
    (r"^form \S+: positive items give (?P<positive>\S+) > total (?P<total>\S+)$", "refusal.sc_positive"),
    (r"^the editor's form lacks the version it started from$", "refusal.sc_based_on"),
    # desk: tickets, customers, contacts and callbacks (desk/, services/desk*.py, dialer/phones.py)
    (r"^an assigned ticket needs an owner: give owner$", "refusal.desk_owner"),
    (r"^nothing to change: give state, owner", "refusal.desk_nothing"),
    (r"^callback (?P<callback>\d+) is (?P<status>\S+), not open$", "refusal.callback_closed"),
    (r"^either update an existing ticket or open a new one$", "refusal.ticket_either"),
    (r"^the callback must be in the future$", "refusal.callback_future"),
    (r"^choose resolved, open a ticket, or a ticket to update$", "refusal.contact_outcome"),
    (r"^a callback needs the customer's phone number$", "refusal.callback_phone"),
    (r"^empty phone number$", "refusal.phone_empty"),
    (r"^'(?P<phone>.*)' is not a (valid|phone) number", "refusal.phone_bad"),
    (r"^'(?P<phone>.*)' is neither a Chinese mobile", "refusal.phone_cn"),
    (
        r"^a ticket in state (?P<current>\S+) cannot move to (?P<target>\S+); from \S+ it can move to (?P<allowed>.+)$",
        "refusal.ticket_move",
    ),
    (r"^'.*' is not one of (?P<choices>.+)$", "refusal.choice"),
    # people: the coaching form (web/routes/people_pages.py)
    (r"^linked calls are call ids separated by spaces or commas$", "refusal.linked_calls"),
    # live agent state (services/live_agent_state.py, routing/agent_states.py, web/routes/live.py)
    (r"^(?P<state>\S+) is set by the phone system, not by a person$", "refusal.phone_state"),
    (r"^at most (?P<n>\d+) characters$", "refusal.at_most_chars"),
    (r"^say why the agent is away$", "refusal.away_reason"),
    (r"^an agent cannot go from (?P<old>\S+) to (?P<new>\S+)$", "refusal.transition"),
    (r"^the time is before the agent's last state change$", "refusal.state_time"),
    (r"^unknown state '(?P<state>.*)'$", "refusal.unknown_state"),
    (r"^an agent id of 1 to 80 characters$", "refusal.agent_id"),
    # the preview dialer's card on the agent page (store/dial_previews.py, web/routes/live.py)
    (r"^a skip needs a reason: one of ", "refusal.preview_skip_reason"),
    (r"^no preview card \d+ for agent ", "refusal.preview_not_yours"),
    (r"^this contact was already dialed, skipped or withdrawn$", "refusal.preview_closed"),
    (r" is not accepted or skipped$", "refusal.preview_decision"),
    (r"^a preview card number$", "refusal.preview_card"),
    # a campaign's journey (dialer/journeys.py via the campaign page's form)
    (r"^'(?P<value>[^']*)' is not a spacing like 36h or 7d$", "refusal.journey_spacing"),
    (r"^touches must be at least an hour apart$", "refusal.journey_hour_apart"),
    (r" is not one of call, sms, email$", "refusal.journey_channel"),
    (r"^must be a list of 1 to \d+ ", "refusal.journey_touches"),
    (r"^1-80 letters, digits, '-', '_' or '\.'$", "refusal.journey_name"),
    (r" is not one of sales, care, collections, survey$", "refusal.journey_purpose"),
    (r"^must have after and channel", "refusal.journey_touch_fields"),
)

REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), key) for pattern, key in _RAW)
