"""Message catalogs (zh-CN and English) and the ``t(key)`` function templates call.

Catalogs are flat JSON objects in ``web/locales/``, one file per area and locale, named
``<area>.<locale>.json`` (``core.en.json``, ``reports.zh-CN.json``). Files of one locale are
merged; a key defined twice is an error at start-up. A page owner adds their own pair of files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LOCALES", "DEFAULT_LOCALE", "Catalogs", "Translator", "load_catalogs", "normalize_locale"]

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

_log = logging.getLogger(__name__)


def normalize_locale(value: str | None) -> str | None:
    """``en-US`` -> ``en``, ``zh``/``zh-Hans`` -> ``zh-CN``; None for anything else."""
    if not value:
        return None
    low = value.strip().lower().replace("_", "-")
    if low == "en" or low.startswith("en-"):
        return "en"
    if low == "zh" or low.startswith("zh-"):
        return "zh-CN"
    return None


@dataclass(frozen=True, slots=True)
class Translator:
    """``t(key, **params)``: the message for ``key`` in ``locale``, with ``{name}`` fields filled."""

    locale: str
    messages: Mapping[str, str]

    def __call__(self, key: str, **params: object) -> str:
        text = self.messages.get(key)
        if text is None:
            _log.warning("missing message %r for locale %s", key, self.locale)
            return key
        return text.format(**params) if params else text


@dataclass(frozen=True, slots=True)
class Catalogs:
    by_locale: Mapping[str, Mapping[str, str]]

    def translator(self, locale: str) -> Translator:
        return Translator(locale=locale, messages=self.by_locale[locale])


def load_catalogs(folder: Path = LOCALES_DIR) -> Catalogs:
    """Read and merge every ``<area>.<locale>.json`` of ``folder``; refuse duplicate keys."""
    merged: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}
    origin: dict[tuple[str, str], str] = {}
    for path in sorted(folder.glob("*.json")):
        locale = path.name.removesuffix(".json").partition(".")[2]
        if locale not in merged:
            raise ValueError(f"{path.name}: locale {locale!r} is not one of {', '.join(LOCALES)}")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path.name}: a catalog is one JSON object of key -> message")
        for key, text in data.items():
            if not isinstance(text, str):
                raise ValueError(f"{path.name}: message {key!r} is not a string")
            if (locale, key) in origin:
                raise ValueError(f"{path.name}: key {key!r} is defined already in {origin[(locale, key)]}")
            origin[(locale, key)] = path.name
            merged[locale][key] = text
    return Catalogs(by_locale=merged)
