"""The importer's notices, skip reasons and rejection reasons in the viewer's language.

``callops.ingest`` reports in English sentences (the CLI prints them as they are); the web pages show them
through ``say_import``, which matches each sentence against the patterns below and renders the message key
(``imports.msg.*`` in the imports catalogs) with the parts it captured. A sentence no pattern knows is shown as
raised, so a new importer message is never hidden, only untranslated until it gets a pattern here.
"""

from __future__ import annotations

import re

from callops.web.i18n import Translator

__all__ = ["IMPORT_PATTERNS", "say_import"]

_WHERE = r"^(?P<where>.+?)(?:, line (?P<line>\d+))?: "
IMPORT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^records span (?P<first>\S+ \S+) to (?P<last>\S+ \S+) UTC$", "imports.msg.span"),
        (_WHERE + r"no calls or agent states in (?P<n>\d+) line\(s\)$", "imports.msg.nothing"),
        (_WHERE + r"call (?P<call>\S+) is still open at the end of the file; not imported$", "imports.msg.open_call"),
        (_WHERE + r"(?P<n>\d+) agent state\(s\) still open at the end of the file \(not imported\): (?P<agents>.*)$",
         "imports.msg.open_states"),
        (_WHERE + r"call (?P<call>\S+) had no event for a day; not imported \(no end in the log\)$",
         "imports.msg.stale_call"),
        (_WHERE + r"QUEUESTART \(Asterisk restarted\): (?P<n>\d+) call\(s\) in progress ended at their last event",
         "imports.msg.restart_closed"),
        (_WHERE + r"call (?P<call>\S+) entered the queue again without an end event; not imported$",
         "imports.msg.entered_again"),
        (_WHERE + r"(?P<n>\d+) row\(s\) with a negative (?P<column>\w+) \(.*\): lines (?P<lines>.*)$",
         "imports.msg.negative"),
        (r"^comment line$", "imports.msg.comment"),
        (r"^QUEUESTART: Asterisk started \(calls in progress closed\)$", "imports.msg.queuestart"),
        (r"^(?P<event>[A-Z]+): .* (?:is|are) not stored$", "imports.msg.not_stored"),
        (r"^(?P<event>INFO|CONFIGRELOAD): ", "imports.msg.informational"),
        (r"^(?P<event>SYSCOMPAT|AGENTDUMP): ", "imports.msg.call_goes_on"),
        (r"^(?P<event>FULL|CLOSED|JOINEMPTY|JOINUNAVAIL): ", "imports.msg.no_call_entered"),
        (r"^event (?P<event>.+) is not a queue event callops reads$", "imports.msg.unknown_event"),
        (r"^ENTERQUEUE repeated for a call already waiting in that queue$", "imports.msg.enter_repeated"),
        (r"^(?P<event>\w+) without a wait time \(1\.2/1\.4 layout\) for a call whose ENTERQUEUE is not in the log$",
         "imports.msg.no_wait_no_enter"),
        (r"^TRANSFER without durations \(1\.2 layout\) for a call whose CONNECT is not in the log$",
         "imports.msg.transfer_no_connect"),
        (r"^PHANTOM \(virtual call\)$", "imports.msg.phantom"),
        (r"^CDR leg merged into its call$", "imports.msg.leg_merged"),
        (r"^not a customer call: (?P<rule>.+)$", "imports.msg.not_customer_call"),
        (r"^b-leg of a call already read \(bleg_uuid\)$", "imports.msg.b_leg"),
        (r"^filtered out by the mapping: (?P<condition>.+) does not hold$", "imports.msg.filtered"),
        # a rejected line's reason (the preview's rejections, the job page)
        (r"^empty file \(no lines, or only blank ones\): nothing to import", "imports.msg.empty_file"),
        (r"^empty$", "imports.msg.empty"),
        (r"^empty for an ANSWERED leg$", "imports.msg.empty_answered"),
        (r"^empty, and no uuid$", "imports.msg.empty_no_uuid"),
        (r"^missing$", "imports.msg.missing"),
        (r"^ends before it starts$", "imports.msg.ends_before"),
        (r"^before (?P<other>\w+)$", "imports.msg.before"),
        (r"^(?P<value>.+?) is not a number$", "imports.msg.not_number"),
        (r"^(?P<value>.+?) is not a whole number of seconds$", "imports.msg.not_seconds"),
        (r"^(?P<value>.+?) is not a Unix time(?: in seconds)?$", "imports.msg.not_unix"),
        (r"^(?P<value>.+?) is not a date YYMMDD(?: \(.*\))?$", "imports.msg.not_yymmdd"),
        (r"^(?P<value>.+?) is not a time YYYY-MM-DD HH:MM:SS$", "imports.msg.not_datetime"),
        (r"^(?P<value>.+?) is not a time in format (?P<fmt>.+)$", "imports.msg.not_format"),
        (r"^(?P<value>.+?) is not a time of day H:MM:SS$", "imports.msg.not_time_of_day"),
        (r"^(?P<value>.+?) is not a valid time \((?P<why>.*)\)$", "imports.msg.not_valid_time"),
        (r"^(?P<value>.+?) is not one of (?P<choices>.+)$", "imports.msg.not_one_of"),
        (r"^(?P<value>.+?) is not AGENT, HANG or PHANTOM$", "imports.msg.not_bank_outcome"),
        (r"^(?P<value>.+?) is not a priority digit \(0, 1 or 2\)$", "imports.msg.not_priority"),
        (r"^(?P<event>\S+) needs an agent$", "imports.msg.needs_agent"),
        (r"^(?P<n>\d+) fields, expected at least 5 \(epoch\|callid\|queue\|agent\|event\)$",
         "imports.msg.few_fields"),
        (r"^(?P<value>.+?) is not a direction; add it to values\.direction$", "imports.msg.not_direction"),
        (r"^(?P<value>.+?) is not an outcome; add it to values\.outcome$", "imports.msg.not_outcome"),
        (r"^(?P<value>.+?) is out of range$", "imports.msg.out_of_range"),
        (r"^(?P<value>.+?) is not in the value map for (?P<name>\S+)", "imports.msg.not_in_map"),
        (r"^no outcome rule matches the row and no outcome column or constant is mapped$",
         "imports.msg.no_outcome_rule"),
    )
)


def say_import(text: str, t: Translator) -> str:
    """``text`` (an importer notice, skip or rejection reason) in the viewer's language where a pattern knows it."""
    for pattern, key in IMPORT_PATTERNS:
        found = pattern.search(text)
        if found and key in t.messages:
            parts = {name: value or "" for name, value in found.groupdict().items()}
            if "where" in parts:
                parts["where"] = t("imports.msg.where_line", file=parts["where"], line=parts["line"]) \
                    if parts.get("line") else parts["where"]
            return t(key, **parts)
    return text
