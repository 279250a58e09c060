"""Guessing a file's import format from its first lines, with the reason for the guess.

``sniff_lines`` looks at up to ``SNIFF_LINES`` non-blank lines and answers a ``Guess``: the format
(a key of ``callops.ingest.formats.FORMATS``) and a sentence saying what it saw, or no format and what
it saw instead. It is a guess for a person to confirm (the web import page shows it before anything is
imported); the parser of the chosen format still checks every line. The rules, first match wins:

- ``anonymous-bank``: the first line is the 17-column tab-separated header ``vru+line call_id ...``;
- ``freeswitch-json``: the first character is ``{`` (one JSON document per line, or pretty-printed);
- ``asterisk-queue-log``: ``epoch|callid|queue|agent|EVENT|...`` lines (a realtime export's clock time
  in the first field too);
- ``freeswitch-cc``: a CSV header naming ``cc_queue`` and ``cc_queue_joined_epoch``, or lines of the
  stock ``example``/``snom`` templates (a hangup cause such as ``NORMAL_CLEARING`` in field 10; the
  guess then also names the template);
- ``asterisk-cdr``: CSV lines of 17 to 21 fields with start and end times and a disposition
  (``ANSWERED``, ``NO ANSWER`` ...) where Master.csv has them;
- ``csv``: any other CSV with a header line (it needs a column mapping).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from callops.ingest.anonymous_bank import COLUMNS as BANK_COLUMNS
from callops.ingest.asterisk_cdr import CDR_CSV, CDR_CUSTOM
from callops.ingest.freeswitch_cc import REQUIRED as CC_REQUIRED
from callops.ingest.freeswitch_cc import TEMPLATES
from callops.ingest.items import Rejection
from callops.ingest.textfile import decoded_lines, open_binary

__all__ = ["Guess", "sniff_lines", "sniff_file", "SNIFF_LINES"]

SNIFF_LINES = 20
_QUEUE_LOG = re.compile(r"(\d{9,11}(\.\d+)?|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?)\|[^|]*\|[^|]*\|[^|]*\|[A-Z_]+")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}
_HANGUP_CAUSE = re.compile(r"[A-Z][A-Z_]{3,}")


@dataclass(frozen=True, slots=True)
class Guess:
    """The format guessed (None: none fits), why, options the format needs (e.g. a template), and the first
    line read that is not in the encoding asked for (left out of the guess)."""

    format: str | None
    reason: str
    template: str | None = None
    undecodable: Rejection | None = None
    rule: str = ""  # which rule decided, for a translated sentence (the web page): empty, bank_header, ...
    details: dict[str, str] = field(default_factory=dict)  # the rule's figures, e.g. lines matched


def _row(text: str, delimiter: str = ",") -> list[str]:
    try:
        return next(csv.reader([text], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []


def _cdr_line(row: list[str]) -> bool:
    for columns in (CDR_CSV, CDR_CUSTOM):
        start, end, disposition = (columns.index(name) for name in ("start", "end", "disposition"))
        if (17 <= len(row) <= 21 and len(row) > disposition and _TIME.fullmatch(row[start].strip())
                and _TIME.fullmatch(row[end].strip()) and row[disposition].strip() in _DISPOSITIONS):
            return True
    return False


def _template(row: list[str]) -> str | None:
    for name, columns in sorted(TEMPLATES.items(), key=lambda item: -len(item[1])):
        cause = columns.index("hangup_cause")
        if (len(row) == len(columns) and _TIME.fullmatch(row[columns.index("start_stamp")].strip())
                and _HANGUP_CAUSE.fullmatch(row[cause].strip())):
            return name
    return None


def _json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.pos >= len(text) - 1 or text.strip() == "{"  # a pretty-printed document goes on
    return True


def sniff_lines(lines: Iterable[str]) -> Guess:
    """The format of a file whose first lines are ``lines``; see the module docstring."""
    head = []
    for text in lines:
        if text.strip():
            head.append(text)
        if len(head) >= SNIFF_LINES:
            break
    if not head:
        return Guess(None, "the file is empty (no lines, or only blank ones)", rule="empty")
    first = head[0].lstrip("\ufeff")
    if [cell.strip() for cell in first.split("\t")] == list(BANK_COLUMNS):
        return Guess("anonymous-bank", "the first line is the Anonymous Bank header (vru+line, call_id, ... "
                                       "17 tab-separated columns)", rule="bank_header")
    if first.lstrip().startswith("{") and _json(first):
        return Guess("freeswitch-json", "the file starts with a JSON document ({...}): FreeSWITCH mod_json_cdr",
                     rule="json")
    pipes = sum(1 for text in head if _QUEUE_LOG.match(text.strip()))
    if pipes * 2 > len(head):
        return Guess("asterisk-queue-log", f"{pipes} of the first {len(head)} lines are "
                                           "epoch|callid|queue|agent|EVENT|...: an Asterisk queue_log",
                     rule="queue_log", details={"count": str(pipes), "lines": str(len(head))})
    header = [cell.strip() for cell in _row(first)]
    if all(name in header for name in CC_REQUIRED):
        return Guess("freeswitch-cc", "the CSV header names " + " and ".join(CC_REQUIRED)
                                      + ": FreeSWITCH mod_cdr_csv with mod_callcenter columns", rule="cc_header")
    rows = [_row(text) for text in head]
    templates = [_template(row) for row in rows]
    if templates[0] is not None and templates.count(templates[0]) * 2 > len(rows):
        return Guess("freeswitch-cc", f"lines of {len(rows[0])} CSV fields with a start time in field 5 and a hangup "
                                      f"cause in field 10: FreeSWITCH mod_cdr_csv, stock template "
                                      f"'{templates[0]}' (no header)", template=templates[0], rule="cc_template",
                     details={"fields": str(len(rows[0])), "template": templates[0]})
    cdr = sum(1 for row in rows if _cdr_line(row))
    if cdr * 2 > len(rows):
        return Guess("asterisk-cdr", f"{cdr} of the first {len(rows)} lines are CSV with start and end times and a "
                                     "disposition (ANSWERED, NO ANSWER ...): an Asterisk Master.csv",
                     rule="cdr", details={"count": str(cdr), "lines": str(len(rows))})
    for delimiter in (",", ";", "\t"):
        names = [cell.strip() for cell in _row(first, delimiter)]
        if len(names) >= 3 and all(names) and not any(_TIME.search(name) or name.replace(".", "").isdigit()
                                                       for name in names):
            shown = {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
            return Guess("csv", f"a CSV with a header of {len(names)} {shown}-separated column names "
                                f"({', '.join(names[:4])}{' ...' if len(names) > 4 else ''}): it needs a column "
                                "mapping", rule="csv",
                         details={"columns": str(len(names)), "names": ", ".join(names[:4])})
    return Guess(None, f"the first line ({first[:80]!r}) is none of the known formats: pick one", rule="unknown",
                 details={"first": first[:80]})


def sniff_file(path: Path, *, encoding: str = "utf-8") -> Guess:
    """``sniff_lines`` on the first lines of ``path`` (plain or gzip) read in ``encoding``; a line not in
    the encoding is left out of the guess (the import reports it)."""
    texts = []
    undecodable = None
    with open_binary(path) as raw:
        for entry in decoded_lines(raw, str(path), encoding=encoding):
            if isinstance(entry, Rejection):
                undecodable = undecodable or entry
                continue
            texts.append(entry[1])
            if sum(1 for text in texts if text.strip()) >= SNIFF_LINES or len(texts) >= SNIFF_LINES * 50:
                break
    guess = sniff_lines(texts)
    return replace(guess, undecodable=undecodable)
