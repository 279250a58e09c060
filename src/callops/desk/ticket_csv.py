"""The ticket import file: ``ticket,phone,category,opened_at,resolved_at,escalated,contacts``.

Datetimes are ISO with a UTC offset (``2026-03-02T09:15:00+08:00``); ``resolved_at`` is empty while the
ticket is open; ``escalated`` is true/false (1/0, yes/no too); ``contacts`` counts the customer's contacts
about the ticket (0 for a ticket opened without a customer contact; ``fcr_ticket`` counts ``contacts = 1``).
Phones go through :func:`callops.dialer.phones.normalise_phone`. The first bad
row raises InvalidInput naming file, line (the header is line 1) and field; nothing is returned half-read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callops.csv_rows import CheckedDictReader
from callops.desk.tickets import Category, parse_choice
from callops.dialer.phones import PhoneError, normalise_phone
from callops.errors import InvalidInput

__all__ = ["TICKET_COLUMNS", "MAX_TICKET_ROWS", "TicketRow", "read_tickets_csv"]

TICKET_COLUMNS = ("ticket", "phone", "category", "opened_at", "resolved_at", "escalated", "contacts")
MAX_TICKET_ROWS = 1_000_000
MAX_CONTACTS = 10_000
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


@dataclass(frozen=True, slots=True)
class TicketRow:
    ref: str
    phone: str | None  # E.164
    category: Category
    opened_at: dt.datetime  # aware UTC
    resolved_at: dt.datetime | None
    escalated: bool
    contacts: int
    line: int


def _instant(text: str, *, field: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO time", field=field) from None
    if at.tzinfo is None:
        raise InvalidInput(f"{text!r} has no UTC offset (write e.g. 2026-03-02T09:15:00+08:00)", field=field)
    return at.astimezone(dt.UTC)


def _row(raw: dict[str, str], line: int) -> TicketRow:
    ref = raw["ticket"].strip()
    if not ref or len(ref) > 80:
        raise InvalidInput("a ticket key of 1-80 characters is required", field="ticket")
    phone: str | None = None
    if raw["phone"].strip():
        try:
            phone = normalise_phone(raw["phone"])
        except PhoneError as exc:
            raise InvalidInput(str(exc), field="phone") from None
    category = parse_choice(Category, raw["category"], field="category")
    opened_at = _instant(raw["opened_at"].strip(), field="opened_at")
    resolved_text = raw["resolved_at"].strip()
    resolved_at = _instant(resolved_text, field="resolved_at") if resolved_text else None
    if resolved_at is not None and resolved_at < opened_at:
        raise InvalidInput(f"{resolved_text!r} is before opened_at", field="resolved_at")
    flag = raw["escalated"].strip().lower()
    if flag not in _TRUE | _FALSE:
        raise InvalidInput(f"{raw['escalated']!r} is not true or false", field="escalated")
    try:
        contacts = int(raw["contacts"].strip())
    except ValueError:
        raise InvalidInput(f"{raw['contacts']!r} is not a whole number", field="contacts") from None
    if not 0 <= contacts <= MAX_CONTACTS:
        raise InvalidInput(f"{contacts} is not between 0 and {MAX_CONTACTS}", field="contacts")
    return TicketRow(ref, phone, category, opened_at, resolved_at, flag in _TRUE, contacts, line)


def read_tickets_csv(text: str, *, file: str = "tickets.csv") -> list[TicketRow]:
    """Every row of ``text``; a bad row, a repeated ticket key or a wrong header raises naming line and field."""
    reader = CheckedDictReader(text, file=file)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in TICKET_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"missing column(s) {', '.join(missing)}; expected {','.join(TICKET_COLUMNS)}",
                           file=file, line=1)
    unknown = [c for c in header if c not in TICKET_COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column(s) {', '.join(unknown)}; expected {','.join(TICKET_COLUMNS)}",
                           file=file, line=1)
    reader.fieldnames = header
    rows: list[TicketRow] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_TICKET_ROWS:
            raise InvalidInput(f"more than {MAX_TICKET_ROWS:,} rows: split the file", file=file, line=line)
        if None in raw or any(raw.get(c) is None for c in TICKET_COLUMNS):
            raise InvalidInput(f"wrong number of fields (expected {len(TICKET_COLUMNS)})", file=file, line=line)
        try:
            row = _row(raw, line)
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, file=file, line=line, field=exc.field) from None
        if row.ref in seen:
            raise InvalidInput(f"ticket {row.ref!r} is already on line {seen[row.ref]}", file=file, line=line,
                               field="ticket")
        seen[row.ref] = line
        rows.append(row)
    return rows
