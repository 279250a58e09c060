"""Phone numbers: Chinese mobile/landline and E.164 to one E.164 form, and the zone a number is called in.

``normalise_phone("138 0013 8000")`` gives ``+8613800138000``; ``"010-8888 6666"`` gives ``+861088886666``;
``"+1 212 555 0100"`` stays E.164. Numbers without a leading ``+`` are read as Chinese (the data's country).
The zone comes from the number (Google's libphonenumber data, Apache-2.0): Chinese numbers are called in
Asia/Shanghai; a number whose area spans several zones gets the policy's default zone.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as phone_timezone

__all__ = ["normalise_phone", "zone_for_phone", "PhoneError"]

_STRIP = re.compile(r"[\s\-().]")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CN_LANDLINE = re.compile(r"^0[1-9]\d{8,10}$")
_CN_SERVICE = re.compile(r"^[48]00\d{7}$")  # 400/800 service numbers (caller numbers of call centres)


class PhoneError(ValueError):
    """A text that is not a usable phone number; the message says why."""


@lru_cache(maxsize=65536)
def normalise_phone(raw: str, region: str = "CN") -> str:
    """The E.164 form of ``raw`` (Chinese mobile or landline, with or without +86/0086, or E.164)."""
    text = _STRIP.sub("", raw.strip())
    if not text:
        raise PhoneError("empty phone number")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        if not text.isdigit():
            raise PhoneError(f"{raw!r} is not a phone number")
        if region == "CN" and not (_CN_MOBILE.match(text) or _CN_LANDLINE.match(text) or _CN_SERVICE.match(text)):
            raise PhoneError(f"{raw!r} is neither a Chinese mobile (1xxxxxxxxxx), a landline (0 + area code) "
                             "nor a 400/800 number")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"{raw!r} is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(f"{raw!r} is not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)
def zone_for_phone(e164: str, default: str) -> str:
    """The IANA zone a normalised number is called in; ``default`` when the number spans zones or has none."""
    if e164.startswith("+86"):
        return "Asia/Shanghai"
    try:
        zones = phone_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return default
    if len(zones) == 1 and zones[0] != "Etc/Unknown":
        return str(zones[0])
    return default
