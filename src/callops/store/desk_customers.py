"""Customers of the service desk: linking a phone number to a customer, which merges two customers when the
number already belongs to another, and the PII details (name, notes)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from callops.errors import NotFound
from callops.store.schema import callbacks, customer_phones, customers, tickets

__all__ = ["link_phone", "set_customer_details"]


def _exists(conn: sa.Connection, customer_id: int) -> None:
    if conn.execute(sa.select(customers.c.id).where(customers.c.id == customer_id)).first() is None:
        raise NotFound(f"no customer {customer_id}")


def link_phone(conn: sa.Connection, customer_id: int, phone: str, *, now: dt.datetime) -> int | None:
    """Give ``phone`` (E.164) to the customer; when another customer has it, that customer is merged into this
    one (numbers, tickets, callbacks; a missing name or notes taken over) and removed. Returns the merged id."""
    _exists(conn, customer_id)
    owner = conn.execute(sa.select(customer_phones.c.customer_id).where(
        customer_phones.c.phone == phone)).scalar_one_or_none()
    if owner is None:
        conn.execute(customer_phones.insert().values(phone=phone, customer_id=customer_id, added_at=now))
        return None
    if owner == customer_id:
        return None
    other = conn.execute(sa.select(customers.c.name, customers.c.notes).where(customers.c.id == owner)).one()
    mine = conn.execute(sa.select(customers.c.name, customers.c.notes).where(customers.c.id == customer_id)).one()
    for table in (customer_phones, tickets, callbacks):
        conn.execute(table.update().where(table.c.customer_id == owner).values(customer_id=customer_id))
    conn.execute(customers.update().where(customers.c.id == customer_id).values(
        name=mine.name or other.name, notes=mine.notes or other.notes))
    conn.execute(customers.delete().where(customers.c.id == owner))
    return int(owner)


def set_customer_details(conn: sa.Connection, customer_id: int, *, name: str | None, notes: str | None) -> None:
    _exists(conn, customer_id)
    conn.execute(customers.update().where(customers.c.id == customer_id).values(name=name, notes=notes))
