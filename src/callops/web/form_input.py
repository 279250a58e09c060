"""What every HTML form shares: the typed values, rates typed as percent, errors next to their fields.

A form's POST handler reads the fields as text (``FormValuesDep``), validates them, and on a bad value
re-renders its own page with ``errors=field_errors(exc, viewer.t)`` and the typed ``values`` (status 400), so
nothing typed is lost and each message sits beside its field (``ui.field_error(errors, "name")`` in the
template). Messages are in the viewer's language: pydantic errors are translated by their type
(``error.v.<type>`` in the forms catalogs), an ``InvalidInput`` or a refusal by its reason (``reason_keys``).

Rates (service level, shrinkage, shares) accept ``0.8``, ``80`` and ``80%``: ``read_rate`` says which reading
it took, and the form shows it (``wf.read_as_percent``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from pydantic import ValidationError

from callops.errors import Conflict, Infeasible, InvalidInput, NotFound
from callops.web.i18n import Translator
from callops.web.reason_keys import say_reason

__all__ = ["FORM_ERRORS", "NOT_A_NUMBER", "TOO_LONG", "FormValues", "FormValuesDep", "Rate", "field_errors",
           "form_values", "rate_readings", "read_number", "read_rate", "text_of", "validation_message"]

# what a form handler catches to re-render itself (a permission error still answers 403)
FORM_ERRORS = (InvalidInput, NotFound, Conflict, Infeasible, ValidationError)
MAX_FIELD_CHARS = 10_000  # no single form field is longer; longer ones are cut before any validation

FormValues = dict[str, str]

NOT_A_NUMBER = "not a number"
TOO_LONG = "too long"


def text_of(data: bytes, *, max_bytes: int, field: str) -> str:
    """An uploaded file's or a request body's bytes as text: at most ``max_bytes`` (read ``max_bytes + 1`` to
    tell), UTF-8 with its BOM dropped; else an InvalidInput naming ``field``."""
    if len(data) > max_bytes:
        raise InvalidInput(f"larger than {max_bytes // 1024} KiB", field=field)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text", field=field) from None


async def form_values(request: Request) -> FormValues:
    """The posted fields as text, first value of each name (files skipped); bytes that are not UTF-8 are replaced."""
    form = await request.form()
    values: FormValues = {}
    for key, value in form.multi_items():
        if isinstance(value, str) and key not in values:
            values[key] = value[:MAX_FIELD_CHARS]
    return values


FormValuesDep = Annotated[FormValues, Depends(form_values)]


def read_number(values: Mapping[str, str], field: str, *, default: float | None = None) -> float | None:
    """The number typed in ``field`` (blank: ``default``); not a finite number is an ``InvalidInput`` naming it."""
    text = values.get(field, "").strip()
    if not text:
        return default
    try:
        number = float(text)
    except ValueError as exc:
        raise InvalidInput(NOT_A_NUMBER, field=field) from exc
    if not math.isfinite(number):
        raise InvalidInput(NOT_A_NUMBER, field=field)
    return number


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate read from a form: ``value`` in [0, 1] terms and how the text was read."""

    value: float
    read_as: Literal["rate", "percent"]
    text: str


def read_rate(values: Mapping[str, str], field: str, *, default: float) -> Rate:
    """A rate typed as ``0.8``, ``80`` or ``80%`` (or ``80 %``): a number over 1 or with ``%`` is a percent.

    Range checks stay with the form's model; this only decides the reading and says which it took.
    """
    text = values.get(field, "").strip()
    if not text:
        return Rate(default, "rate", "")
    percent = text.endswith("%")
    number = read_number({field: text.removesuffix("%").strip()}, field, default=math.nan)
    if number is None or math.isnan(number):  # a lone "%"
        raise InvalidInput(NOT_A_NUMBER, field=field)
    if percent or number > 1:
        return Rate(number / 100, "percent", text)
    return Rate(number, "rate", text)


def rate_readings(values: Mapping[str, str], fields: tuple[str, ...], t: Translator) -> dict[str, str]:
    """``{field: "read 80 as 80%"}`` for each rate typed as a percent (or as a rate with ``%`` absent and a
    value at most 1), so the form says which reading it took; fields that are blank or not numbers are skipped."""
    out: dict[str, str] = {}
    for field in fields:
        try:
            rate = read_rate(values, field, default=0.0)
        except InvalidInput:
            continue
        if rate.text:
            key = "form.read_as_percent" if rate.read_as == "percent" else "form.read_as_rate"
            out[field] = t(key, text=rate.text, percent=f"{rate.value * 100:.4g}%")
    return out


def validation_message(error: Mapping[str, Any], t: Translator) -> str:
    """One pydantic error in the viewer's language, by its type (``error.v.less_than``: "must be less than {lt}")."""
    kind = str(error.get("type", ""))
    ctx = {key: _plain(value) for key, value in (error.get("ctx") or {}).items()}
    key = f"error.v.{kind}"
    if key in t.messages:
        try:
            return t(key, **ctx)
        except (KeyError, IndexError):
            pass
    return t("error.v.invalid")


def _plain(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    names = [str(part) for part in loc if not isinstance(part, int) and part not in ("body", "query", "path")]
    return names[-1] if names else ""


def field_errors(exc: Exception, t: Translator, fields: Collection[str] = ()) -> dict[str, str]:
    """``{field: message}`` for a form's bad values, ``fields`` being the form's own (``history-from`` counts as
    ``history_from``); a message for no field, or for one the form lacks, is under ``""`` (the form's top)."""
    found: list[tuple[str, str]] = []
    if isinstance(exc, ValidationError):
        found = [(_field_of(error.get("loc", ())), validation_message(error, t)) for error in exc.errors()]
    elif isinstance(exc, InvalidInput):
        found = [(exc.field or "", say_reason(exc.reason, t))]
    else:
        found = [("", say_reason(str(exc), t))]
    out: dict[str, str] = {}
    for field, message in found:
        name = field.replace("-", "_")
        if name in fields:
            out.setdefault(name, message)
        elif "" not in out:
            out[""] = t("form.field_error", field=name, message=message) if name else message
    return out
