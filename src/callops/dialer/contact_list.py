"""A campaign's contact list from tabular rows (CSV or XLSX, read at the edge) through a column mapping.

The mapping names the source column for each field: ``member`` and ``phone`` are required, ``name`` and
``email`` optional. Every source column must be mapped or listed as ignored, so a misspelt header is an error,
not silently lost data. Numbers are normalised to E.164 (Chinese mobile/landline or E.164); a member listed
twice with the same number is merged, with two different numbers refused naming both lines. The first bad
value raises ``InvalidInput`` naming file, line (header = 1) and field; nothing is returned half-read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from callops.dialer.phones import PhoneError, normalise_phone, zone_for_phone
from callops.errors import InvalidInput

__all__ = ["ContactRow", "ContactListResult", "read_contact_rows", "CONTACT_FIELDS", "MAX_CONTACTS"]

CONTACT_FIELDS = ("member", "phone", "name", "email")
REQUIRED = ("member", "phone")
MAX_CONTACTS = 2_000_000


@dataclass(frozen=True, slots=True)
class ContactRow:
    member: str
    phone: str  # E.164
    zone: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class ContactListResult:
    contacts: tuple[ContactRow, ...]
    merged: int  # rows that repeated a member already listed with the same number


def read_contact_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    mapping: Mapping[str, str],
    ignore: Iterable[str] = (),
    file: str,
    default_zone: str = "Asia/Shanghai",
) -> ContactListResult:
    """Validate the mapping against ``header``, then every row; returns contacts in first-seen order."""
    unknown_fields = sorted(set(mapping) - set(CONTACT_FIELDS))
    if unknown_fields:
        raise InvalidInput(f"mapping names unknown field {unknown_fields[0]} (fields: {', '.join(CONTACT_FIELDS)})",
                           file=file, field=unknown_fields[0])
    for field in REQUIRED:
        if field not in mapping:
            raise InvalidInput(f"the mapping needs a column for {field}", file=file, field=field)
    columns = [str(h).strip() for h in header]
    for field, column in mapping.items():
        if column not in columns:
            raise InvalidInput(f"column {column!r} (mapped to {field}) is not in the header", file=file, line=1,
                               field=field)
    ignored = set(ignore)
    stray = [c for c in columns if c not in set(mapping.values()) and c not in ignored]
    if stray:
        raise InvalidInput(f"unknown column {stray[0]!r}: map it or list it as ignored", file=file, line=1,
                           field=stray[0])
    index = {field: columns.index(column) for field, column in mapping.items()}
    seen: dict[str, tuple[ContactRow, int]] = {}
    merged = 0
    for line, row in enumerate(rows, start=2):
        if len(seen) >= MAX_CONTACTS:
            raise InvalidInput(f"more than {MAX_CONTACTS} contacts", file=file, line=line)
        values = {f: _text(row[i]) if i < len(row) else "" for f, i in index.items()}
        if not any(_text(v) for v in row):
            continue  # blank line
        member = values["member"]
        if not member:
            raise InvalidInput("empty member", file=file, line=line, field=mapping["member"])
        try:
            phone = normalise_phone(values["phone"])
        except PhoneError as exc:
            raise InvalidInput(str(exc), file=file, line=line, field=mapping["phone"]) from None
        contact = ContactRow(member, phone, zone_for_phone(phone, default_zone), values.get("name", ""),
                             values.get("email", ""))
        previous = seen.get(member)
        if previous is not None:
            if previous[0].phone != phone:
                raise InvalidInput(f"member {member!r} is listed on line {previous[1]} with {previous[0].phone} "
                                   f"and here with {phone}", file=file, line=line, field=mapping["member"])
            merged += 1
            continue
        seen[member] = (contact, line)
    return ContactListResult(tuple(c for c, _ in seen.values()), merged)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet number cell holding a phone number
    return str(value).strip()
