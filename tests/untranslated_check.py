"""The check that no English is left in the zh-CN interface, shared by the page sweep and the browser walk.

A visible line (a text node outside scripts and styles, or a placeholder) fails when it holds no Chinese and a
word that is neither on the short allow-list of codes, units and product names nor a value of the data itself
(agent ids and names, queues, call types, user and team names): such a line is a message nobody translated.
"""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from callops.ingest.formats import FORMATS
from callops.ingest.freeswitch_cc import TEMPLATES
from callops.store.schema import agents, audit_log, calls, qa_sampling_rules, queues, sites, teams, users

__all__ = ["ALLOWED", "data_words", "untranslated", "visible_lines"]

# codes, units and names that read the same in Chinese
ALLOWED = {
    "callops", "English", "min", "s", "h", "ms", "UTC", "GMT", "Erlang", "A", "B", "C", "WAPE", "MASE", "CSAT",
    "FCR", "ASA", "AHT", "SL", "KPI", "API", "CSV", "XLSX", "YAML", "JSON", "PNG", "PDF", "ID", "IVR", "ACD",
    "CN", "US", "IL", "NAME", "n", "x", "OK", "m", "v", "W",  # W: an ISO week, 1999-W02
    "UTF", "GBK", "GB", "Latin",  # encodings
    "HH", "MM",  # a time's format, HH:MM
    *FORMATS, *TEMPLATES,  # import formats and FreeSWITCH templates are codes the user picks
}
_ID = re.compile(r"^[0-9a-f]{8,}…?$|^[^@\s]+@[^@\s]+\.[a-z]+$")  # an evaluation key or rule hash; an e-mail address
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
_WORD = re.compile(r"[A-Za-z][A-Za-z_'-]*")


def data_words(engine: sa.Engine) -> set[str]:
    """The words of the database's own values (names, ids, queues, zones...), which read the same in any language."""
    columns = ((agents, "agent_id"), (agents, "name"), (queues, "name"), (teams, "name"), (users, "username"),
               (teams, "lead"), (calls, "call_type"), (sites, "name"), (sites, "tz"), (qa_sampling_rules, "name"),
               (audit_log, "actor"))
    with engine.connect() as conn:
        values = {str(v) for table, column in columns
                  for v in conn.execute(sa.select(table.c[column]).distinct()).scalars() if v}
    return {word for value in values for word in _WORD.findall(value)}


def visible_lines(page: str) -> list[str]:
    """The page's text nodes and placeholders, one per line, unescaped (a text area's placeholder is an example of
    the file it takes, YAML code, and is left out)."""
    body = re.sub(r"(?is)<(script|style|pre|code)\b[^>]*>.*?</\1>", "\n", page)
    body = re.sub(r"(?is)(<textarea\b[^>]*?)\splaceholder=\"[^\"]*\"", r"\1", body)
    placeholders = re.findall(r'placeholder="([^"]*)"', body)
    text = re.sub(r"(?s)<[^>]+>", "\n", body)
    return [line.strip() for line in html.unescape(text + "\n" + "\n".join(placeholders)).split("\n")
            if line.strip()]


def untranslated(lines: list[str], known: set[str]) -> list[str]:
    """Lines without Chinese that hold a word neither allowed nor a value of the data."""
    return [line for line in lines
            if not _CJK.search(line) and not _ID.match(line)
            and any(w not in known and w.strip("'-") not in known for w in _WORD.findall(line))]
